"""Stage 3 of the flow (config -> fetch -> parse -> archive -> ...): page bytes in, briefs out.

Pure: no I/O, no network, no clock. The only thing every capture of a CX live page shares
is the visible byline line ``AUTHORS / Mon DD, YYYY HH:MM AM / SECTION``, so the parser
never segments on tag or class names:

1. ``decode_page`` turns bytes into text (BOM, HTTP charset, ``<meta>``, UTF-8, fallback).
2. HTML becomes a list of visible *lines* (block elements and ``<br>`` break lines, inline
   elements join); a plain-text capture is split on newlines. Each line keeps the links
   and e-mail addresses it held, and whether it was a heading.
3. One line-based state machine cuts the lines at bylines and sorts each brief's lines into
   body, captions, contacts, related links and the full-story link; chrome is dropped.

Every rule that says what a line *is* lives in the constants below (see STYLE.md).
"""

from __future__ import annotations

import codecs
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from urllib.parse import unquote, urljoin

from dateutil import parser as date_parser
from dateutil import tz
from lxml import etree

from feedsvc.errors import ConfigError, LayoutChanged
from feedsvc.model import Brief, Contact, ContactRole, ParseResult, RelatedLink, TitleSource

__all__ = ["decode_page", "parse_page"]

# --------------------------------------------------------------------------------------------
# Line patterns: the page's vocabulary, in one place. Each with a line seen on a real page.
# Lines reach these patterns whitespace-normalised (NBSP and friends are plain spaces).
# --------------------------------------------------------------------------------------------

#: ``Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech``
#: ``By Wang Xiaoqing, Qian Tong, Xue Xiaoli and Denise Jia / Jun 17, 2019 07:42 PM / Economy``
#: ``/ Jun 17, 2019 07:42 PM / World`` (no author at all, 2018 layout)
#: Digits and ``/`` are kept out of the author part so body text quoting a date cannot match.
BYLINE_RE = re.compile(
    r"^(?:[Bb][Yy]\s+)?(?P<authors>[^/\d<>@]{0,160}?)\s*/\s*"
    r"(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*\d{4}\s*\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?)"
    r"\s*/\s*(?P<section>[A-Za-z][A-Za-z0-9&,'’ -]{0,48})$"
)
#: ``06:27``: every byline has a time of day.
TIME_OF_DAY_RE = re.compile(r"\d:\d\d")
#: ``2021`` glued to the hour after it.
GLUED_YEAR_RE = re.compile(r"(,\s*\d{4})(?=\d{1,2}:)")
#: ``Published Jan 19, 2021 06:27 PM · Business & Tech``: a date line under its author block.
PUBLISHED_PREFIX_RE = re.compile(r"^(?:published|posted)(?:\s+(?:on|at))?:?\s+(?=[A-Z])", re.I)
#: The sections of the family's pages, as bylines and section tags name them.
_FAMILY_SECTIONS = (
    r"business\s*(?:&|and)\s*tech(?:nology)?|world|economy|finance|trending(?: stories)?"
    r"|society\s*(?:&|and)\s*culture|politics\s*(?:&|and)\s*law|opinion|china"
)
#: ``Ding Yi | Jan 19, 2021 06:27 PM | Business & Tech`` / ``Ding Yi Jan 19, 2021 06:27 PM
#: Business & Tech`` / ``Ding YiJan 19, 202106:27 PMBusiness & Tech``: a byline whose
#: slashes a stylesheet draws (or a redesign made bars). Read only with a section of the
#: family's, so that no sentence quoting a date is taken for one.
UNSLASHED_BYLINE_RE = re.compile(
    r"^(?:[Bb][Yy]\s+)?(?P<authors>[^/|·•\d<>@]{0,160}?)\s*[|·•–—]?\s*"
    r"(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*\d{4})\s*[|·•,]?\s*"
    r"(?P<time>\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?)\s*[|·•–—]?\s*"
    rf"(?P<section>(?i:{_FAMILY_SECTIONS}))$"
)
#: A byline with a 24-hour clock must name one of the family's sections.
SECTION_OF_FAMILY_RE = re.compile(rf"^(?:{_FAMILY_SECTIONS})$", re.IGNORECASE)
#: ``PM`` / ``a.m.``: the half of the day in a 12-hour clock.
HALF_DAY_RE = re.compile(r"[AaPp]\.?[Mm]\.?$")
#: A byline is short; longer lines are never tried (keeps a 10 MB line cheap).
BYLINE_MAX_LEN = 260
#: ``Jan 19, 2021 06:27 PM``: finds the pieces of a byline split over several lines.
BYLINE_DATE_RE = re.compile(
    r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*\d{4}\s*\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]|(?!\d))"
)
#: ``By Ding Yi`` / ``Xue Xiaoli and Denise Jia`` on a line of its own, above a ``/ Jan 19,
#: 2021 06:27 PM /`` line: the author part of a byline the markup split into blocks.
SPLIT_BYLINE_AUTHORS_RE = re.compile(
    r"^(?:[Bb]y\s+)?[A-Z][\w’'.-]*(?:(?:\s+|,\s*|\s+and\s+|\s*&\s*)[A-Z][\w’'.-]*){0,11}$"
)
#: ``FINANCE`` / ``SOCIETY & CULTURE`` / ``LATEST``: words of the upper-case labels between
#: briefs, which are never the author part of a split byline (``DING YI`` may be).
SECTION_LABEL_WORDS = frozenset({
    "BUSINESS", "TECH", "WORLD", "ECONOMY", "FINANCE", "SOCIETY", "CULTURE", "POLITICS", "LAW",
    "TRENDING", "STORIES", "LATEST", "LIVE", "MORE", "NEWS", "CHINA", "OPINION", "ABOUT", "US",
    "HOME", "VIDEO", "CX", "TOP",
})  # fmt: skip
#: ``Politics & Law`` / ``Business & Tech`` on a line of its own: the section part of a byline
#: split into blocks (the date above it).
SPLIT_BYLINE_SECTION_RE = re.compile(r"^[A-Z][A-Za-z]*(?:\s+(?:&|and|[A-Za-z][A-Za-z]*)){0,3}$")
#: ``Qian Tong, Yuan Ruiyang and Han Wei``: separators between author names.
AUTHOR_SPLIT_RE = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")

#: ``Contact reporter Ding Yi (`` / ``Contact Reporter Denise Jia (huijuanjia@caixin.com)`` /
#: ``Contact reporter Anniek Bao ( and editor Flynn Murphy (``
CONTACT_RE = re.compile(r"^contact\s+(?:reporter|editor)s?\b", re.IGNORECASE)
#: ``reporter Anniek Bao ( and editor Flynn Murphy (``: where one contact ends and the next starts.
#: Also ``reporters Xue Xiaoli ( and Denise Jia (``: a name after a bracket needs no role word
#: (it takes the one before it).
CONTACT_SPLIT_RE = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\band\s+)(?=(?:reporter|editor)s?\s)"
    r"|(?<=[()])\s*(?:,\s*(?:and\s+)?|and\s+)(?=[^\W\d_])",
    re.IGNORECASE,
)
#: ``reporter Ren Qiuyu (qiuyuren@caixin.com)`` / ``editor Marcus Ryder (`` (dangling ``(``:
#: the e-mail was a link the text capture lost).
CONTACT_PART_RE = re.compile(
    r"^(?P<role>reporter|editor)s?\s+(?P<name>[^()]+?)\s*(?:\((?P<inside>[^()]*)\)?)?\s*[.,;]?$",
    re.IGNORECASE,
)
#: ``Related: Display-Maker BOE Seals $1.1 Billion Deal to Buy 35% of Smaller Rival``
RELATED_RE = re.compile(r"^related\s*:\s*(?P<title>.*)$", re.IGNORECASE)
#: ``Read the full story here.`` / ``Read the full story here`` / ``To read the full story,
#: click here.`` / ``Read the full story later on Caixin Global.``
FULL_STORY_RE = re.compile(
    r"^(?:read the full story(?:\s+here|\s+later on caixin global)?"
    r"|to read the full story,?\s+click here)\s*[.!]?$",
    re.IGNORECASE,
)
#: ``Photo: VCG`` / ``Photo: IC Photo``: the credit is what follows the line's LAST colon, and
#: the word before that colon must be ``Photo``; so a mirror's junk glued to the front
#: (``xk7 cxmirror Photo: VCG``) still reads as a caption.
CAPTION_CREDIT_WORD_RE = re.compile(
    r"(?:^|(?<=[\s\W]))(?:photo(?:graph)?s?|image|graphic)\s*$", re.I
)
#: A credit is short and is not a sentence: ``VCG``, ``IC Photo``, ``Xinhua``.
CAPTION_CREDIT_RE = re.compile(r"^[^.!?]{0,80}$")
#: Text in front of a credit that ends like a sentence (``Tesla's Model Y. Photo: VCG``) is the
#: caption's description; anything else glued there (``JUNK Photo: VCG``) is dropped.
CAPTION_DESCRIPTION_END_RE = re.compile(r"(?:[.!?”\"’')\]]|\s[-–—|/])$")
#: A word of a caption's description: letters, apostrophes, hyphens; no digits, no dots.
DESCRIPTION_WORD_RE = re.compile(r"[^\W\d_][^\W\d_’'&-]*(?:[’'-][^\W\d_]+)*[,;]?")
#: ``xq7`` / ``cxm-8812`` / ``cxmirror.example``: a mirror's junk token or address in front of
#: a credit (``ET7``, ``Covid-19``, ``Model 3``, ``Jan. 15``, ``U.S.-made`` are words of a
#: description).
JUNK_LOOKING_WORD_RE = re.compile(r"^[a-z][\w-]*\d|[a-z]\.[a-z]")
#: ``What’s trending?`` / ``What's the story?``: sub-headings of Trending Stories briefs.
#: They stay in the body but never become a derived title.
SUBHEADING_RE = re.compile(r"^what[’']s\s+(?:trending|the\s+story|next|happening)\s*\??$", re.I)
#: Any short line ending in ``?`` or ``:`` reads as a sub-heading too (``Why it matters:``).
SUBHEADING_MAX_LEN = 60

#: Page chrome dropped wherever it appears, before, between and after briefs:
#: ``Caixin Global – Latest China News & Headlines`` / ``Home >`` / ``CX Tech is Caixin
#: Global's real-time tech news portal, ...`` / ``CX Live is ...`` / ``More`` / ``Caixin`` /
#: ``China News in Real Time - From Caixin Global`` (2018 layout).
CHROME_LINE_RE = re.compile(
    r"^(?:caixin global\s*[-–—|:]\s*latest china news.*"
    r"|china news in real time\s*[-–—]\s*from caixin global"
    r"|home\s*[>›»](?:\s.*)?"
    r"|cx (?:tech|live) is\b.*"
    r"|(?:read |load |see |view )?more(?: stories| news| briefs)?\s*[›»>→…]*"
    r"|caixin|caixin global|back to top|ad|advertisement|sponsored(?: content)?"
    r"|(?:last\s+)?(?:updated|modified)(?:\s+(?:on|at))?:?\s+(?=.{0,40}$)"
    r"(?:.*\d.*|.*\bago)"
    r"|sign up(?: now| today| for free)?|subscribe(?: now| today)?"
    r"|(?:tags?|keywords|filed under)\s*:.{0,200}"
    r"|share this article|open wechat and scan the qr code)$",
    re.IGNORECASE,
)
#: ``ECONOMY`` / ``TRENDING STORIES`` / ``SOCIETY & CULTURE`` / ``ABOUT US`` / ``LATEST``:
#: upper-case menu and section labels between briefs.
UPPERCASE_LABEL_RE = re.compile(r"^[A-Z][A-Z &'’-]{1,39}$")
#: ``Business & Tech`` / ``Finance`` on a line of its own: a section tag between briefs that a
#: stylesheet shows in upper case (a copy keeps the markup's case). Never a headline, an
#: author or a related link; the section part of a split byline is read before this.
SECTION_NAME_RE = re.compile(
    rf"^(?:{_FAMILY_SECTIONS}|latest|cx live|video|top stories)$", re.IGNORECASE
)
#: ``Share this article`` / ``Open WeChat and scan the QR code`` / ``ABOUT US`` / ``ABOUT US |
#: About | Contact`` (2018) / ``© 2021 Caixin Global``: the footer begins; nothing after it is
#: body, related or headline.
PAGE_END_RE = re.compile(
    r"^(?:share this article|open wechat and scan the qr code|about us(?:\s*[|·•].*)?"
    r"|©.*|copyright\s*(?:©|\(c\)|\d{4}|caixin).*)$",
    re.IGNORECASE,
)
#: ``Caixin Global Ltd. All rights reserved.``: a short line that ends so ends the page too.
RIGHTS_RESERVED_RE = re.compile(r"\ball rights reserved\.?$", re.IGNORECASE)
RIGHTS_RESERVED_MAX_LEN = 80
#: ``Related Articles`` / ``See also``: a heading over a list of related links (no prefix on
#: the links themselves).
RELATED_HEADING_RE = re.compile(
    r"^(?:related(?:\s+(?:articles?|stories|news|reading|content|coverage|links?|posts?))?"
    r"|see also|further reading|more on (?:this|the) (?:story|topic))\s*:?$",
    re.IGNORECASE,
)
#: ``MOST POPULAR`` / ``Editor's Picks`` / ``Caixin Global Newsletter``: a sidebar or promo
#: box starts; when it follows a brief's contact and related lines, the brief is over.
ASIDE_RE = re.compile(
    r"^(?:most (?:popular|read|viewed|shared)(?: stories| articles)?|editor[’']?s[’']? picks?"
    r"|recommended(?: for you| stories| reading| articles)?|you (?:may|might) also like"
    r"|popular (?:stories|articles|now)|top stories)$",
    re.IGNORECASE,
)
#: ``Subscribe to Caixin Global for unlimited access …`` / ``Download our app …``: a promo's
#: sentence between briefs, never a brief's body.
PROMO_RE = re.compile(
    r"^(?:subscribe|sign up|download|register|log in|get (?:the|our|unlimited)|follow us"
    r"|try caixin|join (?:us|caixin)|unlock|caixin(?: global)? is)\b|\bunlimited access\b"
    r"|\bfree trial\b|\bapp store\b|\bgoogle play\b|\benglish-language service\b"
    r"|\bsponsored\b|\bpartner content\b|\bprovided by (?:our|a) (?:partner|sponsor)"
    r"|\beditorial (?:position|views?|stance)\b|\bdisclaimer\b",
    re.IGNORECASE,
)
#: ``Caixin Global Newsletter`` / ``Sign up for our newsletter.``: a short line naming a
#: newsletter is a promo box, unless it is a sentence (``… in an internal newsletter.``).
NEWSLETTER_PROMO_RE = re.compile(
    r"^(?:(?!.*\.$)(?!(?:\S+\s+){5})\S.*\bnewsletters?\b"  # (five words at most)
    r"|.*\b(?:sign up|subscribe)\b.*\bnewsletters?\b)",
    re.IGNORECASE,
)
NEWSLETTER_PROMO_MAX_LEN = 60
#: Share bars and article tools: ``Share``, ``ShareTwitterFacebookLinkedInWeChat`` (inline
#: links with no space between them), ``Share: Twitter Facebook LinkedIn Comments (0)``.
WIDGET_LINE_RE = re.compile(
    r"(?:[\W\d_]*(?:share(?:\s*this|\s*on)?|tweet|twitter|facebook|linkedin|wechat|weibo"
    r"|whatsapp|telegram|reddit|e-?mail|mail|print|copy\s*link|link|comments?|bookmark|save"
    r"|follow\s*us|font\s*size|x))+[\W\d_]*",
    re.IGNORECASE,
)
#: Widget words glued to the end of a byline's section: ``Business & Tech Share``,
#: ``Business & TechPrint`` (a link right after the section, no space between).
SECTION_WIDGET_TAIL_RE = re.compile(
    r"(?:(?:\s+\d+)?\s+(?:share|print|e-?mail|tweet|comments?)"
    r"|(?<=[a-z])(?:Share|Print|Email|Comments?))+$",
    re.IGNORECASE,
)
#: What a byline row may carry after its section besides words: `` | Print``, `` A+ A-``,
#: `` 0 Comments``, `` · Share``, `` (0)``, `` Font size: A A``.
BYLINE_WIDGET_TAIL_RE = re.compile(
    r"(?:\s*[|·•:]?\s*(?:share|print|e-?mail|tweet|comments?|font\s*size|a\+|a-|a\b|\(\d*\)|\d+))+"
    r"\s*[|·•:]?\s*$",
    re.IGNORECASE,
)
#: ``06:27 PM`` in front of (or after) a headline in a ``/live/`` headline list.
HEADLINE_TIME_RE = re.compile(
    r"^\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?\s+|\s+\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?$"
)
#: A class naming an image caption or credit: ``pic-desc``, ``img-caption``, ``wp-caption-text``,
#: ``photo-credit``. Like <figcaption>, it marks the text as a caption even when shown once.
CAPTION_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:(?:fig)?caption|credit|(?:pic|img|image|photo)[-_]?(?:desc|text|txt|info|note))"
    r"s?(?:$|[-_])",
    re.IGNORECASE,
)
#: Classes that hide text from the eye (screen-reader labels, hidden utility classes).
HIDDEN_CLASSES = frozenset({
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screen-reader-only",
    "d-none", "hidden", "is-hidden", "u-hidden", "hide",
})  # fmt: skip
#: ``d-md-block`` / ``d-sm-inline`` / ``d-lg-flex``: shown from some screen width up.
RESPONSIVE_SHOW_CLASS_RE = re.compile(
    r"d-(?:sm|md|lg|xl|xxl)-(?:block|inline|inline-block|flex|inline-flex|grid|table|contents)"
)
#: Full-width punctuation as typed on a Chinese keyboard, read as its ASCII form in the short
#: structural lines (``Photo：VCG``, ``Contact reporter Ding Yi（``, ``Related：…``).
_FULLWIDTH = str.maketrans({"：": ":", "（": "(", "）": ")", "／": "/", "，": ","})
_FULLWIDTH_CHARS = frozenset("：（）／，")
_FULLWIDTH_COLON_RE = re.compile(r"：(?!\d)")
#: ``LATEST`` / ``TRENDING``: the line above a headline list (``/live/`` page).
HEADLINE_LIST_MARKER_RE = re.compile(r"^(?:latest|trending|latest news)$", re.I)
#: Mirror junk on its own line: ``Mirrored by cxmirror.example.net`` / ``Mirror of Caixin
#: Global at cxmirror.example``. A line saying it was mirrored is not the page's text.
MIRROR_NOTE_RE = re.compile(r"\bmirror(?:ed)?\s+(?:by|from|at|of|site)\b", re.IGNORECASE)
#: ``www.cxmirror.example`` / ``https://t.example/x``: a line that is only an address.
BARE_ADDRESS_RE = re.compile(
    r"^\W*(?:https?://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|xyz|top|cn|io)"
    r"(?:/\S*)?)\W*$",
    re.IGNORECASE,
)
#: A mirror's junk token on a line of its own (``xq7``, ``cxm-8812``): one word that holds
#: a digit among letters, or starts in lower case; no paragraph, caption or headline is one.
JUNK_TOKEN_RE = re.compile(r"^(?=\S*[^\W\d_])(?:(?=\S*\d)[\w-]+|[^\W\d_A-Z][\w-]*)$")
JUNK_TOKEN_MAX_LEN = 24
#: ``5G`` / ``AI`` / ``3D`` / ``Q1``: an item of a list or table in a body, not junk or a label.
ACRONYM_RE = re.compile(r"^(?=.*[A-Z])[A-Z0-9]{2,3}$")
#: Junk and caption checks only look at lines up to this long (a caption is never longer).
SHORT_LINE_MAX_LEN = 300
#: Unprefixed related headlines look like titles: ``China’s Other TikTok-Like App Sensation
#: Sprints Toward Hong Kong IPO``; this share of the longer words starts with a capital.
TITLE_CASE_SHARE = 0.6
#: Fewer words than this make a menu entry (``Home``, ``World``), not a headline.
HEADLINE_MIN_WORDS = 3
#: Share of a headline list's titles that may have fewer than HEADLINE_MIN_WORDS words.
HEADLINE_LIST_SHORT_SHARE = 0.2
#: Share of a listed headline's words a brief's opening must hold to be given that headline.
HEADLINE_MATCH_SHARE = 0.5
_CONTENT_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# fmt: off
_STOP_WORDS = frozenset({
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "for", "with", "at", "by",
    "from", "as", "is", "are", "was", "were", "be", "its", "it", "this", "that", "over",
    "after", "into", "up", "out", "new", "says", "said", "will", "could", "may", "has", "have",
})
# fmt: on
#: A derived title is the lead sentence, cut at a word boundary to this many characters.
DERIVED_TITLE_MAX_LEN = 110
#: A line under a picture that is longer than this is running text, not its caption.
CAPTION_UNDER_IMAGE_MAX_LEN = 120
#: ``Additional reporting by …`` / ``With assistance from …`` / ``Source: …``: a credit line
#: at the end of a body, in title case or nearly, is still the body's.
_CREDITED_BY = r"(?:edited|translated|written|compiled|produced|reported) by"
CREDIT_LINE_RE = re.compile(
    r"^(?:sources?|data|chart|graphics?|notes?|editor[’']?s note|(?:additional )?reporting"
    rf"|with (?:additional )?(?:assistance|reporting)|{_CREDITED_BY})\b",
    re.IGNORECASE,
)
#: ``Editor: Marcus Ryder`` / ``Translated by …``: a staff credit after a brief's tail, not a
#: related link.
STAFF_CREDIT_RE = re.compile(
    r"^(?:(?:chief |copy |managing )?editors?|editing|reporters?|writers?|translators?"
    rf"|producers?|photos?|graphics?|designers?)\s*:|^(?:{_CREDITED_BY}|photos? by)\b",
    re.IGNORECASE,
)
#: Words of four letters or more that a title-case headline may leave in lower case.
_TITLE_SMALL_WORDS = frozenset({
    "with", "from", "into", "over", "than", "that", "upon", "onto", "amid", "after", "about",
    "via", "versus",
})  # fmt: skip
#: Running text ends like a sentence: ``... investors.`` / ``... told Caixin.”``
SENTENCE_FINAL_RE = re.compile(r"[.!?…][”\"’')\]]*$")
#: ``U.S. President``: a period after these does not end the lead sentence.
# fmt: off
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "co", "corp", "inc", "ltd", "jr", "sr", "st", "no", "vs",
    "gov", "sen", "rep", "gen", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
})
# fmt: on
#: ``… Threat in U.S.`` / ``… Ltd.``: a text ending with an abbreviation's period.
ABBREVIATION_END_RE = re.compile(
    r"(?:^|[\s“\"‘'(])(?:" + "|".join(sorted(ABBREVIATIONS)) + r"|(?:[A-Za-z]\.)+[A-Za-z])\.$",
    re.IGNORECASE,
)
#: ``U.S.`` / ``U.K.`` at the end of a headline.
INITIALS_END_RE = re.compile(r"(?:^|[\s(])(?:[A-Z]\.){2,}$")
#: Sentence ends: ``... group of investors.`` then a capital, a digit or an opening quote.
SENTENCE_END_RE = re.compile(r"[.!?][”\"’')\]]*(?=\s+[“\"‘'(\[]?[A-Z0-9])")
#: A class token or role naming a headline (``brief-title``, ``headline``, ``role=heading``).
#: Only used to find a brief's own headline, never to segment.
HEADLINE_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:headline|heading|title|tit|ttl)s?$", re.IGNORECASE
)  # "tit": the usual short form on Chinese sites (``<div class="tit">``)
#: Plain text is HTML when it starts with ``<`` or holds one of these tags.
HTML_SNIFF_RE = re.compile(
    r"<(?:!doctype|html|head|body|p|div|br|article|section|span|dl|dt|dd|h[1-6]|a|ul|li|table)"
    r"[\s>/]",
    re.IGNORECASE,
)
#: The four-digit year of a byline date: ``Jan 19, 2021 06:27 PM``.
BYLINE_YEAR_RE = re.compile(r"\b\d{4}\b")
#: Years a byline may carry; the pages began in 2018.
PLAUSIBLE_YEARS = (1990, 2999)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Width (columns) of a hard-wrapped text capture, and how far short of it a wrapped line
#: may end (the next word did not fit).
WRAP_WIDTHS = (40, 160)
WRAP_SLACK = 25
#: Longer than any caption without caption markup, junk token, widget row or headline: a
#: line this long outside caption markup is a paragraph.
PARAGRAPH_MIN_LEN = 160
#: Longer than any headline: two title lines that would make this much stay two lines.
LIST_TITLES_JOINED_MIN_LEN = 110
#: html2text's default line width.
MARKDOWN_WRAP_WIDTH = 78
WRAP_MIN_LINES = 12
#: Markdown: a link or image ``](https://…)``, a ``## heading``, or ``**bold** /`` bylines.
MARKDOWN_SNIFF_RE = re.compile(
    r"\]\((?:https?:|/|mailto:)|^#{1,6} \S|^\*\*[^*\n]+\*\* /", re.MULTILINE
)
#: ``lynx -dump``: ``  4. https://…`` under ``References``; ``[4]`` in front of a link's text.
LYNX_REFERENCE_RE = re.compile(r"^\s*(?P<number>\d{1,5})\.\s+(?P<url>\S+)\s*$")
LYNX_LINK_RE = re.compile(r"\[(?P<number>\d{1,5})\](?P<text>[^\[]*)")
LYNX_MARKER_RE = re.compile(r"\[(?:\d{1,5}|IMG|INLINE)\]")
#: This many ``[n]`` link numbers make a capture a text browser's dump.
LINK_MARKERS_MIN = 5
LYNX_BULLET_RE = re.compile(r"^\s*[*+o#@-]\s+")
#: ``• `` / ``◦ `` / ``- `` / ``* ``: a list bullet w3m, pandoc, links or a browser's copy puts
#: before an item (a dash the wrapping put at a line's start was joined before this).
TEXT_BULLET_RE = re.compile(r"^\s*[•◦▪‣∙*+-]\s+")
#: ``[cx_430601]`` / ``[IMG]``: where w3m or lynx shows a picture (its name or alt text).
IMAGE_PLACEHOLDER_RE = re.compile(r"^\[[^\[\]]{1,60}\]$")
#: ``1. `` / ``* `` / ``• ``: a list item of a text capture, which starts a line of its own.
LIST_ITEM_RE = re.compile(r"^(?:\d{1,3}\.|[*+•·◦-])\s")
#: ``200. `` / ``- ``: list markers that may be the wrapping's cut inside a sentence (``1.``
#: and real bullets never are).
WRAPPED_LIST_MARKER_RE = re.compile(r"^(?:(?:[2-9]|1\d)\d{0,2}[.)]|-)\s")
#: ``… until March`` / ``… on Feb.``: a line ending with a month, the day on the next line.
MONTH_END_RE = re.compile(
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?$"
)
#: ``12. `` in front of a headline of a numbered list in a text capture.
LIST_NUMBER_RE = re.compile(r"^\d{1,3}\.\s+")
MARKDOWN_MIN_SIGNS = 3
MARKDOWN_RULE_RE = re.compile(r"(?:[-*_]\s*){3,}")
MARKDOWN_HEADING_RE = re.compile(r"#{1,6}\s+")
#: A Markdown line that starts a block: heading, list item, quote, image, table, fence, rule.
MARKDOWN_BLOCK_RE = re.compile(r"#{1,6}\s|[*+-]\s|\d{1,3}[.)]\s|>|!\[|\||```|~~~|(?:[-*_]\s*){3,}$")
#: ``> `` / ``> > ``: quote marks in front of each line of a quoted paragraph.
QUOTE_MARK_RE = re.compile(r"^\s*(?:>\s*)+(?=\S|$)")
#: ``> `` quotes and ``* `` / ``- `` / ``1. `` list items.
MARKDOWN_PREFIX_RE = re.compile(r"^(?:>\s*)+|^(?:[*+-]|\d{1,3}\.)\s+")
MARKDOWN_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
#: ``[](https://…)``: what is left of a linked picture once the picture is gone.
EMPTY_LINK_RE = re.compile(r"\[\s*\]\([^)]*\)")
MARKDOWN_LINK_RE = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
MARKDOWN_EMPHASIS_RE = re.compile(r"(?P<mark>\*\*|__|\*|_)(?P<text>\S(?:.*?\S)?)(?P=mark)(?!\w)")
#: ``<meta charset="gbk">`` / ``<meta http-equiv="Content-Type" content="text/html; charset=...">``
META_CHARSET_RE = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([\w:.-]{1,40})", re.I)
#: ``<?xml version="1.0" encoding="..."?>``: lxml refuses it in front of a str.
XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
#: A Cloudflare-obfuscated e-mail link: ``/cdn-cgi/l/email-protection#<hex>``.
CF_EMAIL_HREF_RE = re.compile(r"/cdn-cgi/l/email-protection#([0-9a-fA-F]+)")


def _first_of(**patterns: re.Pattern[str]) -> re.Pattern[str]:
    """One regex trying ``patterns`` in turn where a line starts; ``lastgroup`` names the first
    that matched. Each line then costs one regex call instead of one per pattern."""
    branches = []
    for name, pattern in patterns.items():
        flags = "i" if pattern.flags & re.IGNORECASE else "-i"
        body = re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern)  # the kind is the only group
        branches.append(f"(?P<{name}>(?{flags}:{body}))")
    return re.compile("|".join(branches))


#: What a line is, when it is one of the kinds above; the order is the order of the checks.
_LINE_KIND_RE = _first_of(
    contact=CONTACT_RE,
    related=RELATED_RE,
    full_story=FULL_STORY_RE,
    related_heading=RELATED_HEADING_RE,
    page_end=PAGE_END_RE,
    aside=ASIDE_RE,
    list_marker=HEADLINE_LIST_MARKER_RE,  # before label: "LATEST" is both
    chrome=CHROME_LINE_RE,
    label=UPPERCASE_LABEL_RE,
    section_name=SECTION_NAME_RE,
)
_CHROME_KINDS = frozenset({"chrome", "label", "section_name"})


def _line_kind(text: str) -> str | None:
    """What the line is (a group name of _LINE_KIND_RE), or None for text. The checks that
    need the line's length come after the one pass of the pattern, only for short lines."""
    match = _LINE_KIND_RE.match(text)
    if match is not None:
        return match.lastgroup
    if (
        len(text) <= NEWSLETTER_PROMO_MAX_LEN
        and ("ewsletter" in text or "EWSLETTER" in text)
        and NEWSLETTER_PROMO_RE.match(text)
    ):
        return "aside"
    if (
        len(text) <= RIGHTS_RESERVED_MAX_LEN
        and ("eserved" in text or "ESERVED" in text)
        and RIGHTS_RESERVED_RE.search(text)
    ):
        return "page_end"
    return None


_TAIL_KINDS = frozenset({"contact", "related", "full_story"})

# --------------------------------------------------------------------------------------------
# Markup vocabulary: which elements break lines and which are never visible.
# --------------------------------------------------------------------------------------------

# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
    "menu", "nav", "ol", "optgroup", "option", "p", "pre", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "frameset",
})
# fmt: on
#: Never visible text (or UI labels such as buttons), dropped with everything inside.
# fmt: off
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "head", "title", "svg", "math", "iframe",
    "object", "embed", "canvas", "audio", "video", "select", "datalist", "button", "textarea",
})
# fmt: on
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
BOLD_TAGS = frozenset(("b", "strong"))

#: Zero-width characters and soft hyphens vanish; every other kind of space becomes " ".
#: Direction marks and isolates (``&lrm;``, U+2066...) vanish too: they only steer display.
_INVISIBLE_CHARS = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]")
#: Those characters written as HTML entities (``&shy;`` ``&#8203;`` ``&#x200B;`` ``&lrm;``).
INVISIBLE_ENTITY_RE = re.compile(
    r"&(?:shy|zwj|zwnj|lrm|rlm|ZeroWidthSpace|NoBreak|alm);?"
    r"|&#(?:0*(?:173|1564|65279|820[3-7]|823[4-8]|8288|829[4-7])"
    r"|[xX]0*(?:ad|AD|61[cC]|200[b-fB-F]|202[a-eA-E]|2060|206[6-9]|[fF][eE][fF][fF]));?"
)
#: WHATWG maps these labels to supersets; decoding with the superset loses nothing.
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "windows-1252",
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
}
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Context bits of the HTML walk, kept per line to tell headline lines from the rest.
_IN_HEADING = 1
_IN_LINK = 2
_IN_BOLD = 4
_IN_CAPTION = 8
_ALL_CONTEXTS = _IN_HEADING | _IN_LINK | _IN_BOLD | _IN_CAPTION
#: Not a context: the line came right after an image, with no text between them.
_AFTER_IMAGE = 16
#: The last picture of the walk: none to caption; seen, with no line break after it yet;
#: seen, with a line break after it (the next line of text stands right under it).
_NO_IMAGE, _IMAGE_SEEN, _IMAGE_ABOVE = 0, 1, 2
#: Elements that show a picture.
IMAGE_TAGS = frozenset({"img", "picture", "amp-img"})


@dataclass(slots=True)
class _Line:
    """One visible line of the page, with what the markup said about it."""

    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (href as written, link text)
    emails: list[str] = field(default_factory=list)
    only: int = 0  # context bits that held ALL of the line's text (e.g. _IN_HEADING)
    #: The element holding the line's block (a brief's card, say), as a serial number of the
    #: walk; -1 where the page gave no structure (text captures).
    container: int = -1

    @property
    def is_heading(self) -> bool:
        return bool(self.only & _IN_HEADING)

    @property
    def is_link_or_bold(self) -> bool:
        return bool(self.only & (_IN_LINK | _IN_BOLD))

    @property
    def is_caption_markup(self) -> bool:
        """Caption markup (<figcaption>, a caption class), or a short line right under an
        image that is neither a sentence nor a heading nor a link (``Geely owns a number of
        international brands including Volvo and Lotus``)."""
        only = self.only
        if only & _IN_CAPTION:
            return True
        text = self.text
        return (
            bool(only & _AFTER_IMAGE)
            and not only & (_IN_HEADING | _IN_LINK | _IN_BOLD)
            and len(text) <= CAPTION_UNDER_IMAGE_MAX_LEN
            and SENTENCE_FINAL_RE.search(text) is None
            and not text.endswith((":", ")"))
            and not _looks_like_title(text)  # a thumbnail's headline, not its caption
        )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def decode_page(content: bytes, *, declared_charset: str | None = None) -> str:
    """Decode page bytes the way a browser would; never raises on odd bytes.

    Order: byte-order mark; bytes that are valid UTF-8 beyond ASCII; the charset the HTTP
    header declared; ``<meta charset>`` / ``http-equiv``; then a guess between GB18030 and
    windows-1252 (which decodes anything).
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    if not content.isascii():
        # Bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the label says: legacy
        # text almost never forms valid multi-byte sequences, and stale labels are common.
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for label in (declared_charset, _meta_charset(content)):
        text = _try_decode(content, label)
        if text is not None:
            return text
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _looks_like_gb(content):
        try:
            return content.decode("gb18030")
        except UnicodeDecodeError:
            pass
    return content.decode("windows-1252", errors="replace")


def parse_page(
    content: bytes | str, *, page_url: str, timezone: str = "Asia/Shanghai"
) -> ParseResult:
    """Cut a CX live page (HTML of any markup, or its plain-text capture) into briefs.

    Raises ``ConfigError`` for an unknown ``timezone`` and ``LayoutChanged`` when the page
    holds no brief. A brief whose byline date cannot be read is skipped with a warning.
    """
    zone = _zone(timezone)
    if _is_web_archive(content):
        content = _html_of_web_archive(content)
    text = decode_page(content) if isinstance(content, bytes) else content
    if not text.strip():
        raise LayoutChanged("no briefs found: the page is empty")
    if any(char in text for char in _INVISIBLE_CHARS):  # str.find: ~40x faster than the regex
        text = _INVISIBLE_RE.sub("", text)  # once for the page, not once per line
    as_html = _looks_like_html(text)
    if as_html:
        lines, base_href = _html_lines(text, zone)
        links_base = _base_url(page_url, base_href)
    else:
        lines, links_base = _text_lines(text), page_url
    lines = _with_ascii_punctuation(lines, text)
    try:
        return _Segmenter(lines, page_url=links_base, zone=zone).run()
    except LayoutChanged:
        # A text capture whose paragraph quotes a tag ("marks paragraphs with <p> tags") is
        # sniffed as HTML; read as HTML its line breaks vanish and every byline with them.
        if not as_html or text.lstrip("\ufeff \t\r\n").startswith("<"):
            raise
        lines = _with_ascii_punctuation(_text_lines(text), text)
        return _Segmenter(lines, page_url=page_url, zone=zone).run()


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def _is_web_archive(content: bytes | str) -> bool:
    """A browser's "Save as: Webpage, Single File" (MHTML): the page in a MIME message."""
    head = content[:4096]
    if isinstance(head, str):
        head = head.encode("utf-8", errors="replace")
    return MHTML_SNIFF_RE.search(head) is not None


def _html_of_web_archive(content: bytes | str) -> bytes | str:
    """The page's HTML out of an MHTML file, its transfer encoding (quoted-printable, base64)
    undone and its charset declared as the part gave it; the file as it is if it holds
    none."""
    from email import policy  # (imported here: a rare kind of page)
    from email.parser import BytesParser

    raw = content.encode("utf-8", errors="replace") if isinstance(content, str) else content
    message = BytesParser(policy=policy.default).parsebytes(raw)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return decode_page(payload, declared_charset=part.get_content_charset())
    return content


def _meta_charset(content: bytes) -> str | None:
    # Browsers only look at the first 1024 bytes; some pages put scripts first, so look further.
    match = META_CHARSET_RE.search(content, 0, 8192)
    return match.group(1).decode("ascii", errors="replace") if match else None


def _try_decode(content: bytes, label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        encoding = codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
    except LookupError:
        return None  # an unknown label is as good as none
    if encoding.startswith("utf-16") or encoding.startswith("utf-32"):
        return None  # a <meta> cannot truthfully declare these without a BOM; bytes say ASCII
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        return None  # a lying header: fall through to the next clue


def _looks_like_gb(content: bytes) -> bool:
    # In GB text nearly every byte >= 0x80 sits in a pair of high bytes; in windows-1252
    # English the odd high byte (a curly quote) sits between ASCII letters.
    high = paired = 0
    i, n = 0, min(len(content), 65536)
    while i < n:
        if content[i] >= 0x80:
            high += 1
            if i + 1 < n and content[i + 1] >= 0x40:
                paired += 1
                high += 1
                i += 1
        i += 1
    return high > 0 and paired * 2 >= 0.9 * high and _high_pairs_look_cjk(content[:n])


def _high_pairs_look_cjk(sample: bytes) -> bool:
    # GB2312 pairs use lead and trail bytes 0xA1-0xFE; windows-1252 text rarely has two
    # high bytes in a row at all.
    pairs = re.findall(rb"[\xa1-\xfe][\xa1-\xfe]", sample)
    highs = sum(1 for byte in sample if byte >= 0x80)
    return len(pairs) * 2 >= 0.6 * highs


# --------------------------------------------------------------------------------------------
# Lines from text and from HTML
# --------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    # str.split() with no argument splits on every Unicode space (NBSP, U+3000, U+2009, ...).
    # Zero-width characters were removed from the whole page before (see parse_page).
    return " ".join(text.split())


def _looks_like_html(text: str) -> bool:
    head = text[:65536].lstrip("\ufeff \t\r\n")
    return head.startswith("<") or HTML_SNIFF_RE.search(head) is not None


def _text_lines(text: str) -> list[_Line]:
    """The capture's lines; a capture hard-wrapped at a fixed width (72 columns, say) has
    its paragraphs joined again, and Markdown (a reader's or html2text's export) is read
    for its text, links and headings."""
    raw = text.splitlines()
    references = _lynx_references(raw)
    if references is not None:  # lynx wraps every capture at its screen width
        return _lynx_lines(_unwrapped(raw[: references[0]]), references[1])
    # several signs, not one: a plain capture may quote one "[x](https://…)"
    markdown = len(MARKDOWN_SNIFF_RE.findall(text[:65536], 0)) >= MARKDOWN_MIN_SIGNS
    if markdown:
        raw = _markdown_paragraphs(raw)
    else:
        if len(LYNX_MARKER_RE.findall(text, 0, 65536)) >= LINK_MARKERS_MIN:
            # ``[7]More``: a dump's link numbers, its list of addresses left out
            raw = [LYNX_MARKER_RE.sub("", line) if "[" in line else line for line in raw]
        if any(line.startswith(">") for line in raw):
            # a quote kept as Markdown/e-mail quote marks by a tool that wraps them
            raw = [QUOTE_MARK_RE.sub("", line) for line in raw]
        if _is_hard_wrapped(raw):
            raw = _unwrapped(raw)
    lines = []
    under_image = False
    alt = ""
    for n, line_text in enumerate(raw):
        if not markdown:
            # (w3m's list bullets are not text: ``• By Bloomberg / Jun 18, …``)
            plain = _normalise(TEXT_BULLET_RE.sub("", line_text))
            line: _Line | None = _Line(_undoubled(plain))
            if len(line.text) < len(plain):
                line.only |= _IN_CAPTION  # a picture's alt text and caption, glued
            if line.text[:1] == "[" and _is_picture_placeholder(line.text, raw, n):
                under_image = True  # ``[cx_430601]`` / ``[alt text]``: a picture
                alt = _without_junk_token(line.text[1:-1].strip())
                continue
            if under_image and line.text:
                # under a picture; its caption for sure when it repeats the alt text
                line.only |= _IN_CAPTION if line.text == alt else _AFTER_IMAGE
                under_image = False
        else:
            line = _markdown_line(line_text)
            if line is not None and line.text and (under_image or "![" in line_text):
                line.only |= _AFTER_IMAGE  # (html2text glues a caption after its picture)
            if line_text.strip():
                under_image = line is not None and not line.text and "![" in line_text
        if line is not None and line.text:
            lines.append(line)
    return lines


def _undoubled(text: str) -> str:
    """``Photo: VCGPhoto: VCG``: a picture's alt text and its caption, the same words glued
    on one line by a text browser (elinks), as one."""
    half = len(text) // 2
    return text[:half] if half >= 5 and text[:half] == text[half:] else text


def _is_picture_placeholder(text: str, raw: list[str], at: int) -> bool:
    """``[cx_430601]`` / ``[w7x-cache The headquarters of … in Beijing]``: where a text
    browser or pandoc shows a picture, by its name or a short alt text, or by an alt text
    that the caption under it repeats (a long line in brackets may be an editor's note)."""
    if IMAGE_PLACEHOLDER_RE.match(text):
        return True
    if not (text.startswith("[") and text.endswith("]")) or "[" in text[1:-1]:
        return False
    inner = text[1:-1].strip()
    following = next((_normalise(line) for line in raw[at + 1 :] if line.strip()), "")
    return following in (inner, _without_junk_token(inner))


def _lynx_references(raw: list[str]) -> tuple[int, dict[str, str]] | None:
    """A ``lynx -dump`` (or ``elinks -dump``) capture's ``References`` list (``  4. https://…``):
    where it starts and each link number's address; None for any other capture."""
    for start in range(len(raw) - 1, -1, -1):
        if raw[start].strip() == "References":
            break
    else:
        return None
    found = {}
    for line in raw[start + 1 :]:
        match = LYNX_REFERENCE_RE.match(line)
        if match:
            found[match["number"]] = match["url"]
        elif line.strip() and line.strip().rstrip(":") not in ("Visible links", "Hidden links"):
            return None  # (elinks writes the headings without their colons)
    return (start, found) if found else None


def _lynx_lines(raw: list[str], references: dict[str, str]) -> list[_Line]:
    """Lines of a lynx capture: ``[4]`` before a link's text names its address, ``[IMG]``
    stands for a picture (so the line under it may be its caption)."""
    lines = []
    under_image = False
    for line_text in raw:
        text = _normalise(LYNX_BULLET_RE.sub("", line_text))
        if not text:
            continue
        if text in ("[IMG]", "[INLINE]") or IMAGE_PLACEHOLDER_RE.match(text):
            under_image = True  # (``[8.jpg]``: lynx shows a picture by its file name)
            continue
        links = [
            (references[m["number"]], _normalise(m["text"]))
            for m in LYNX_LINK_RE.finditer(text)
            if m["number"] in references
        ]
        text = _normalise(LYNX_MARKER_RE.sub("", text))
        if not text:
            continue
        only = _AFTER_IMAGE if under_image else 0
        if len(undoubled := _undoubled(text)) < len(text):
            text, only = undoubled, only | _IN_CAPTION  # alt text and caption, glued
        if len(links) == 1 and links[0][1] == text:
            only |= _IN_LINK
        emails = [e for url, _ in links if (e := _email_from_href(url))]
        lines.append(_Line(text, links, emails, only))
        under_image = False
    return lines


def _is_hard_wrapped(raw: list[str]) -> bool:
    lengths = [_columns(line.rstrip()) for line in raw]
    width = max(lengths, default=0)
    if not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]:
        return False  # a capture with a paragraph per line has lines far longer than this
    filled = [n >= width - WRAP_SLACK for n in lengths]
    carried = sum(1 for i in range(len(raw) - 1) if filled[i] and lengths[i + 1])
    written = sum(1 for n in lengths if n)
    if written < WRAP_MIN_LINES or carried < 0.15 * written:
        return False
    # Paragraphs apart by blank lines: else lines of a capture that are merely short (one
    # paragraph per line) would be joined. Without blank lines (a tool's <br> breaks), only
    # when many lines end right at the width, as wrapping leaves them.
    blank = len(lengths) - written
    at_width = sum(1 for n in lengths if n >= width - 3)
    ragged = len({n for n in lengths if n >= width - WRAP_SLACK}) >= 5  # (wrapping's edge)
    return blank >= 0.1 * written or (
        carried >= 0.5 * written and at_width >= 0.2 * written and ragged
    )


def _unwrapped(raw: list[str]) -> list[str]:
    """Each run of lines that the wrapping cut joined into one line again: a line filled to
    the width continues on the next (a word cut after its hyphen joins without a space).
    A byline is never joined to the next line, unless that only completes its section."""
    lengths = [_columns(line.rstrip()) for line in raw]
    width = max(lengths, default=0)
    fit_width = _wrap_width(lengths, width)
    out: list[str] = []
    joining = False
    previous_len = 0
    previous_line = ""
    next_number = 0  # the number the list being read goes on with, if any
    for line, length in zip(raw, lengths, strict=True):
        stripped = line.strip()
        if stripped and stripped == previous_line:
            # a caption (or a picture's alt text and its caption) shown twice: a line of its
            # own, and nothing after it continues it
            out.append(stripped)
            joining = False
            continue
        if stripped:
            previous_line = stripped
        if LIST_NUMBER_RE.match(stripped):
            number = int(stripped[: stripped.index(".")])
            if number == next_number:
                joining = False  # ``16. …`` after item 15: the list goes on
            next_number = number + 1
        if stripped and out and out[-1] and not out[-1].endswith("-"):
            # A wrapping tool breaks a line only where the next word does not fit: if it
            # would have fitted, the line ended there (a list of titles, lines of a <div>);
            # a word too long for what is left (a web address) leaves a short line above it.
            word = _columns(stripped.split(None, 1)[0])
            fits = previous_len + 1 + word <= fit_width
            joining = (joining and not fits) or (
                word >= WRAP_SLACK and not fits and SENTENCE_FINAL_RE.search(out[-1]) is None
            )
        if joining and stripped:
            previous = out[-1]
            glue = "" if previous.endswith("-") and previous[-2:-1].isalpha() else " "
            joined = previous + glue + stripped
            if (
                _byline_match(_plain(joined))
                or _list_marker_cut_from(previous, stripped)
                or _caption_cut_from(previous, stripped)
                or not (
                    _starts_a_block(stripped)
                    or _byline_match(_plain(previous))
                    or _unslashed_byline_match(_plain(previous))  # (table cells, no slashes)
                    or _unslashed_byline_match(_plain(stripped))
                    or _two_titles(previous, stripped)
                )
            ):
                out[-1] = joined
                previous_len = length
                joining = previous_len >= width - WRAP_SLACK
                continue
        out.append(stripped)
        previous_len = length
        joining = bool(stripped) and previous_len >= width - WRAP_SLACK
    return out


def _two_titles(previous: str, stripped: str) -> bool:
    """Two lines of a headline list, the first nearly as wide as the page: joined, they
    would make a title longer than any headline."""
    return (
        len(previous) + len(stripped) > LIST_TITLES_JOINED_MIN_LEN
        and _reads_like_headline(_plain(previous))
        and _reads_like_headline(_plain(stripped))
    )


def _columns(text: str) -> int:
    """How many columns a terminal gives the text: a Chinese character takes two (w3m and
    lynx wrap by columns)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap_width(lengths: list[int], longest: int) -> int:
    """The width the capture was wrapped at: the 95th percentile of the lengths of lines a
    paragraph goes on after. Not the longest line: a long address or a byline the tool
    would not break may stand out past the width."""
    carried = sorted(
        n for n, after in itertools.pairwise(lengths) if after and n >= longest - WRAP_SLACK
    )
    return carried[(19 * len(carried)) // 20] if carried else longest


def _plain(raw: str) -> str:
    """A line of a text capture as it reads, without lynx's ``[4]`` link numbers."""
    return _normalise(LYNX_MARKER_RE.sub("", raw) if "[" in raw else raw)


def _list_marker_cut_from(previous: str, stripped: str) -> bool:
    """``… retail stores in the Middle East to`` / ``200. The company …``: a line the wrapping
    began with a number and a period (or an ASCII dash) in the middle of a sentence, not a
    list item. A list's items follow one another; a list starts with 1. or after a line
    that ends its sentence (not after a month: ``March 1. The …`` is a date)."""
    if MARKDOWN_BLOCK_RE.match(previous) or LIST_ITEM_RE.match(previous):
        return False
    if LIST_NUMBER_RE.match(stripped) and MONTH_END_RE.search(previous, max(0, len(previous) - 12)):
        return True  # ``… until March`` / ``1. The final rules …``: a date the wrapping cut
    return (previous[-1:].isalnum() or previous.endswith(",")) and WRAPPED_LIST_MARKER_RE.match(
        stripped
    ) is not None


def _caption_cut_from(previous: str, stripped: str) -> bool:
    """``U.S. President Donald Trump and Chinese President Xi Jinping in Beijing`` / ``in
    November 2017. Photo: IC Photo``: a caption the wrapping cut, its credit on the next
    line. The line above is a full line that ends no sentence."""
    above = _plain(previous)
    if (
        SENTENCE_FINAL_RE.search(above)
        or _line_kind(above)
        or _byline_match(above)
        or _unslashed_byline_match(above)
    ):
        return False
    text = _plain(stripped)
    return ":" in text and _line_kind(text) is None and _caption(_Line(text)) is not None


def _starts_a_block(stripped: str) -> bool:
    """A line that never continues the line above it, even one filled to the width: a
    byline, a contact, related, full-story or caption line, a label (``More``, ``FINANCE``)
    or a list item; w3m and lynx put no blank line before a block that follows a <br>."""
    if LIST_ITEM_RE.match(stripped):
        return True
    text = _plain(stripped)
    kind = _line_kind(text)
    if kind is not None:
        # an upper-case word may be the end of a wrapped headline (``… Hong Kong`` / ``IPO``)
        # (a title-case one too: ``… growth in`` / ``China``)
        return kind not in ("label", "section_name") or _is_section_label(text)
    return _byline_match(text) is not None or (":" in text and _caption(_Line(text)) is not None)


def _markdown_paragraphs(raw: list[str]) -> list[str]:
    """Markdown's soft line breaks joined again: html2text wraps at 78 columns by default,
    inside link texts and even inside link addresses (after a hyphen). A block (heading,
    list item, image, quote) and a structural line start a line of their own; a line ending
    in two spaces is a hard break (``<br>``)."""
    out: list[str] = []
    joining = False
    for line in raw:
        stripped = line.strip()
        if not stripped:
            out.append("")
            joining = False
            continue
        quoted = QUOTE_MARK_RE.match(stripped)
        if quoted and quoted.end() == len(stripped):
            out.append("")  # an empty line of a quote: a paragraph ends
            joining = False
            continue
        if joining and quoted and out[-1].startswith(">"):
            stripped = stripped[quoted.end() :]  # the quote goes on: one paragraph
        if joining and (
            (not MARKDOWN_BLOCK_RE.match(stripped) and not _starts_a_block(stripped))
            or (line[:1] not in " \t" and _list_marker_cut_from(out[-1], stripped))
            or _caption_cut_from(out[-1], stripped)
        ):
            previous = out[-1]
            cut_word = previous.endswith("-") and previous[-2:-1].isalpha()  # sixth-|generation
            glue = "" if cut_word or _in_link_address(previous) else " "
            out[-1] = previous + glue + stripped
        else:
            out.append(stripped)
        current = out[-1]
        if line.endswith("  "):
            joining = False
        elif _in_link_address(current) or current.count("[") > current.count("]"):
            joining = True  # a link or a picture cut by the wrapping
        elif MARKDOWN_HEADING_RE.match(current):
            # a heading is one line, unless the wrapping cut it (html2text wraps headings
            # too, and puts a blank line under every heading it ends)
            joining = len(line.rstrip()) >= MARKDOWN_WRAP_WIDTH - WRAP_SLACK
        else:
            # under a picture (a line of its own): its caption; text glued after the
            # picture goes on as usual
            joining = not (
                current.startswith(("![", "[!["))
                and not EMPTY_LINK_RE.sub("", MARKDOWN_IMAGE_RE.sub("", current)).strip()
            )
    return out


def _in_link_address(text: str) -> bool:
    """``… [Caixin Global](https://www.caixinglobal.com/2021-01-19/boe-``: the line ends inside
    a link's address."""
    return text.rfind("](") > text.rfind(")")


def _markdown_line(raw: str) -> _Line | None:
    """A Markdown line as the page showed it: no #, >, bullets or emphasis marks, images
    dropped, ``[text](url)`` read as the link it was; a # line is a heading."""
    text = raw.strip()
    if MARKDOWN_RULE_RE.fullmatch(text):
        return None
    heading = MARKDOWN_HEADING_RE.match(text)
    if heading:
        text = text[heading.end() :]
    text = MARKDOWN_PREFIX_RE.sub("", text)
    if not heading:  # ``  * #### BOE Plans …``: a heading in a list item
        heading = MARKDOWN_HEADING_RE.match(text)
        if heading:
            text = text[heading.end() :]
    text = MARKDOWN_IMAGE_RE.sub("", text)
    links: list[tuple[str, str]] = []

    def link_text(match: re.Match[str]) -> str:
        label = MARKDOWN_EMPHASIS_RE.sub(r"\g<text>", match["text"])
        links.append((match["url"], _normalise(label)))
        return label

    text = MARKDOWN_LINK_RE.sub(link_text, text)
    text = _normalise(MARKDOWN_EMPHASIS_RE.sub(r"\g<text>", text))
    only = _IN_HEADING if heading else 0
    if links and len(links) == 1 and links[0][1] == text:
        only |= _IN_LINK
    emails = [e for url, _ in links if (e := _email_from_href(url))]
    return _Line(text, links, emails, only)


#: The context bit each element sets for the text inside it.
_TAG_CONTEXTS = {
    **dict.fromkeys(HEADING_TAGS, _IN_HEADING),
    **dict.fromkeys(BOLD_TAGS, _IN_BOLD),
    "figcaption": _IN_CAPTION,
    "figure": _IN_CAPTION,  # text inside a figure beside the image is its caption
}
#: Elements that end the line before them; block elements also end the line after them.
_BREAK_TAGS = BLOCK_TAGS | {"br"}
#: ``bytes.translate`` table turning the control characters lxml refuses into spaces (they
#: are ASCII, so the UTF-8 bytes can be mapped one for one: much faster than a regex).
_CONTROL_TO_SPACE = bytes(
    0x20 if (b < 0x20 and b not in (0x09, 0x0A, 0x0D)) or b == 0x7F else b for b in range(256)
)


# What the walk does at each tag, looked up once per tag (bits), with its context bits.
_DROP, _BREAK, _IMAGE, _CAPTION_TAG, _BASE, _ANCHOR, _BLOCK, _LEAF = 1, 2, 4, 8, 16, 32, 64, 128
_TIME = 256
#: Blocks that hold a line of text, not other blocks: their parent is the line's container.
LEAF_BLOCK_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "figcaption",
    "caption", "pre", "address", "summary", "legend",
})  # fmt: skip
_PLAIN_TAG = (0, 0)
_TAG_KINDS: dict[str, tuple[int, int]] = {}
for _tag in DROP_TAGS | _BREAK_TAGS | IMAGE_TAGS | _TAG_CONTEXTS.keys() | {"base", "a", "time"}:
    _TAG_KINDS[_tag] = (
        (_DROP if _tag in DROP_TAGS else 0)
        | (_BREAK if _tag in _BREAK_TAGS else 0)
        | (_IMAGE if _tag in IMAGE_TAGS else 0)
        | (_CAPTION_TAG if _tag == "figcaption" else 0)
        | (_BASE if _tag == "base" else 0)
        | (_ANCHOR if _tag == "a" else 0)
        | (_TIME if _tag == "time" else 0)
        | (_BLOCK if _tag in BLOCK_TAGS else 0)
        | (_LEAF if _tag in LEAF_BLOCK_TAGS else 0),
        _TAG_CONTEXTS.get(_tag, 0),
    )
del _tag


class _LineTarget:
    """lxml parser target: turns the parser's start/data/end events straight into lines.

    No tree is built and no element proxies are made, which is most of the cost of walking
    a tree from Python; nesting is tracked with a list, never with recursion, and libxml2
    reports elements at any depth to a target (a tree stops at 256 levels). The line being
    built lives in the target's own slots: this runs once per parser event, so every call
    and attribute lookup saved counts.
    """

    __slots__ = (
        "base_href",
        "blocks",
        "container",
        "contexts",
        "counter",
        "dropping",
        "emails",
        "has_text",
        "held",
        "href",
        "image",
        "invisible_entities",
        "last_link",
        "line_links",
        "lines",
        "missed",
        "open_links",
        "parts",
        "serial",
        "stack",
        "time_mark",
        "zone",
    )

    def __init__(self, *, invisible_entities: bool = True, zone: tzinfo | None = None) -> None:
        self.zone = zone
        self.time_mark: tuple[int, str] | None = None
        # Whether the page writes invisible characters as entities (&shy; &#8203; ...): the
        # raw ones were removed from the page before; without entities, no line has any.
        self.invisible_entities = invisible_entities
        self.lines: list[_Line] = []
        # The line being built: text chunks, links (href, text chunks), e-mails, and the
        # context bits that held some (``held``) and that missed some (``missed``) of its text.
        self.parts: list[str] = []
        self.line_links: list[tuple[str, list[str]]] = []
        self.emails: list[str] = []
        self.has_text = False
        self.held = self.missed = 0
        self.last_link = -1
        # Where the parser is: the context bits in force; per open element the bits before
        # it and whether it opened a link; the open <a href> elements, innermost last.
        self.contexts = 0
        self.stack: list[tuple[int, bool]] = []
        self.open_links: list[tuple[int, str]] = []
        self.serial = -1  # the innermost open link; the serial tells two links apart
        self.href: str | None = None
        self.counter = 0
        self.dropping = 0  # depth inside an invisible element (script, hidden, ...)
        self.base_href: str | None = None  # <base href>: what relative links resolve against
        # The open block elements (serial, is a leaf block), and the container of the line
        # being built (see _Line.container).
        self.blocks: list[tuple[int, bool]] = []
        self.container = -1
        # Where the last picture stands (see _NO_IMAGE): a short line right under a picture,
        # with a line break between them and no caption markup, is its caption.
        self.image = _NO_IMAGE

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        kind, tag_contexts = _TAG_KINDS.get(tag, _PLAIN_TAG)  # one lookup: this runs per tag
        if kind & _BASE and self.base_href is None and attrib.get("href"):
            self.base_href = attrib["href"].strip()
        if self.dropping:
            self.dropping += 1
            return
        class_bits = 0
        if attrib:
            classes = attrib.get("class")
            if classes:
                class_bits = _class_bits(classes)
            if class_bits & _HIDDEN_CLASS or _hidden(attrib):
                self.dropping = 1
                return
        if kind & _DROP:
            self.dropping = 1
            return
        if kind & _BREAK:
            if self.parts or self.emails:
                self._flush()
            if self.image == _IMAGE_SEEN:
                self.image = _IMAGE_ABOVE
            if kind & _CAPTION_TAG:
                self.image = _NO_IMAGE  # the picture has its caption, even an empty one
        elif kind & _IMAGE and not self.has_text:
            self.image = _IMAGE_SEEN  # (a picture inside running text is not one to caption)
        before = self.contexts
        contexts = before | tag_contexts
        opened = False
        if attrib:
            if class_bits & _HEADLINE_CLASS or attrib.get("role") == "heading":
                contexts |= _IN_HEADING
            if class_bits & _CAPTION_CLASS:
                contexts |= _IN_CAPTION
                self.image = _NO_IMAGE  # the picture has caption markup, even if empty
            if kind & _TIME and self.zone is not None:
                shown = _byline_time(attrib.get("datetime"), self.zone)
                if shown:
                    self.time_mark = (len(self.parts), shown)  # see end()
            cfemail = attrib.get("data-cfemail")
            if cfemail is not None:
                email = _decode_cfemail(cfemail)
                if email:
                    # Show the address where Cloudflare shows "[email protected]", and
                    # drop what it shows.
                    if email not in self.emails:
                        self.emails.append(email)
                    self._add(email, contexts)
                    self.dropping = 1
                    return
            if kind & _ANCHOR:
                href = attrib.get("href")
                if href is not None:
                    href = href.strip()
                    if href[:7].lower() == "mailto:" or "email-protection" in href:
                        email = _email_from_href(href)
                        if email and email not in self.emails:
                            self.emails.append(email)
                    self.counter += 1
                    self.serial, self.href = self.counter, href
                    self.open_links.append((self.counter, href))
                    opened = True
                    contexts |= _IN_LINK
        self.contexts = contexts
        if kind & _BLOCK:
            self.counter += 1
            self.blocks.append((self.counter, bool(kind & _LEAF)))
        self.stack.append((before, opened, bool(kind & _BLOCK)))

    def end(self, tag: str) -> None:
        if self.dropping:
            self.dropping -= 1
            return
        if not self.stack:
            return
        if self.time_mark is not None and tag == "time":
            self._show_exact_time(*self.time_mark)
        self.contexts, opened, block = self.stack.pop()
        if block and self.blocks:
            self.blocks.pop()
        if opened:
            links = self.open_links
            links.pop()
            self.serial, self.href = links[-1] if links else (-1, None)
        if tag in BLOCK_TAGS:
            if self.parts or self.emails:
                self._flush()
            if self.image == _IMAGE_SEEN:
                self.image = _IMAGE_ABOVE

    def data(self, text: str) -> None:
        # _add, inlined: this is the most frequent event.
        if self.dropping:
            return  # invisible
        if text.isspace():
            if self.has_text:
                self.parts.append(text)  # kept: the space between two inline elements
            return  # else indentation before a line's first word
        self.parts.append(text)
        if not self.has_text:
            blocks = self.blocks
            if blocks:
                leaf = blocks[-1][1] and len(blocks) > 1
                self.container = blocks[-2][0] if leaf else blocks[-1][0]
        self.has_text = True
        if self.image == _IMAGE_SEEN:
            self.image = _NO_IMAGE  # text beside the picture, in its line: not a caption
        contexts = self.contexts
        self.held |= contexts
        self.missed |= ~contexts & _ALL_CONTEXTS
        if self.href is not None:
            if self.last_link != self.serial:
                self.line_links.append((self.href, []))
                self.last_link = self.serial
            self.line_links[-1][1].append(text)

    def _show_exact_time(self, start: int, shown: str) -> None:
        """``<time datetime="2021-01-19T18:27+08:00">2 hours ago</time>``: the exact time, in
        the form every byline has, where the page shows a relative time or a date with its
        year in another format; a shown ``Jan 19, 2021`` (its time in the next element), a
        clock alone or a date in running text (``on Friday``, ``Feb 5``) stays."""
        self.time_mark = None
        if len(self.parts) < start:
            return  # (the line was cut inside the element: nothing to replace)
        inner = "".join(self.parts[start:])
        if not SHOWN_DATE_RE.search(inner) and OTHER_TIME_FORM_RE.search(inner):
            del self.parts[start:]
            self.parts.append(shown)
            if not self.has_text:
                self._add("", self.contexts)
            self.has_text = True

    def _add(self, text: str, contexts: int) -> None:
        self.parts.append(text)
        if text.isspace():
            return  # kept: the space between two inline elements separates words
        if not self.has_text and self.blocks:
            leaf = self.blocks[-1][1] and len(self.blocks) > 1
            self.container = self.blocks[-2][0] if leaf else self.blocks[-1][0]
        self.has_text = True
        self.held |= contexts
        self.missed |= ~contexts & _ALL_CONTEXTS
        if self.href is not None:
            if self.last_link != self.serial:
                self.line_links.append((self.href, []))
                self.last_link = self.serial
            self.line_links[-1][1].append(text)

    def _flush(self) -> None:
        text = ""
        if self.has_text:
            parts = self.parts
            text = parts[0] if len(parts) == 1 else "".join(parts)
            if self.invisible_entities and not text.isascii():
                text = _INVISIBLE_RE.sub("", text)
            text = " ".join(text.split())
        if text:
            links: list[tuple[str, str]] = []
            if self.line_links:  # (most lines hold no link)
                links = [(h, "".join(c)) for h, c in self.line_links]
                if self.invisible_entities:
                    links = [(h, _INVISIBLE_RE.sub("", label)) for h, label in links]
                links = [(h, " ".join(label.split())) for h, label in links]
            only = self.held & ~self.missed
            if self.image == _IMAGE_ABOVE:
                only |= _AFTER_IMAGE
            self.image = _NO_IMAGE
            self.lines.append(_Line(text, links, self.emails, only, self.container))
            self.emails = []
        elif self.emails and self.lines:
            # An e-mail link with no text (the capture's dangling "(") belongs to the line
            # it trailed.
            previous = self.lines[-1].emails
            previous.extend(e for e in self.emails if e not in previous)
            self.emails = []
        self.line_links = []
        self.has_text = False
        self.held = self.missed = 0
        self.last_link = -1
        self.parts = []

    def close(self) -> list[_Line]:
        self._flush()
        return self.lines


def _html_lines(text: str, zone: tzinfo | None = None) -> tuple[list[_Line], str | None]:
    """The page's visible lines, and its ``<base href>`` if it has one. ``<time>`` elements
    with an exact ``datetime`` read as a byline's date in ``zone``."""
    data = XML_DECLARATION_RE.sub("", text, count=1).encode("utf-8", errors="replace")
    target = _LineTarget(invisible_entities=INVISIBLE_ENTITY_RE.search(text) is not None, zone=zone)
    parser = etree.HTMLParser(target=target, encoding="utf-8", no_network=True)
    try:
        lines: list[_Line] = etree.fromstring(data.translate(_CONTROL_TO_SPACE), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        lines = target.close()  # whatever was read before the parser gave up
    return lines or [], target.base_href


def _byline_time(value: str | None, zone: tzinfo) -> str | None:
    """``2021-01-19T10:27:00Z`` -> ``Jan 19, 2021 06:27 PM`` (in ``zone``, Beijing time for
    CX pages); None for a date without a time, or no date."""
    if not value or ("T" not in value.upper() and " " not in value.strip()):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    moment = moment.astimezone(zone) if moment.tzinfo else moment
    # (month names spelled here: strftime's %b follows the process's locale)
    month = _MONTH_ABBREVIATIONS[moment.month - 1]
    return f"{month} {moment:%d, %Y %I:%M} {'AM' if moment.hour < 12 else 'PM'}"


def _base_url(page_url: str, base_href: str | None) -> str:
    """What a browser resolves the page's links against: ``<base href>`` when it names a web
    address (a page saved with "Save as" keeps the site's), else the page's own URL."""
    if not base_href:
        return page_url
    try:
        base = urljoin(page_url, base_href)
    except ValueError:
        return page_url
    return base if base.lower().startswith(("http://", "https://")) else page_url


_HIDDEN_CLASS, _HEADLINE_CLASS, _CAPTION_CLASS = 1, 2, 4


@lru_cache(maxsize=1024)
def _class_bits(classes: str) -> int:
    """What a class attribute says: hidden, a headline, a caption (bits above). Cached: a
    page repeats the same few class attributes on every brief."""
    tokens = classes.split()
    bits = 0
    lowered = [token.lower() for token in tokens]
    # "d-none d-md-block": hidden on phones only, shown on a desktop (what a capture shows)
    if not HIDDEN_CLASSES.isdisjoint(lowered) and not any(
        RESPONSIVE_SHOW_CLASS_RE.fullmatch(token) for token in lowered
    ):
        bits |= _HIDDEN_CLASS
    if any(HEADLINE_CLASS_RE.search(token) for token in tokens):
        bits |= _HEADLINE_CLASS
    if any(CAPTION_CLASS_RE.search(token) for token in tokens):
        bits |= _CAPTION_CLASS
    return bits


def _hidden(attrib: dict[str, str]) -> bool:
    """The ``hidden`` attribute or an inline style that hides (classes: _class_bits)."""
    if "hidden" in attrib:
        return True
    style = attrib.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _email_from_href(href: str) -> str | None:
    """The address of a ``mailto:`` or Cloudflare e-mail-protection link, else None."""
    if href[:7].lower() == "mailto:":
        email = unquote(href[7:].split("?", 1)[0]).strip()
        return email if EMAIL_RE.fullmatch(email) else None
    match = CF_EMAIL_HREF_RE.search(href) if "email-protection" in href else None
    return _decode_cfemail(match.group(1)) if match else None


def _decode_cfemail(encoded: str) -> str | None:
    """Cloudflare's e-mail obfuscation: the first byte is the key, XOR it into the rest."""
    try:
        data = bytes.fromhex(encoded.strip())
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    email = bytes(byte ^ key for byte in data[1:]).decode("utf-8", errors="replace")
    return email if EMAIL_RE.fullmatch(email) else None


# --------------------------------------------------------------------------------------------
# The state machine over lines
# --------------------------------------------------------------------------------------------

#: Where a brief's reading is: its body; its contact, related and full-story lines; running
#: text after those (see _read_brief); a footer, sidebar or promo (the rest is not the brief's).
_BODY, _TAIL, _RESUMED, _FOOTER = "body", "tail", "resumed", "footer"


@dataclass(slots=True)
class _Draft:
    """A brief while its lines are being read."""

    byline: str
    match: re.Match[str]
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    full_story_url: str | None = None
    headline: str | None = None


class _Segmenter:
    """Cuts lines at bylines and sorts each brief's lines (one pass per brief)."""

    def __init__(self, lines: list[_Line], *, page_url: str, zone: tzinfo) -> None:
        self.lines = _join_split_bylines(lines)
        self.page_url = page_url
        self.zone = zone
        self.cards = False

    def run(self) -> ParseResult:
        lines = self.lines
        bylines = [(i, m) for i, line in enumerate(lines) if (m := _byline_match(line.text))]
        if not bylines:
            # a redesign's bylines with bars or dots for slashes, or slashes a stylesheet
            # draws: read only when the page has no slashed byline at all
            bylines = [
                (i, m) for i, line in enumerate(lines) if (m := _unslashed_byline_match(line.text))
            ]
        if not bylines:
            raise LayoutChanged(
                "no briefs found: the page has no byline lines "
                "(AUTHORS / Mon DD, YYYY HH:MM AM / SECTION)"
            )
        # Cards: each brief in an element of its own (no two bylines share a container), so
        # a line's container tells which brief it belongs to.
        containers = [lines[i].container for i, _ in bylines]
        self.cards = (
            len(containers) > 1 and -1 not in containers and len(set(containers)) == len(containers)
        )
        headline_at = self._own_headlines([i for i, _ in bylines])
        # where each brief starts: its own headline, or its byline
        starts = [headline_at[i][0] if i in headline_at else i for i, _ in bylines]
        listed = self._headline_list(lines[: starts[0]], len(bylines))
        drafts: list[_Draft] = []
        carried: list[str] = []
        for k, (start, match) in enumerate(bylines):
            end = starts[k + 1] if k + 1 < len(bylines) else len(lines)
            draft = _Draft(byline=match.string, match=match, captions=carried)
            if start in headline_at:
                at, draft.headline = headline_at[start]
                # a picture between the headline and the byline (a card's top)
                for line in lines[at + 1 : start]:
                    caption = _caption(line)
                    if caption is None:
                        caption = line.text  # (shown twice, or once under the headline)
                    if caption and caption not in draft.captions:
                        draft.captions.append(caption)
            # The next brief's own headline, above its byline, is not part of this one.
            body = lines[start + 1 : end]
            if draft.headline is None and body and _headline_below_byline(body[0]):
                draft.headline, body = body[0].text, body[1:]
            last = k + 1 == len(bylines)
            carried = self._read_brief(draft, body, last=last)
            drafts.append(draft)
        if listed is not None:
            _headlines_from_list(drafts, *listed)
        return self._finish(drafts)

    # ---- headlines -------------------------------------------------------------------------

    def _own_headlines(self, byline_indices: list[int]) -> dict[int, tuple[int, str]]:
        """Byline index -> (line index, text) of the brief's own headline above its byline.

        A heading element (h1-h6, a headline class or role) right above a byline is that
        brief's headline. A link-only, bold-only or title-case line there is one only when
        nearly every byline has one: otherwise it is the previous brief's unprefixed related
        link. Captions may stand between headline and byline (a card's picture).
        """
        strong: dict[int, tuple[int, str]] = {}
        weak: dict[int, tuple[int, str]] = {}
        previous = -1
        for index in byline_indices:
            j = index - 1
            while j > previous + 1 and index - j < 5:
                if _caption(self.lines[j]) is not None:
                    j -= 1
                elif j - 1 > previous + 1 and self.lines[j].text == self.lines[j - 1].text:
                    j -= 2  # a caption known by being shown twice
                elif (
                    j == index - 1
                    and not self.lines[j].is_heading  # (the usual card: a heading above)
                    and _reads_like_lone_caption(self.lines[j].text)
                    and _reads_like_headline(self.lines[j - 1].text)
                ):
                    j -= 1  # a caption shown once, under a headline
                else:
                    break
            if j > previous and _headline_candidate(self.lines[j]):
                line = self.lines[j]
                if line.is_heading:
                    strong[index] = (j, LIST_NUMBER_RE.sub("", line.text))
                elif (
                    line.is_link_or_bold
                    and not _ends_with_full_stop(line.text)
                    and len(line.text.split()) >= HEADLINE_MIN_WORDS
                ) or _reads_like_headline(line.text):
                    # (a text capture shows a plain line; an <ol> of cards, its number)
                    weak[index] = (j, LIST_NUMBER_RE.sub("", line.text))
            previous = index
        found = dict(strong)
        if len(strong) + len(weak) >= max(2, 0.8 * len(byline_indices)):
            found.update(self._headlines_of_briefs_below(byline_indices, weak))
        first = byline_indices[0]
        if len(byline_indices) > 1 and found.keys() == {first}:
            # Only the top brief "has" one: that is chrome or the end of a headline list.
            found.clear()
        return found

    def _headlines_of_briefs_below(
        self, byline_indices: list[int], weak: dict[int, tuple[int, str]]
    ) -> dict[int, tuple[int, str]]:
        """The weak candidates that are headlines: those that speak of the brief below them
        rather than of the brief above (its related links, shown without their
        ``Related:`` prefix). A headline shares words with its brief's opening, a related
        link with the body it ends. The page as a whole decides, by a count of the
        candidates leaning each way; then a candidate that shares at most a word with the
        brief below and three or more with the one above stays a related link."""
        below = above = 0
        aside: set[int] = set()
        for k, index in enumerate(byline_indices):
            if index not in weak or k == 0:
                continue  # (the top brief has nothing above it but the page's chrome)
            at, title = weak[index]
            words = _content_words(title)
            end = byline_indices[k + 1] if k + 1 < len(byline_indices) else len(self.lines)
            # the opening paragraphs, past a picture's captions and a Trending sub-heading
            opening = [
                ln.text
                for ln in self.lines[index + 1 : min(end, index + 9)]
                if _caption(ln) is None and not SUBHEADING_RE.match(ln.text)
            ][:2]
            ending = [ln.text for ln in self.lines[max(byline_indices[k - 1] + 1, at - 6) : at]]
            shared_below = len(words & _content_words(" ".join(opening)))
            shared_above = len(words & _content_words(" ".join(ending)))
            below += shared_below > shared_above
            above += shared_above > max(shared_below, 1)  # (one word in common is chance)
            if shared_below <= 1 and shared_above >= 3:
                aside.add(index)
        if above > below:
            return {}
        return {index: found for index, found in weak.items() if index not in aside}

    def _headline_list(self, prelude: list[_Line], count: int) -> tuple[list[str], bool] | None:
        """A list of headlines above the first brief, in page order, and whether it has one
        per brief (see _headlines_from_list). Links in a box headed ``Most Popular`` (and
        the like) are other stories, never this list."""
        boxed: set[int] = set()  # ids of the lines of such boxes
        in_box = False
        for line in prelude:
            if _line_kind(line.text) == "aside":
                in_box = True
            elif in_box and _headline_candidate(line):
                boxed.add(id(line))
            else:
                in_box = False
        if boxed:
            prelude = [ln for ln in prelude if id(ln) not in boxed]
        runs: list[list[_Line]] = []
        for i in range(len(prelude) - 1, -1, -1):
            if HEADLINE_LIST_MARKER_RE.match(prelude[i].text):
                runs.append([ln for ln in prelude[i + 1 :] if _headline_candidate(ln)])
                break
        runs.extend(_runs(prelude, lambda ln: ln.is_link_or_bold and _headline_candidate(ln)))
        tail: list[_Line] = []
        for line in reversed(prelude):
            if not tail and CHROME_LINE_RE.match(line.text):
                continue  # the "CX Live is ..." blurb between the list and the first brief
            if not _headline_candidate(line) or _looks_like_sentence(line.text):
                break
            tail.append(line)
        runs.append(tail[::-1])
        lists = [
            titles
            for titles in (
                [HEADLINE_TIME_RE.sub("", LIST_NUMBER_RE.sub("", ln.text)) for ln in run]
                for run in runs
            )
            if titles and _reads_like_headlines(titles)
        ]
        for titles in lists:
            if len(titles) == count:
                return titles, True
        # Captures of /live/ show 19-24 headlines for 20 briefs: matched by their words.
        for titles in lists:
            if len(titles) >= 3 and abs(len(titles) - count) <= max(5, count // 4):
                return titles, False
        return None

    # ---- one brief ---------------------------------------------------------------------------

    def _read_brief(self, draft: _Draft, lines: list[_Line], *, last: bool) -> list[str]:
        """Sort the brief's lines into its fields. Returns the captions that belong to the
        next brief: images shown after this brief's contact and related lines and before the
        next brief's headline (a card that starts with its picture)."""
        state = _BODY
        pending: list[str] = []  # captions after the tail, kept if more of this brief follows
        # Running text after the tail: the brief's if its tail resumes later (a Related line
        # in the middle of the body); else a footer's or a promo box's, and dropped.
        resumed: list[str] = []  # ("What’s the story?" after a Related line always resumes)
        guessed: list[str] = []  # captions known only by standing under a picture
        body_container = -1  # where the first paragraph sits (see _Line.container)
        # The last paragraphs, when they read like headlines: unprefixed related links if
        # the brief's tail follows them
        titled: list[_Line] = []

        def take_titled() -> None:
            keep = len(draft.paragraphs) - len(titled)
            if titled and keep >= 1:
                del draft.paragraphs[keep:]
                draft.related.extend(RelatedLink(ln.text, self._first_url(ln)) for ln in titled)
            titled.clear()

        def keep_pending() -> None:
            for caption in pending:
                if caption not in draft.captions:
                    draft.captions.append(caption)
            pending.clear()
            draft.paragraphs.extend(resumed)
            resumed.clear()

        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            text = line.text
            i += 1
            kind_match = _LINE_KIND_RE.match(text)  # (_line_kind, inlined: once per line)
            if (
                kind_match is None
                and state == _BODY
                and len(text) > PARAGRAPH_MIN_LEN
                and not line.only & _IN_CAPTION
                and (i == n or lines[i].text[-8:] != text[-8:])
                and "irror" not in text
            ):
                # The usual line: a paragraph too long for a caption, junk, a widget or a
                # title, not shown twice. (The tests below would all say so, at ten times
                # the cost.)
                if not draft.paragraphs:
                    body_container = line.container
                draft.paragraphs.append(text)
                titled.clear()
                continue
            kind = (
                kind_match.lastgroup
                if kind_match
                else (_line_kind(text) if len(text) <= RIGHTS_RESERVED_MAX_LEN else None)
            )
            if kind is None and line.links and text[:8].lower() == "related ":
                rest = text[8:].strip()
                title = next((t for _, t in line.links if t), "")
                after = rest[len(title) :].strip(" |·•-–—()")
                if (
                    title
                    and rest.startswith(title)
                    and (not after or SHOWN_DATE_RE.fullmatch(after))
                ):
                    # ``Related`` as a badge before the link, its colon drawn by CSS or none
                    # (a date may follow the link)
                    text, kind = f"Related: {title}", "related"
            if titled and kind in _TAIL_KINDS and state == _BODY:
                take_titled()
            if kind == "contact":
                keep_pending()
                draft.contacts.extend(_contacts(line))
                state = _TAIL if state in (_BODY, _RESUMED) else state
                continue
            if kind == "related":
                keep_pending()
                title = text[text.index(":") + 1 :].strip()  # RELATED_RE's "title" group
                if title:
                    draft.related.append(RelatedLink(title, self._first_url(line)))
                state = _TAIL if state in (_BODY, _RESUMED) else state
                continue
            if kind == "full_story":
                keep_pending()
                draft.full_story_url = draft.full_story_url or self._first_url(line)
                state = _TAIL if state in (_BODY, _RESUMED) else state
                continue
            if state == _FOOTER:
                continue
            if kind == "page_end" or (kind in ("aside", "list_marker") and state != _BODY):
                # the footer, or a sidebar, promo box or headline list after the brief's tail
                if state == _RESUMED and SUBHEADING_RE.match(resumed[0]):
                    keep_pending()
                state = _FOOTER
                continue
            if kind == "related_heading":
                state = _TAIL
                continue
            if kind in ("aside", "list_marker"):
                continue
            if (
                kind in ("label", "section_name")
                and state == _BODY
                and draft.paragraphs
                and self._in_body_flow(text, kind, lines, i)
            ):
                draft.paragraphs.append(text)
                titled.clear()
                continue
            if (kind in _CHROME_KINDS or _is_junk(text)) and not (
                kind == "label" and line.is_caption_markup
            ):
                continue  # (``<figcaption>VCG</figcaption>``: a credit, its label drawn by CSS)
            caption = _caption(line)
            if caption is None and i < n:
                # a line shown twice in a row is an image caption, even with a mirror's junk
                # glued to the front of one copy
                following = lines[i].text
                if following == text:
                    caption = _without_glued_junk(text)
                elif following[-8:] == text[-8:]:  # (the cheap test first: a shared ending)
                    if _glued_junk(following, text):
                        caption = _without_glued_junk(text)
                    elif _glued_junk(text, following):
                        caption = following
                elif (
                    i + 2 < n
                    and lines[i + 1].text == text
                    and lines[i + 2].text == following
                    and len(text) <= CAPTION_UNDER_IMAGE_MAX_LEN
                    and _caption(lines[i]) == following
                ):
                    # ``… in New York.`` / ``Photo: VCG``, shown twice: a description whose
                    # credit the wrapping (or a <br>) put on a line of its own
                    caption = f"{text} {following}"
                    i += 3
            if caption is not None:
                while i < n and (
                    lines[i].text in (text, caption)
                    or _caption(lines[i]) == caption
                    or _glued_junk(lines[i].text, caption)
                ):
                    i += 1  # the repeat of the same caption
                if caption and caption not in draft.captions:
                    (draft.captions if state == _BODY else pending).append(caption)
                    if line.only & _AFTER_IMAGE and _caption(_Line(text)) is None:
                        guessed.append(caption)
                continue
            if state == _TAIL:
                if _looks_like_body_text(text) or SUBHEADING_RE.match(text):
                    if self.cards and line.container == body_container != -1:
                        # in the card of the brief's body, after its Related line: body
                        keep_pending()
                        draft.paragraphs.append(text)
                        state = _BODY
                    else:
                        resumed.append(text)
                        state = _RESUMED
                elif (
                    (line.links and self._first_url(line)) or _looks_like_title(text)
                ) and not STAFF_CREDIT_RE.match(text):
                    keep_pending()
                    draft.related.append(RelatedLink(text, self._first_url(line)))
                continue
            if state == _BODY:
                if not draft.paragraphs:
                    body_container = line.container
                draft.paragraphs.append(text)
                if _reads_like_related_title(line):
                    titled.append(line)
                else:
                    titled.clear()
            else:
                resumed.append(text)
        if titled and not last and state == _BODY:
            take_titled()  # the brief ends with them, before the next byline
        if state == _RESUMED and (
            SUBHEADING_RE.match(resumed[0])
            or (
                not last
                and not self.cards  # (a card tells by its container: see the _TAIL state)
                and all(_looks_like_body_text(t) and not PROMO_RE.search(t) for t in resumed)
            )
        ):
            # the body went on after a Related line in its middle, up to the next brief
            keep_pending()
        if not draft.paragraphs:
            draft.paragraphs.extend(resumed)  # all the body came after a contact line
        if not draft.paragraphs and guessed and guessed[0] in draft.captions:
            # a brief is never all caption: the line under its picture was its lead
            draft.captions.remove(guessed[0])
            draft.paragraphs.append(guessed[0])
        if last:
            draft.captions.extend(c for c in pending if c not in draft.captions)
            pending.clear()
        return pending

    @staticmethod
    def _in_body_flow(text: str, kind: str, lines: list[_Line], after: int) -> bool:
        """``5G`` / ``AI`` / ``China`` / ``Finance`` between a brief's paragraphs: an item of
        a list or a sub-heading, not a menu or section tag. A title-case name is one when the
        body goes on after it (a section tag ends a brief); an upper-case word (``US``) only
        as an acronym or next to other short items of a list."""
        if kind == "section_name" or (len(text.split()) >= 2 and not _is_section_label(text)):
            # (``WHY IT MATTERS``: an upper-case sub-heading, never a section label)
            return any(
                _looks_like_body_text(ln.text) and _line_kind(ln.text) is None
                for ln in lines[after:]
            )
        if _is_acronym(text):
            return True
        neighbours = [lines[k].text for k in (after - 2, after) if 0 <= k < len(lines)]
        return any(
            len(t.split()) <= 4
            and SENTENCE_FINAL_RE.search(t) is None
            and _line_kind(t) in (None, "label", "section_name")
            for t in neighbours
        )

    def _first_url(self, line: _Line) -> str | None:
        for href, _text in line.links:
            url = _absolute(href, self.page_url)
            if url:
                return url
        return None

    # ---- finishing -------------------------------------------------------------------------

    def _finish(self, drafts: list[_Draft]) -> ParseResult:
        briefs: list[Brief] = []
        warnings: list[str] = []
        for draft in _without_copies(drafts):
            match = draft.match
            naive = _byline_date(match.group("date"))
            if naive is None:
                warnings.append(
                    f"skipped the brief with byline {draft.byline!r}: "
                    f"its date {match.group('date')!r} is not a real date"
                )
                continue
            authors = _authors(match.group("authors"))
            section = _section(match.group("section"))
            title_source: TitleSource = "headline"
            title = draft.headline
            if not title:
                title_source = "derived"
                title = _derive_title(draft.paragraphs, section, authors)
            briefs.append(
                Brief(
                    title=title,
                    title_source=title_source,
                    authors=authors,
                    published_at=naive.replace(tzinfo=self.zone),
                    section=section,
                    paragraphs=tuple(draft.paragraphs),
                    captions=tuple(draft.captions),
                    contacts=tuple(draft.contacts),
                    related=tuple(draft.related),
                    full_story_url=draft.full_story_url,
                    position=len(briefs),
                    byline=draft.byline,
                )
            )
        if not briefs:
            raise LayoutChanged(
                f"no briefs found: all {len(drafts)} byline lines had unreadable dates "
                f"(first: {drafts[0].byline!r})"
            )
        return ParseResult(briefs=tuple(briefs), warnings=tuple(warnings))


def _reads_like_headlines(titles: list[str]) -> bool:
    """A menu (Home / World / Economy) can have as many entries as the page has briefs;
    headlines are hardly ever one or two words (``Douyin Fined``): one such in a list of
    three or more, or a fifth of a long list, may be."""
    short = sum(len(title.split()) < HEADLINE_MIN_WORDS for title in titles)
    return short <= max(1 if len(titles) >= 3 else 0, int(HEADLINE_LIST_SHORT_SHARE * len(titles)))


def _headlines_from_list(drafts: list[_Draft], headlines: list[str], one_each: bool) -> None:
    """Give briefs without a headline of their own their headlines from the page's list.

    The list and the briefs are both in page order, but the list may hold headlines of
    briefs not loaded yet, repeat a title or miss one, or be another box of links
    altogether (Most Popular): headlines go to the briefs whose opening shares their words
    (:func:`_aligned`). A list with one headline per brief whose every word-match is in
    its own place gives each brief the headline in its place, matched or not.
    """
    pairs = _aligned(drafts, headlines)
    if one_each and len(pairs) * 2 >= len(drafts) and all(h == d for h, d in pairs):
        pairs = [(k, k) for k in range(len(drafts))]
    for h, d in pairs:
        if drafts[d].headline is None:
            drafts[d].headline = headlines[h]


def _aligned(drafts: list[_Draft], headlines: list[str]) -> list[tuple[int, int]]:
    """The best order-keeping pairing of headlines with briefs by shared words (dynamic
    programming over headlines x briefs); a pair needs half the headline's words in the
    brief's opening paragraphs. Briefs with a headline of their own take no part."""
    words = [_content_words(title) for title in headlines]
    texts = [set() if d.headline else _content_words(" ".join(d.paragraphs[:2])) for d in drafts]
    rows, cols = len(headlines), len(drafts)

    def pair(h: int, d: int) -> float:
        shared = len(words[h] & texts[d])
        share = shared / len(words[h]) if words[h] and shared >= 2 else 0.0
        return share if share >= HEADLINE_MATCH_SHARE else 0.0

    score = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for h in range(rows - 1, -1, -1):
        for d in range(cols - 1, -1, -1):
            best = max(score[h + 1][d], score[h][d + 1])
            matched = pair(h, d)
            if matched:
                best = max(best, matched + score[h + 1][d + 1])
            score[h][d] = best
    pairs = []
    h = d = 0
    while h < rows and d < cols:
        matched = pair(h, d)
        if matched and score[h][d] == matched + score[h + 1][d + 1]:
            pairs.append((h, d))
            h, d = h + 1, d + 1
        elif score[h][d] == score[h + 1][d]:
            h += 1
        else:
            d += 1
    return pairs


def _content_words(text: str) -> set[str]:
    """The words that carry meaning, folded and with a plural or possessive "s" dropped."""
    found = set()
    for word in _CONTENT_WORD_RE.findall(text.casefold().replace("’", "'")):
        if word in _STOP_WORDS:
            continue
        if word.endswith("'s"):
            word = word[:-2]
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.add(word)
    return found


def _without_copies(drafts: list[_Draft]) -> list[_Draft]:
    """One draft per brief: a page that holds each brief twice (a phone and a desktop copy,
    one hidden by a stylesheet the parser does not read) keeps the fuller copy, in the
    place of the first. A copy has the same byline and the same paragraphs, or the first
    ones of them (a shortened phone copy); two briefs by one reporter in one minute that
    open alike (``What’s trending?``) are not copies."""
    kept: list[_Draft] = []
    by_byline: dict[str, list[int]] = {}
    for draft in drafts:
        same_byline = by_byline.setdefault(draft.match.string.casefold(), [])
        for at in same_byline:
            if _is_copy(kept[at], draft):
                if _draft_size(draft) > _draft_size(kept[at]):
                    kept[at] = draft
                break
        else:
            same_byline.append(len(kept))
            kept.append(draft)
    return kept


def _is_copy(one: _Draft, other: _Draft) -> bool:
    shorter, longer = sorted((one.paragraphs, other.paragraphs), key=len)
    return longer[: len(shorter)] == shorter and (bool(shorter) or not longer)


def _draft_size(draft: _Draft) -> int:
    return sum(map(len, draft.paragraphs)) + len(draft.related) + len(draft.contacts)


# --------------------------------------------------------------------------------------------
# Line helpers
# --------------------------------------------------------------------------------------------


_SEPARATORS = frozenset("/|·•")


def _join_split_bylines(lines: list[_Line]) -> list[_Line]:
    """Join a byline the markup split over two or three block lines (``Ding Yi`` / ``/ Jan
    19, 2021 06:27 PM /`` / ``Business & Tech``) into one line."""
    out: list[_Line] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        text = line.text
        first = text[:1]
        if out and (first in _SEPARATORS or (first in "Pp" and PUBLISHED_PREFIX_RE.match(text))):
            rest = PUBLISHED_PREFIX_RE.sub("", text)
            if _author_block_of(out[-1], rest):
                # ``<address><a href="/author/…">Ding Yi</a></address> / Jan 19, … / …`` or
                # ``<div>By Ding Yi</div><div>Published Jan 19, … · Business & Tech</div>``
                block = out[-1]
                out[-1] = _Line(
                    f"{block.text} {rest}", [*block.links, *line.links],
                    [*block.emails, *line.emails], line.only, line.container,
                )  # fmt: skip
                i += 1
                continue
        if (
            len(text) <= 100
            and ":" in text  # the cheap test first: every byline date has one
            and BYLINE_DATE_RE.search(text)
            and not _is_byline(text)
        ):
            joined = _try_join(out, lines, i)
            if joined is not None:
                back, used, merged = joined
                del out[len(out) - back :]
                out.append(merged)
                i += used
                continue
        out.append(line)
        i += 1
    return out


def _author_block_of(block: _Line, byline: str) -> bool:
    """Whether ``block`` is the author part of a byline that starts with its slash (or bar):
    a block of its own (``<address>``, a ``<div>``) right above, naming authors with ``By``
    or linking to their author pages. (An author-less byline follows the previous brief's
    last line, which is neither.)"""
    joined = f"{block.text} {byline}"
    return (
        _reads_like_authors(block.text)
        and (
            block.text[:3].lower() == "by "
            or any("/author" in href.lower() for href, _ in block.links)
        )
        and (_is_byline(joined) or _unslashed_byline_match(joined) is not None)
    )


def _try_join(done: list[_Line], lines: list[_Line], i: int) -> tuple[int, int, _Line] | None:
    # (lines taken back from `done`, lines used from i on, the joined line). The line before
    # the date is taken only when it reads like the author part, so that the previous
    # brief's last line is never swallowed.
    for back, used in ((1, 2), (1, 1), (0, 2)):
        if back > len(done) or i + used > len(lines):
            continue
        if back and (
            done[-1].is_heading  # the brief's headline, right above a byline without authors
            or not (done[-1].text.endswith("/") or _reads_like_authors(done[-1].text))
        ):
            continue
        parts = [*done[len(done) - back :], *lines[i : i + used]]
        if any(len(p.text) > 100 for p in parts):
            continue
        text = " ".join(p.text for p in parts)
        if _is_byline(text):
            return back, used, _Line(text)
        # Blocks with no "/" between them (<td>Ding Yi</td><td>Jan 19, …</td>, or an author
        # block above "Jan 19, 2021 06:27 PM / Business & Tech"): the slash goes in between.
        text = _glued(p.text for p in parts)
        if _is_byline(text):
            return back, used, _Line(text)
    # "Jan 19, 2021 06:27 PM / Business & Tech" with no author block at all
    text = lines[i].text
    if BYLINE_DATE_RE.match(text):
        if _is_byline("/ " + text):
            return 0, 1, _Line("/ " + text)
        # ... or an empty author block, then the date and the section in blocks of their own
        if i + 1 < len(lines) and SPLIT_BYLINE_SECTION_RE.match(lines[i + 1].text):
            joined = _glued(("/", text, lines[i + 1].text))
            if _is_byline(joined):
                return 0, 2, _Line(joined)
    return None


def _glued(parts: Iterable[str]) -> str:
    text = ""
    for part in parts:
        if text and not (text.endswith("/") or part.startswith("/")):
            text += " /"
        text = f"{text} {part}" if text else part
    return text


def _is_section_label(text: str) -> bool:
    return SECTION_LABEL_WORDS.issuperset(text.replace("&", " ").split())


def _reads_like_authors(text: str) -> bool:
    """``By Ding Yi`` / ``Qian Tong, Yuan Ruiyang and Han Wei``; not a title-case headline
    (a name is at most three words), nor a section label (``FINANCE``) between briefs."""
    if not SPLIT_BYLINE_AUTHORS_RE.match(text):
        return False
    if (text.isupper() and _is_section_label(text)) or SECTION_NAME_RE.match(text):
        return False
    if text[:3].lower() == "by ":
        return True
    names = _authors(text)
    return 0 < len(names) <= 6 and all(len(name.split()) <= 3 for name in names)


def _with_ascii_punctuation(lines: list[_Line], page_text: str) -> list[_Line]:
    # one scan of the page for the characters, rather than one per line
    if not any(char in page_text for char in _FULLWIDTH_CHARS):
        return lines
    return [_ascii_punctuation(line) for line in lines]


def _ascii_punctuation(line: _Line) -> _Line:
    """The line with full-width colons, brackets and slashes read as ASCII, when that makes
    it a byline, caption, contact, related or other structural line (body text keeps its
    punctuation)."""
    text = line.text
    if len(text) > SHORT_LINE_MAX_LEN or _FULLWIDTH_CHARS.isdisjoint(text):
        return line
    # a full-width colon carries its own spacing: "Photo：VCG" reads "Photo: VCG"
    ascii_text = _normalise(_FULLWIDTH_COLON_RE.sub(": ", text).translate(_FULLWIDTH))
    colon = ascii_text.rfind(":")
    if (
        _line_kind(ascii_text)
        or BYLINE_DATE_RE.search(ascii_text)
        or (colon > 0 and CAPTION_CREDIT_WORD_RE.search(ascii_text, max(0, colon - 40), colon))
    ):
        return _Line(ascii_text, line.links, line.emails, line.only)
    return line  # body text quoting Chinese keeps its punctuation


def _headline_below_byline(line: _Line) -> bool:
    """A heading element right under a byline is the brief's headline (cards that put the
    byline on top), unless it is a sub-heading such as ``What’s trending?``."""
    text = line.text
    return (
        line.is_heading
        and _headline_candidate(line)
        and len(text.split()) >= 2
        and not text.endswith(("?", ":"))
        and SUBHEADING_RE.match(text) is None
        and not _looks_like_sentence(text)
    )


def _looks_like_body_text(text: str) -> bool:
    """A sentence or more of running text, never a headline."""
    if len(text) > 150:
        return True
    return (
        len(text.split()) >= 8
        and SENTENCE_FINAL_RE.search(text) is not None
        and not _looks_like_title(text)
    )


def _runs(lines: Iterable[_Line], keep: Callable[[_Line], bool]) -> list[list[_Line]]:
    """Maximal runs of consecutive lines that ``keep`` accepts, the last run first."""
    runs: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        if keep(line):
            current.append(line)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs[::-1]  # the run closest to the first brief wins


def _headline_candidate(line: _Line) -> bool:
    text = line.text
    return (
        len(text) <= SHORT_LINE_MAX_LEN
        and not _is_byline(text)
        and not (len(text) <= 80 and ":" in text and BYLINE_DATE_RE.search(text))  # a time
        and not _line_kind(text)  # contact, related, ..., chrome or list marker
        and not _is_junk(text)
        and _caption(line) is None
    )


def _byline_match(text: str) -> re.Match[str] | None:
    if len(text) > BYLINE_MAX_LEN or "/" not in text:
        return None  # the cheap test first: most lines are long paragraphs without "/"
    match = BYLINE_RE.match(text)
    if match is None and ":" in text:
        # widgets after the section: read the byline without them
        bare = BYLINE_WIDGET_TAIL_RE.sub("", text)
        if bare != text and BYLINE_DATE_RE.search(bare):
            match = BYLINE_RE.match(bare)
    if match is not None and not HALF_DAY_RE.search(match["date"]):
        # a 24-hour clock: only with a section of the family's (a table row of times and
        # places, its cells joined, is no byline)
        return match if SECTION_OF_FAMILY_RE.match(match["section"]) else None
    return match


@lru_cache(maxsize=1024)
def _unslashed_byline_match(text: str) -> re.Match[str] | None:
    """A byline without its slashes (see UNSLASHED_BYLINE_RE), as the slashed line it shows.
    Only read on a page that has no slashed byline at all, and only with authors."""
    if len(text) > 200 or ":" not in text or TIME_OF_DAY_RE.search(text) is None:
        return None
    loose = UNSLASHED_BYLINE_RE.match(BYLINE_WIDGET_TAIL_RE.sub("", text))
    if loose is None:
        return None
    authors = loose["authors"].strip()
    if not authors or not _reads_like_authors(authors):
        return None
    return BYLINE_RE.match(f"{authors} / {loose['date']} {loose['time']} / {loose['section']}")


def _is_byline(text: str) -> bool:
    return _byline_match(text) is not None


def _is_junk(text: str) -> bool:
    if len(text) > SHORT_LINE_MAX_LEN:
        return False
    if text[:1] == "[" and IMAGE_PLACEHOLDER_RE.match(text):
        return True
    if not (text[:1].isalpha() or any(ch.isalpha() for ch in text)):
        return True  # "***", "|||": nothing to read
    if " " not in text and BARE_ADDRESS_RE.match(text):
        return True
    if "irror" in text and MIRROR_NOTE_RE.search(text) is not None:
        return True
    if len(text) <= JUNK_TOKEN_MAX_LEN and JUNK_TOKEN_RE.match(text):
        return not _is_acronym(text)
    if len(text) <= 3 * JUNK_TOKEN_MAX_LEN and _junk_tokens(text):
        return True
    return len(text) <= 120 and _is_widget(text)


def _is_acronym(text: str) -> bool:
    return ACRONYM_RE.match(text) is not None and text not in SECTION_LABEL_WORDS


def _junk_tokens(text: str) -> bool:
    """``xq7 xq7``: two or three junk tokens, each with digits among its letters."""
    tokens = text.split()
    return 1 < len(tokens) <= 3 and all(
        JUNK_TOKEN_RE.match(token) and any(char.isdigit() for char in token) for token in tokens
    )


def _glued_junk(text: str, tail: str) -> bool:
    """``xq7 Geely owns a number of international brands``: ``tail`` with a mirror's junk
    token glued to its front."""
    cut = len(text) - len(tail) - 1
    return cut > 0 and text[cut] == " " and text.endswith(tail) and _is_junk(text[:cut])


def _without_glued_junk(text: str) -> str:
    rest = text.partition(" ")[2]
    return rest if rest and _glued_junk(text, rest) and len(rest.split()) >= 3 else text


def _is_widget(text: str) -> bool:
    """A share bar or tool row: nothing but widget words, counts and punctuation."""
    return WIDGET_LINE_RE.fullmatch(text) is not None


def _caption(line: _Line) -> str | None:
    """The caption text if the line is an image caption, "" for a blank one, else None."""
    text = line.text
    if len(text) > SHORT_LINE_MAX_LEN:  # the usual case, a paragraph: the cheap test first
        return _without_junk_token(text) if line.only & _IN_CAPTION else None
    colon = text.rfind(":")
    word = CAPTION_CREDIT_WORD_RE.search(text, max(0, colon - 40), colon) if colon > 0 else None
    if word is None:
        return _without_junk_token(text) if line.is_caption_markup else None
    credit = text[colon + 1 :].strip()
    if not CAPTION_CREDIT_RE.match(credit):
        return _without_junk_token(text) if line.is_caption_markup else None
    if not credit:
        return ""  # "Photo:" and nothing else: a blank caption
    prefix = text[: word.start()].rstrip()
    if (
        prefix
        and not CAPTION_DESCRIPTION_END_RE.search(prefix)
        and not line.is_caption_markup
        and not _reads_like_description(prefix)
    ):
        return text[word.start() :]  # junk glued in front of the credit
    return _without_junk_token(text)


def _without_junk_token(caption: str) -> str:
    """``cxm7-mirror The headquarters of … Photo: IC`` / ``tz3k Photo: VCG``: a caption with a
    mirror's junk token glued to its front (letters and digits, or an address), without it."""
    first, _, rest = caption.partition(" ")
    if rest and (JUNK_LOOKING_WORD_RE.search(first) or "mirror" in first.lower()):
        return rest
    return caption


def _reads_like_description(text: str) -> bool:
    """``BOE's production line in Chongqing`` / ``Tesla's Model 3 at a showroom on Jan. 15``:
    three or more plain words, numbers and abbreviations, unlike a mirror's junk (``xq7``,
    ``cxmirror.example``: letters and digits or dots in one token)."""
    words = text.split()
    plain = sum(DESCRIPTION_WORD_RE.fullmatch(word) is not None for word in words)
    return (
        plain >= 3
        and not any(JUNK_LOOKING_WORD_RE.search(word) for word in words)
        and "mirror" not in text.lower()
    )


#: A caption without a credit never ends so (a sentence, a contact line, a label).
_NOT_CAPTION_ENDS = frozenset(".!?:(…")
#: A related title never ends so; a period only after initials (``U.S.``).
_NOT_TITLE_ENDS = frozenset(".?:")


def _reads_like_related_title(line: _Line) -> bool:
    """``In Depth: IPO-Bound TikTok Rival Kuaishou Continues to Play Second Fiddle``: a
    headline in the body's place, not a sub-heading (``What’s the story?``, an <h4>), a
    credit (``Additional reporting by …``, ``Source: …``) or a quoted slogan. Headlines
    capitalise every long word, so one lower-case word makes the line body text."""
    text = line.text
    if text[-1:] in _NOT_TITLE_ENDS and not text[-2:-1].isupper():
        return False  # the cheap test first: most lines are sentences (``… investors.``)
    return (
        not line.is_heading
        and len(text.split()) >= HEADLINE_MIN_WORDS
        and CREDIT_LINE_RE.match(text) is None
        and _reads_like_headline(text)
    )


def _reads_like_lone_caption(text: str) -> bool:
    """``Geely owns a number of international brands including Volvo and Lotus``: a short
    line that is no sentence, no title and nothing structural (a picture's caption without
    a credit, between a card's headline and its byline)."""
    return (
        len(text) <= CAPTION_UNDER_IMAGE_MAX_LEN
        and text[-1:] not in _NOT_CAPTION_ENDS  # the cheap test first
        and _line_kind(text) is None
        and len(text.split()) >= 3
        and SENTENCE_FINAL_RE.search(text) is None
        and not _every_word_capitalised(text)  # (names may make it look title-case)
        and not _is_junk(text)
    )


def _reads_like_headline(text: str) -> bool:
    """``Is China’s Chip Push Paying Off?`` / ``Data Shows Car Sales Rose`` / ``Douyin
    Fined``: a title-case line that may be a card's headline (a question, two words), never
    a Trending sub-heading or a sentence."""
    return (
        len(text) <= SHORT_LINE_MAX_LEN
        and not text.endswith(":")
        and not _ends_with_period_of_a_name(text)
        and len(text.split()) >= HEADLINE_MIN_WORDS - 1
        and SUBHEADING_RE.match(text) is None
        and not (text[0] in '“"' and text[-1] in '”"')
        and _looks_like_title(text)
        and _every_word_capitalised(text)
    )


def _ends_with_period_of_a_name(text: str) -> bool:
    """A period ends a headline only in initials (``… in U.S.``): ``China Literature Ltd.``
    in a list of companies, or a sentence, is body text."""
    if not text.endswith("."):
        return False
    # initials end with a capital before the period (the usual ``investors.`` does not)
    return not text[-2:-1].isupper() or INITIALS_END_RE.search(text, max(0, len(text) - 12)) is None


def _every_word_capitalised(text: str) -> bool:
    for word in text.split():
        bare = word.strip("“”\"‘’'()[],:;.!?–—-")
        if (
            len(bare) > 3
            and bare[0].islower()
            and bare not in _TITLE_SMALL_WORDS
            and bare.islower()  # (iPhone, eBay)
        ):
            return False
    return True


def _ends_with_full_stop(text: str) -> bool:
    """``... in the coming weeks.``, not ``... Delisting Threat in U.S.`` (a headline may end
    with an abbreviation)."""
    # (only the end of the text is searched: this runs on every paragraph)
    if not text.endswith("."):
        return False
    tail = text[-7:-1]
    if tail.islower() and tail.isalpha():
        return True  # the usual case (``investors.``): longer than any abbreviation
    return ABBREVIATION_END_RE.search(text, max(0, len(text) - 12)) is None


def _looks_like_title(text: str) -> bool:
    if len(text) > SHORT_LINE_MAX_LEN or _ends_with_full_stop(text):
        return False
    words = [w for w in text.split() if len(w) > 3]
    if not words:
        return False
    capital = sum(1 for w in words if w[0].isupper() or w[0].isdigit() or not w[0].isalpha())
    return capital >= TITLE_CASE_SHARE * len(words)


def _looks_like_sentence(text: str) -> bool:
    return len(text) > 200 or (text.endswith((".", "…")) and not _looks_like_title(text))


def _contacts(line: _Line) -> tuple[Contact, ...]:
    """``Contact reporter A ( and editor B (`` -> two contacts; e-mails from the text or
    from the line's mailto/Cloudflare links, in order."""
    return _contacts_of(line.text, tuple(line.emails))


@lru_cache(maxsize=1024)
def _contacts_of(text: str, emails: tuple[str, ...]) -> tuple[Contact, ...]:
    # Cached: a page repeats its few contact lines ("Contact reporter Ding Yi (") many times.
    body = text.split(None, 1)[1] if " " in text else ""
    pool = list(emails)
    parsed: list[tuple[ContactRole, str, str | None]] = []
    role: ContactRole = "reporter"
    for part in CONTACT_SPLIT_RE.split(body):
        part = part.strip()
        match = CONTACT_PART_RE.match(part)
        if match is None and parsed:
            match = CONTACT_PART_RE.match(f"{role} {part}")  # "and Denise Jia (": same role
        if match is None:
            continue
        role = "editor" if match.group("role").lower() == "editor" else "reporter"
        name = match.group("name").strip()
        found = EMAIL_RE.search(match.group("inside") or "") or EMAIL_RE.search(name)
        email = found.group(0) if found else None
        if found and found.group(0) in name:
            name = name.replace(found.group(0), "").strip()
        if email in pool:
            pool.remove(email)
        if name:
            parsed.append((role, name, email))
    contacts = []
    for role, name, email in parsed:
        if email is None and pool:
            email = pool.pop(0)
        contacts.append(Contact(role=role, name=name, email=email))
    return tuple(contacts)


@lru_cache(maxsize=1024)
def _section(raw: str) -> str:
    return SECTION_WIDGET_TAIL_RE.sub("", _normalise(raw))


@lru_cache(maxsize=4096)  # a page names the same few reporters in brief after brief
def _authors(raw: str) -> tuple[str, ...]:
    raw = _normalise(raw)
    if raw[:3].lower() == "by ":
        raw = raw[3:]
    return tuple(name for name in (n.strip() for n in AUTHOR_SPLIT_RE.split(raw)) if name)


@lru_cache(maxsize=4096)
def _absolute(href: str, page_url: str) -> str | None:
    href = href.strip()
    lowered = href[:11].lower()
    if not href or href.startswith("#") or lowered.startswith(("javascript:", "mailto:", "data:")):
        return None
    if CF_EMAIL_HREF_RE.search(href):
        return None
    try:
        url = urljoin(page_url, href)
    except ValueError:
        return None
    if "/web/" in url:
        archived = ARCHIVED_URL_RE.search(url)
        if archived:  # a Wayback Machine capture: the link as the page had it
            url = archived["url"]
            url = "https:" + url if url.startswith("//") else url
            url = url if "://" in url else "http://" + url
    return url if url.lower().startswith(("http://", "https://")) else None


#: ``https://web.archive.org/web/20210119104512/https://www.caixinglobal.com/…`` (or the same
#: path joined to the live page's address): a Wayback Machine capture's rewritten link.
ARCHIVED_URL_RE = re.compile(
    r"/web/\d{4,14}(?:[a-z]{2}_)?/(?P<url>(?:https?:)?//.+|[\w.-]+\.[a-z]{2,}(?:[/?#].*)?)$",
    re.IGNORECASE,
)
#: ``Jan 19, 2021``: a date as the bylines show it (inside a ``<time>``, the time may follow).
SHOWN_DATE_RE = re.compile(r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*\d{4}")
#: ``2 hours ago`` / ``19 Jan 2021`` / ``2021-01-19 18:27``: what a byline's ``<time>`` may
#: show instead of ``Jan 19, 2021 06:27 PM``.
OTHER_TIME_FORM_RE = re.compile(
    r"\b(?:ago|just now|yesterday|today)\b|\b(?:19|20)\d\d\b", re.IGNORECASE
)
#: The headers of an MHTML file (Chrome's and Edge's "Webpage, Single File").
MHTML_SNIFF_RE = re.compile(rb"(?im)^content-type:\s*multipart/related\b")
#: ``Jan 19, 2021 06:27 PM``, the one form every CX byline has used: read directly.
_PLAIN_BYLINE_TIME_RE = re.compile(
    r"(?P<month>[A-Z][a-z]{2,8}) (?P<day>\d{1,2}), (?P<year>\d{4}) "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<half>[AP])M"
)
_MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
#: The month names dateutil knows (``Sept`` included), so both readings agree.
_MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        (
            ("Jan", "January"), ("Feb", "February"), ("Mar", "March"), ("Apr", "April"),
            ("May",), ("Jun", "June"), ("Jul", "July"), ("Aug", "August"),
            ("Sep", "Sept", "September"), ("Oct", "October"), ("Nov", "November"),
            ("Dec", "December"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip


def _plain_byline_time(text: str) -> datetime | None:
    """The byline's usual form without dateutil (~0.1 ms a call, most of a small build's
    parsing); None for anything else, which goes to dateutil. Agrees with dateutil on every
    string it accepts (a property test holds it to that)."""
    match = _PLAIN_BYLINE_TIME_RE.fullmatch(text)
    if match is None:
        return None
    month = _MONTH_NUMBERS.get(match["month"])
    year, hour, minute = int(match["year"]), int(match["hour"]), int(match["minute"])
    # dateutil moves years below 100 into this era; leave such oddities to it
    if month is None or year < 1000 or not 1 <= hour <= 12 or minute > 59:
        return None
    hour = hour % 12 + (12 if match["half"] == "P" else 0)
    try:
        return datetime(year, month, int(match["day"]), hour, minute)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _byline_date(shown: str) -> datetime | None:
    """The byline's date as shown (``Jan 19, 202106:27 PM``: date and time from two
    elements, no space between), read."""
    return _parse_time(_normalise(GLUED_YEAR_RE.sub(r"\1 ", shown)))


@lru_cache(maxsize=4096)
def _parse_time(text: str) -> datetime | None:
    # Cached: the same bylines come back on every poll.
    parsed = _plain_byline_time(text)
    if parsed is None:
        try:
            parsed = date_parser.parse(text)
        except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
            return None
    # dateutil reads "0001" as 2001; and a year near datetime's limits cannot be converted
    # to UTC or stored. Such a byline is a typo or junk: skip the brief, with its warning.
    year = BYLINE_YEAR_RE.search(text)
    if year is None or int(year.group()) != parsed.year:
        return None
    if not PLAUSIBLE_YEARS[0] <= parsed.year <= PLAUSIBLE_YEARS[1]:
        return None
    return parsed


def _zone(name: str) -> tzinfo:
    try:
        zone = tz.gettz(name) if name and name.strip() else None
    except (ValueError, OSError) as exc:
        raise ConfigError(f"unknown timezone {name!r}: {exc}") from exc
    if zone is None:
        raise ConfigError(f"unknown timezone {name!r}: use an IANA name such as 'Asia/Shanghai'")
    return zone


# --------------------------------------------------------------------------------------------
# Derived titles
# --------------------------------------------------------------------------------------------


def _is_subheading(text: str) -> bool:
    return bool(SUBHEADING_RE.match(text)) or (
        len(text) <= SUBHEADING_MAX_LEN and text.endswith(("?", ":"))
    )


def _derive_title(paragraphs: Sequence[str], section: str, authors: Sequence[str]) -> str:
    for paragraph in paragraphs:
        if _is_subheading(paragraph):
            continue
        sentence = _lead_sentence(paragraph)
        if sentence:
            return _shorten(sentence, DERIVED_TITLE_MAX_LEN)
    if authors:
        names = ", ".join(authors[:-1]) + " and " + authors[-1] if len(authors) > 1 else authors[0]
        return f"{section} brief by {names}"
    return f"{section} brief"


def _lead_sentence(paragraph: str) -> str:
    for match in SENTENCE_END_RE.finditer(paragraph):
        if paragraph[match.start()] == ".":
            word = paragraph[: match.start()].rsplit(None, 1)[-1] if match.start() else ""
            bare = word.lstrip("“\"‘'(").lower()
            if bare in ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", bare):
                continue  # "U.S. President", "Dec. 24": not the end of the sentence
        sentence = paragraph[: match.end()]
        break
    else:
        sentence = paragraph
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return sentence.strip()


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)  # text[:cut] ends at a word boundary, len <= limit - 1
    if cut < limit // 2:
        cut = limit - 1
    short = text[:cut]
    if short.count("(") > short.count(")"):
        # Never leave "... 20 billion yuan ($3…": end before the unclosed bracket.
        short = short[: short.rfind("(")]
    return short.rstrip(" ,;:–—-(“\"‘'") + "…"
