"""Stage 6: a feed's spec plus its entries -> Atom, RSS, JSON Feed and HTML bytes.

Pure: objects in, bytes out; no clock, no file system, no network. Every feedgen call of
feedsvc lives here, with a fresh :class:`~feedgen.feed.FeedGenerator` per feed.

What the page gave us is *text*, never markup: every string is cleaned of characters XML
cannot carry, escaped before it becomes HTML, and the HTML we build is passed through nh3
with a short allow-list on top. A URL that is not plain http(s) or mailto is dropped.

Decisions worth knowing:

* The feed ``<id>`` is the feed's own Atom URL (``feed_url(spec, site, "atom.xml")``):
  unique per feed, deterministic, dereferenceable, and it only changes when the public
  location changes, in which case subscribers must move anyway.
* Every time stamp comes from the data: a feed's ``updated`` (Atom ``<updated>``, RSS
  ``lastBuildDate`` and ``pubDate``, JSON ``date_modified`` of the items) is the newest
  entry's ``updated_at``; an empty feed takes the caller's ``empty_updated`` or fails.
  feedgen's own ``now()`` defaults are always overwritten.
* The top-level feed (kind ``"all"``) gets no ``index.html`` of its own: that name is the
  site index (:func:`render_index`).
* One brief sits in many feeds (all, its section, topics, reporters), so each entry's output
  is made once per process and kept in a bounded LRU cache: feedgen's ``FeedEntry`` builds
  its Atom ``<entry>`` and RSS ``<item>``, whose bytes are spliced into the documents a fresh
  ``FeedGenerator`` writes for each feed (the same bytes as adding the entries to it), and
  likewise its JSON Feed item and feed-page article.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import json
import re
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import nh3
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from feedsvc.errors import RenderError
from feedsvc.model import Entry, FeedSpec, FeedSummary, Site

__all__ = [
    "FEED_FILES",
    "entry_content_html",
    "feed_url",
    "render_feed",
    "render_index",
    "render_opml",
]

#: The files :func:`render_feed` returns, relative to the feed's folder.
FEED_FILES = ("atom.xml", "rss.xml", "feed.json", "index.html")

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_TYPE = "application/atom+xml"
RSS_TYPE = "application/rss+xml"
JSON_TYPE = "application/feed+json"

#: Caixin bylines are Beijing time: UTC+08:00 all year, no DST.
BEIJING = timezone(timedelta(hours=8), "Beijing")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Groups of the site index and the OPML file, in display order.
KIND_GROUPS: tuple[tuple[str, str], ...] = (
    ("all", "All"),
    ("topic", "Topics"),
    ("reporter", "Reporters"),
    ("custom", "Custom feeds"),
)

#: A paragraph this short that ends in "?" is a sub-heading ("What's trending?"), not a lead.
SUBHEADING_MAX_CHARS = 60

# --------------------------------------------------------------------------------------------
# Text and URL hygiene
# --------------------------------------------------------------------------------------------


def _allowed_ranges() -> str:
    """The characters XML 1.0 allows, minus C1 controls, DEL and Unicode noncharacters.

    What goes out: C0 controls but tab/LF/CR, DEL and C1 (HTML5 parse errors), lone
    surrogates, U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of every plane.
    """
    ranges = ["\t\n\r", "\x20-\x7e", "\xa0-\ud7ff", "\ue000-\ufdcf", "\ufdf0-\ufffd"]
    ranges += [f"{chr(plane << 16)}-{chr((plane << 16) | 0xFFFD)}" for plane in range(1, 17)]
    return "".join(ranges)


_INVALID_CHARS = re.compile(f"[^{_allowed_ranges()}]+")
# Characters that never belong in a URL we publish (RFC 3986 has no place for them, and each
# is a way out of an attribute or into a different parse).
_URL_BAD_CHARS = re.compile(r'[\s"<>\\`]')
_EMAIL = re.compile(r"[^\s@<>\"'(),;:\\\[\]/?#%&=]+@[^\s@<>\"'(),;:\\\[\]/?#%&=]+\.[A-Za-z0-9-]+")
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


def clean_text(value: str | None) -> str:
    """``value`` without the characters no XML document (or valid HTML page) may hold."""
    if not value:
        return ""
    if value.isprintable():  # fast path: no Cc/Cf/Cs/Co/Cn/Z* but " ", so nothing to drop
        return value
    return _INVALID_CHARS.sub("", value)


def clean_line(value: str | None) -> str:
    """:func:`clean_text` on one line: every whitespace run (newlines too) becomes one space."""
    # The only printable whitespace is " " (tab, newlines, NBSP, U+2028… are not), so a
    # printable value without "  " and without a space at either end is its own normalised
    # form: skip splitting it into words (most of a brief's cost on long paragraphs).
    if value and value.isprintable() and "  " not in value and value[0] != " " and value[-1] != " ":
        return value
    return " ".join(clean_text(value).split())


#: How many words of a brief's lead its link to the roundup page quotes.
TEXT_FRAGMENT_WORDS = 8


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL or a mailto URL we can publish, else None."""
    if not url:
        return None
    url = url.strip()
    if not url or _URL_BAD_CHARS.search(url) or clean_text(url) != url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a bad IPv6 host
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return url if parts.netloc else None
    if scheme == "mailto":
        return url if parts.path else None
    return None


def _email(email: str | None) -> str | None:
    """``email`` (cleaned) when it looks like one plain address, else None."""
    email = clean_line(email)
    return email if email and _EMAIL.fullmatch(email) else None


def _mailto(email: str | None) -> str | None:
    address = _email(email)
    return f"mailto:{address}" if address else None


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _slugify(label: str) -> str:
    return _SLUG_JUNK.sub("-", label.casefold()).strip("-")


def _aware(value: datetime, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise RenderError(f"{what} must be an aware datetime, got {value!r}")
    return value


def _beijing_text(value: datetime) -> str:
    """``Jan 19, 2021 06:27 PM Beijing time``: the byline's own format, locale-independent."""
    local = value.astimezone(BEIJING)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return (
        f"{_MONTHS[local.month - 1]} {local.day:02d}, {local.year} "
        f"{hour:02d}:{local.minute:02d} {half} Beijing time"
    )


# --------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def _quoted_path(path: str) -> str:
    """``path``'s segments percent-encoded. Cached: the index and OPML name every feed's
    folder several times, and quote() is most of their cost at hundreds of feeds."""
    return "/".join(quote(p, safe="") for p in path.split("/") if p)


def feed_url(spec: FeedSpec, site: Site, filename: str) -> str:
    """Absolute URL of ``filename`` in the feed's folder, e.g. ``…/topics/ev/atom.xml``."""
    base = site.base_url.rstrip("/") + "/"
    return base + "/".join(p for p in (_quoted_path(spec.folder), _quoted_path(filename)) if p)


def _relative(spec: FeedSpec, filename: str) -> str:
    """``filename`` in the feed's folder, relative to the output folder (site index)."""
    folder = _quoted_path(spec.folder)
    return f"{folder}/{filename}" if folder else filename


def _up_to_root(spec: FeedSpec) -> str:
    """Relative path from the feed's folder back to the output folder (``../../``)."""
    return "../" * len([p for p in spec.folder.split("/") if p])


def _feed_title(spec: FeedSpec, site: Site) -> str:
    site_title = clean_line(site.title) or "feedsvc"
    spec_title = clean_line(spec.title)
    if spec.kind == "all" or not spec_title:
        return site_title
    return f"{site_title} — {spec_title}"


# --------------------------------------------------------------------------------------------
# Entry content
# --------------------------------------------------------------------------------------------

_CLEANER = nh3.Cleaner(
    tags={"p", "em", "strong", "a", "ul", "li", "br", "blockquote"},
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def _is_subheading(paragraph: str) -> bool:
    return len(paragraph) <= SUBHEADING_MAX_CHARS and paragraph.endswith(("?", "？"))


def _paragraphs(entry: Entry) -> list[str]:
    return [p for p in (clean_line(p) for p in entry.brief.paragraphs) if p]


def _lead(paragraphs: Sequence[str]) -> str:
    """The first paragraph that is not a short "...?" sub-heading (else the first one)."""
    for paragraph in paragraphs:
        if not _is_subheading(paragraph):
            return paragraph
    return paragraphs[0] if paragraphs else ""


def _page_link(page_url: str | None, lead: str) -> str | None:
    """The roundup page, scrolled to the brief: a text fragment quoting the lead's first
    words (``…/business-and-tech-live/#:~:text=Chinese%20display%20panel…``). Browsers
    without text fragments open the page at its top; either way each brief gets a link
    of its own, which readers that tell entries apart by link need."""
    words = lead.split()[:TEXT_FRAGMENT_WORDS]
    if not page_url or not words or "#" in page_url:
        return page_url
    # "-", "," and "&" mean something inside a text directive: escape them too
    quoted = quote(" ".join(words), safe="").replace("-", "%2D")
    return f"{page_url}#:~:text={quoted}"


def _link(href: str | None, text: str) -> str:
    return f'<a href="{_esc(href)}">{_esc(text)}</a>' if href else _esc(text)


def _contact_line(entry: Entry) -> str:
    """``Contact reporter <a href="mailto:…">Ding Yi</a> and editor Han Wei``, or ""."""
    by_role: dict[str, list[str]] = {}
    for contact in entry.brief.contacts:
        name = clean_line(contact.name)
        if name:
            by_role.setdefault(clean_line(contact.role), []).append(
                _link(_mailto(contact.email), name)
            )
    if not by_role:
        return ""
    groups = [f"{_esc(role)} {_join_names(names)}" for role, names in by_role.items()]
    return "Contact " + " and ".join(groups)


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _content_fragment(entry: Entry, paragraphs: Sequence[str]) -> str:
    """The entry body as HTML we built ourselves from escaped text (not yet sanitized)."""
    parts: list[str] = []
    for paragraph in paragraphs:
        if _is_subheading(paragraph):
            parts.append(f"<p><strong>{_esc(paragraph)}</strong></p>")
        else:
            parts.append(f"<p>{_esc(paragraph)}</p>")
    caption = next((c for c in (clean_line(c) for c in entry.brief.captions) if c), "")
    if caption:
        parts.append(f"<p><em>{_esc(caption)}</em></p>")
    contact = _contact_line(entry)
    if contact:
        parts.append(f"<p>{contact}</p>")
    related = []
    for link in entry.brief.related:
        url = safe_url(link.url)
        title = clean_line(link.title) or (url or "")
        if title:
            related.append(f"<li>{_link(url, title)}</li>")
    if related:
        parts.append("<p>Related:</p>")
        parts.append("<ul>" + "".join(related) + "</ul>")
    full_story = safe_url(entry.brief.full_story_url)
    if full_story:
        parts.append(f"<p>{_link(full_story, 'Read the full story')}</p>")
    return "\n".join(parts)


def entry_content_html(entry: Entry) -> str:
    """The entry body as sanitized HTML: paragraphs, first caption, contacts, related, link."""
    return _CLEANER.clean(_content_fragment(entry, _paragraphs(entry)))


# --------------------------------------------------------------------------------------------
# One entry, cleaned once for all four formats
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    id: str
    title: str
    link: str | None
    published: datetime
    updated: datetime
    authors: tuple[_Person, ...]
    bylined: tuple[str, ...]  # the byline's own names (may be empty), for the HTML page
    editors: tuple[_Person, ...]
    categories: tuple[tuple[str, str], ...]  # (slug, label)
    summary: str
    content_html: str
    derived_title: bool = False  # made from the lead: the page shows the lead's rest only


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _categories(entry: Entry) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = [(clean_line(t.slug), clean_line(t.label)) for t in entry.topics]
    if not entry.topics:
        label = clean_line(entry.brief.section)
        pairs.append((_slugify(label), label))
    seen: set[str] = set()
    result = []
    for slug, label in pairs:
        term = slug or _slugify(label)
        if term and term not in seen:
            seen.add(term)
            result.append((term, label or term))
    return tuple(result)


def _build_item(entry: Entry, site_title: str, page_url: str) -> _Item:
    entry_id = clean_line(entry.id)
    if not entry_id:
        raise RenderError(f"entry without an id: {entry.brief.byline or entry.brief.title!r}")
    paragraphs = _paragraphs(entry)
    summary = _lead(paragraphs)
    title = clean_line(entry.brief.title) or _shorten(summary, 80) or "Untitled brief"
    derived = entry.brief.title_source == "derived" or not clean_line(entry.brief.title)
    emails: dict[str, str] = {}
    for contact in entry.brief.contacts:
        email = _email(contact.email)
        if contact.role == "reporter" and email:
            emails.setdefault(clean_line(contact.name).casefold(), email)
    names = tuple(dict.fromkeys(n for n in (clean_line(a) for a in entry.brief.authors) if n))
    authors = tuple(_Person(n, emails.get(n.casefold())) for n in names) or (
        _Person(clean_line(site_title) or "feedsvc"),
    )
    editors = tuple(
        _Person(name, _email(c.email))
        for c in entry.brief.contacts
        if c.role == "editor" and (name := clean_line(c.name))
    )
    link = safe_url(entry.brief.full_story_url) or _page_link(
        safe_url(entry.page_url) or safe_url(page_url), summary
    )
    return _Item(
        id=entry_id,
        title=title,
        link=link,
        published=_aware(entry.brief.published_at, f"published_at of {entry_id}"),
        updated=_aware(entry.updated_at, f"updated_at of {entry_id}"),
        authors=authors,
        bylined=names,
        editors=editors,
        categories=_categories(entry),
        summary=summary,
        content_html=_CLEANER.clean(_content_fragment(entry, paragraphs)),
        derived_title=derived,
    )


# --------------------------------------------------------------------------------------------
# Atom and RSS via feedgen
# --------------------------------------------------------------------------------------------


class _RssChannelExtras(BaseExtension):  # type: ignore[misc]
    """Puts ``<atom:link rel="hub">`` into the RSS channel, right after ``rel="self"``.

    feedgen 1.0 writes only the first ``rel="self"`` link into RSS and drops ``rel="hub"``.
    """

    def __init__(self) -> None:
        self.hubs: tuple[str, ...] = ()

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        tag = f"{{{ATOM_NS}}}link"
        anchor = next((el for el in channel if el.tag == tag and el.get("rel") == "self"), None)
        index = channel.index(anchor) + 1 if anchor is not None else len(channel)
        for offset, hub in enumerate(self.hubs):
            channel.insert(index + offset, etree.Element(tag, {"href": hub, "rel": "hub"}))
        return rss_feed


class _RssItemExtras(BaseExtension):  # type: ignore[misc]
    """Drops feedgen's RSS ``<author>email (name)</author>``: names travel as ``dc:creator``.

    feedgen writes ``<author>`` only for authors with an e-mail, so without this an item would
    name those authors twice (and readers such as feedparser list them twice).
    """

    def extend_rss(self, item: Any) -> Any:
        for author in item.findall("author"):
            item.remove(author)
        return item


def _person_dicts(people: Sequence[_Person]) -> list[dict[str, str]]:
    return [{"name": p.name, "email": p.email} if p.email else {"name": p.name} for p in people]


#: The namespaces feedgen declares on the RSS root (``dc`` from the extension we load, then
#: its own two); an ``<item>`` serialized under a root with the same map declares none itself.
_RSS_NSMAP = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": ATOM_NS,
    "content": "http://purl.org/rss/1.0/modules/content/",
}
#: How feedgen's pretty-printed documents end; entries go in front of these (and how the
#: stand-in document of :func:`_entry_xml` ends).
_ATOM_END = b"</feed>\n"
_RSS_END = b"  </channel>\n</rss>\n"


def _feed_entry(item: _Item) -> FeedEntry:
    """The entry as a feedgen :class:`~feedgen.entry.FeedEntry` (Atom and RSS at once)."""
    fe = FeedEntry()
    # dc:creator: RSS <author> must be an e-mail. (Registered by class: load_extension("dc")
    # first tries to import a missing "feedgen.ext.dc_entry", a file-system search each time.)
    fe.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    fe.register_extension("feedsvc", _RssItemExtras, atom=False, rss=True)
    fe.id(item.id)  # also the RSS <guid isPermaLink="false">
    fe.title(item.title)
    if item.link:
        fe.link(href=item.link, rel="alternate", type="text/html")
    fe.published(item.published)
    fe.updated(item.updated)
    fe.author(_person_dicts(item.authors))
    for author in item.authors:
        fe.dc.dc_creator(author.name)
    if item.editors:
        fe.contributor(_person_dicts(item.editors))
    if item.categories:
        fe.category([{"term": slug, "label": label} for slug, label in item.categories])
    if item.summary:
        # RSS <description> is HTML to readers, so the summary goes out as escaped HTML
        # (Atom <summary type="html"> and RSS <description> share the value in feedgen).
        fe.summary(_esc(item.summary), type="html")
    fe.content(item.content_html, type="html")  # Atom <content>, RSS <content:encoded>
    return fe


def _entries_xml(items: Sequence[_Item]) -> list[tuple[bytes, bytes]]:
    """Each entry as feedgen writes it: Atom ``<entry>`` and RSS ``<item>`` bytes, indented
    for their place in a feed document and declaring no namespace of their own.

    Nothing here depends on the feed, so :func:`_entries_parts` makes it once per entry and
    every feed the entry sits in splices the same bytes into its own document. The entries
    are serialized in one go under a stand-in for feedgen's RSS root (same namespace map;
    Atom entries have no namespaced element): the <entry> elements at depth 1, the <item>
    elements at depth 2 in a <channel>, so lxml indents each exactly as inside the real
    documents (pretty-printing depends only on depth and content).
    """
    root = etree.Element("rss", nsmap=_RSS_NSMAP)
    entries = [_feed_entry(item) for item in items]
    for fe in entries:
        root.append(fe.atom_entry())
    channel = etree.SubElement(root, "channel")
    for fe in entries:
        channel.append(fe.rss_entry())
    data: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    # A "<" in text is always written "&lt;", so these byte strings can only be our tags.
    atom_part, rss_part = data[data.index(b">\n") + 2 : -len(_RSS_END)].split(b"  <channel>\n")
    atom = [b"  <entry>" + chunk for chunk in atom_part.split(b"  <entry>")[1:]]
    rss = [b"    <item>" + chunk for chunk in rss_part.split(b"    <item>")[1:]]
    if not len(atom) == len(rss) == len(items):
        raise RenderError("the entries' Atom and RSS output could not be told apart")
    return list(zip(atom, rss, strict=True))


def _feed_generator(
    spec: FeedSpec, site: Site, updated: datetime, hubs: Sequence[str]
) -> FeedGenerator:
    """A fresh FeedGenerator with everything of the feed but its entries."""
    fg = FeedGenerator()
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)  # xmlns:dc
    fg.register_extension("feedsvc", _RssChannelExtras, _RssItemExtras, atom=False, rss=True)
    fg.feedsvc.hubs = tuple(hubs)

    title = _feed_title(spec, site)
    fg.id(feed_url(spec, site, "atom.xml"))
    fg.title(title)
    fg.subtitle(clean_line(spec.description) or title)  # also the RSS <description>
    fg.author({"name": clean_line(site.title) or "feedsvc"})
    # RSS's channel <link> is the last link added, whatever its rel: alternate goes last.
    fg.link(href=feed_url(spec, site, "atom.xml"), rel="self", type=ATOM_TYPE)
    for hub in hubs:
        fg.link(href=hub, rel="hub")
    page_url = safe_url(site.page_url)
    if page_url:
        fg.link(href=page_url, rel="alternate", type="text/html")
    else:
        fg.link(href=feed_url(spec, site, "index.html"), rel="alternate", type="text/html")
    language = clean_line(site.language)
    if language:
        fg.language(language)
    fg.generator(clean_line(site.generator) or "feedsvc")
    fg.updated(updated)  # Atom <updated> and RSS <lastBuildDate>
    fg.pubDate(updated)
    return fg


def _atom_and_rss(
    spec: FeedSpec,
    parts: Sequence[_Parts],
    site: Site,
    updated: datetime,
    hubs: Sequence[str],
) -> tuple[bytes, bytes]:
    """The feed-level documents from feedgen, with the entries' ready-made bytes spliced in
    where feedgen puts entries (after everything else, in order): the same bytes as adding
    each FeedEntry to the generator (``fg.add_entry(fe, order="append")``) would give."""
    fg = _feed_generator(spec, site, updated, hubs)
    atom: bytes = fg.atom_str(pretty=True)
    rss: bytes = fg.rss_str(pretty=True)
    if not parts:
        return atom, rss
    if not (atom.endswith(_ATOM_END) and rss.endswith(_RSS_END)):
        raise RenderError(f"feed {spec.key}: feedgen's documents do not end as expected")
    return (
        b"".join([atom[: -len(_ATOM_END)], *(p.atom for p in parts), _ATOM_END]),
        b"".join([rss[: -len(_RSS_END)], *(p.rss for p in parts), _RSS_END]),
    )


# --------------------------------------------------------------------------------------------
# JSON Feed 1.1
# --------------------------------------------------------------------------------------------

# "<" can only occur inside JSON strings, so writing it as \u003c is lossless; it keeps
# "<script" and "</script>" out of the bytes should the file ever be inlined into a page.
# U+2028/U+2029 are escaped for JavaScript parsers older than ES2019.
# (str.replace: str.translate is ~100x slower on non-ASCII text.)
_JSON_HTML_SAFE = (("<", "\\u003c"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
#: A str as ``json.dumps(..., ensure_ascii=False)`` writes it (the C encoder when present).
_json_quoted = json.encoder.encode_basestring
_JSON_INDENT = "  "

_Json = str | list["_Json"] | dict[str, "_Json"]


def _json_string(value: str) -> str:
    text: str = _json_quoted(value)
    for char, escaped in _JSON_HTML_SAFE:
        if char in text:
            text = text.replace(char, escaped)
    return text


@functools.lru_cache(maxsize=256)
def _json_key(key: str) -> str:
    return _json_string(key)  # keys are a handful of constants: quote each once


def _json_text(value: _Json, depth: int) -> str:
    """``value`` exactly as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it at
    nesting ``depth``, plus the HTML-safe escapes.

    json.dumps only uses its C encoder without ``indent``; this does the indenting itself
    and leaves each string to the C encoder, several times faster for the same bytes.
    """
    if isinstance(value, str):
        return _json_string(value)
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    inner = "\n" + _JSON_INDENT * (depth + 1)
    if isinstance(value, dict):
        members = [f"{_json_key(k)}: {_json_text(v, depth + 1)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        members = [_json_text(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    return opening + inner + ("," + inner).join(members) + "\n" + _JSON_INDENT * depth + closing


# Indents of an item's members (depth 3), of its list elements (4) and of theirs (5): an item
# sits at depth 2, in the feed's "items" array.
_JSON_I3 = "\n" + _JSON_INDENT * 3
_JSON_I4 = "\n" + _JSON_INDENT * 4
_JSON_I5 = "\n" + _JSON_INDENT * 5


def _json_person(person: _Person) -> str:
    """The person's object at depth 4 (an element of "authors"), as :func:`_json_text`."""
    members = [f'"name": {_json_string(person.name)}']
    if person.email:
        members.append(f'"url": {_json_string(f"mailto:{person.email}")}')
    return "{" + _JSON_I5 + ("," + _JSON_I5).join(members) + _JSON_I4 + "}"


def _json_strings(values: Sequence[str]) -> str:
    """A non-empty list of strings at depth 3, as :func:`_json_text` writes it."""
    return "[" + _JSON_I4 + ("," + _JSON_I4).join(map(_json_string, values)) + _JSON_I3 + "]"


def _json_item(item: _Item) -> bytes:
    """The item's object, indented for its place in the feed's ``items`` array, UTF-8.

    The same text as ``_json_text(item_dict, 2)`` (and so as ``json.dumps``), written out
    member by member: the item's shape is fixed, and this runs once for every new entry.
    """
    quoted = _json_string
    members = [f'"id": {quoted(item.id)}']
    if item.link:
        members.append(f'"url": {quoted(item.link)}')
    members.append(f'"title": {quoted(item.title)}')
    members.append(f'"content_html": {quoted(item.content_html)}')
    if item.summary:
        members.append(f'"summary": {quoted(item.summary)}')
    members.append(f'"date_published": {quoted(item.published.isoformat())}')
    members.append(f'"date_modified": {quoted(item.updated.isoformat())}')
    authors = [_json_person(a) for a in item.authors]  # never empty (_build_item)
    members.append('"authors": [' + _JSON_I4 + ("," + _JSON_I4).join(authors) + _JSON_I3 + "]")
    if item.categories:
        tags = list(dict.fromkeys(label for _, label in item.categories))
        members.append(f'"tags": {_json_strings(tags)}')
    text = "{" + _JSON_I3 + ("," + _JSON_I3).join(members) + "\n" + _JSON_INDENT * 2 + "}"
    return text.encode("utf-8")


def _json_feed(spec: FeedSpec, parts: Sequence[_Parts], site: Site, hubs: Sequence[str]) -> bytes:
    title = _feed_title(spec, site)
    document: dict[str, _Json] = {
        "version": JSON_FEED_VERSION,
        "title": title,
    }
    page_url = safe_url(site.page_url)
    if page_url:
        document["home_page_url"] = page_url
    document["feed_url"] = feed_url(spec, site, "feed.json")
    document["description"] = clean_line(spec.description) or title
    language = clean_line(site.language)
    if language:
        document["language"] = language
    document["authors"] = [{"name": clean_line(site.title) or "feedsvc"}]
    if hubs:
        document["hubs"] = [{"type": "WebSub", "url": hub} for hub in hubs]
    # "items" comes last: the document up to its closing brace, then the ready-made items.
    head = _json_text(document, 0)[: -len("\n}")] + f',\n{_JSON_INDENT}"items": '
    if not parts:
        return f"{head}[]\n}}\n".encode()
    indent = f"\n{_JSON_INDENT * 2}".encode()
    items = b"," + indent
    return b"".join(
        [(head + "[").encode(), indent, items.join(p.json for p in parts), b"\n  ]\n}\n"]
    )


# --------------------------------------------------------------------------------------------
# HTML pages
# --------------------------------------------------------------------------------------------

_CSS = """\
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#222}
a{color:#0b57a4}h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
h3{font-size:1.05rem;margin:0}.meta,.count{color:#666;font-size:.9rem}
article,li.feed{border-top:1px solid #ddd;padding:.75rem 0}ul.feeds{list-style:none;padding:0}
nav a,.subscribe a{margin-right:.75rem}"""


def _time(value: datetime) -> str:
    return f'<time datetime="{_esc(value.isoformat())}">{_esc(_beijing_text(value))}</time>'


def _autodiscovery(spec: FeedSpec, site: Site, title: str) -> list[str]:
    formats = (
        ("atom.xml", ATOM_TYPE, "Atom"),
        ("rss.xml", RSS_TYPE, "RSS"),
        ("feed.json", JSON_TYPE, "JSON Feed"),
    )
    return [
        f'<link rel="alternate" type="{kind}" title="{_esc(f"{title} ({label})")}" '
        f'href="{_esc(feed_url(spec, site, name))}">'
        for name, kind, label in formats
    ]


def _subscribe_links(prefix: str) -> str:
    return (
        f'<a href="{_esc(prefix)}atom.xml">Atom</a> '
        f'<a href="{_esc(prefix)}rss.xml">RSS</a> '
        f'<a href="{_esc(prefix)}feed.json">JSON Feed</a>'
    )


def _page(site: Site, title: str, head: Iterable[str], body: Iterable[str | bytes]) -> bytes:
    """A whole HTML page; ``body`` lines may come UTF-8 encoded already (cached entries)."""
    language = clean_line(site.language) or "en"
    lines: list[str | bytes] = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        *head,
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return b"\n".join(ln if isinstance(ln, bytes) else ln.encode("utf-8") for ln in lines)


def _article(item: _Item) -> bytes:
    """The entry's ``<article>`` lines on a feed page, UTF-8 encoded."""
    meta = _time(item.published)
    if item.bylined:
        meta += " · " + _esc(", ".join(item.bylined))
    lines = [
        "<article>",
        f"<h2>{_link(item.link, item.title)}</h2>",
        f'<p class="meta">{meta}</p>',
    ]
    summary = _lead_after_title(item) if item.derived_title else item.summary
    if summary:
        lines.append(f"<p>{_esc(summary)}</p>")
    lines.append("</article>")
    return "\n".join(lines).encode("utf-8")


def _lead_after_title(item: _Item) -> str:
    """What the lead says after a title made from its start (``…($3 billion) by selling
    shares.``), so the page does not say it twice; the whole lead if the title is not its
    start."""
    stem = item.title.removesuffix("…").rstrip()
    if not stem or not item.summary.startswith(stem):
        return item.summary
    rest = item.summary[len(stem) :].strip()
    return f"…{rest}" if rest else ""


def _feed_page(spec: FeedSpec, parts: Sequence[_Parts], site: Site) -> bytes:
    title = _feed_title(spec, site)
    description = clean_line(spec.description)
    body = [
        "<header>",
        f'<nav><a href="{_esc(_up_to_root(spec))}index.html">All feeds</a></nav>',
        f"<h1>{_esc(title)}</h1>",
    ]
    if description:
        body.append(f"<p>{_esc(description)}</p>")
    body += [f'<p class="subscribe">Subscribe: {_subscribe_links("")}</p>', "</header>", "<main>"]
    if not parts:
        body.append("<p>No entries yet.</p>")
    body += [p.html for p in parts]
    body.append("</main>")
    return _page(site, title, _autodiscovery(spec, site, title), body)


def _entry_count(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def _grouped(summaries: Sequence[FeedSummary]) -> list[tuple[str, list[FeedSummary]]]:
    """Summaries by kind in :data:`KIND_GROUPS` order, each sorted by title (stable)."""
    groups = []
    for kind, label in KIND_GROUPS:
        members = [s for s in summaries if s.spec.kind == kind]
        if members:
            members.sort(key=lambda s: clean_line(s.spec.title).casefold())
            groups.append((label, members))
    return groups


def render_index(summaries: Sequence[FeedSummary], site: Site) -> bytes:
    """``output/index.html``: every feed by kind, with counts, last update and subscribe links."""
    site_title = clean_line(site.title) or "feedsvc"
    head: list[str] = []
    top = next((s for s in summaries if s.spec.kind == "all"), None)
    if top is not None:
        head = _autodiscovery(top.spec, site, site_title)
    body = ["<header>", f"<h1>{_esc(site_title)}</h1>"]
    page_url = safe_url(site.page_url)
    if page_url:
        body.append(f"<p>Feeds of {_link(page_url, page_url)}</p>")
    body += [
        '<p class="subscribe"><a href="feeds.opml">All feeds as OPML</a></p>',
        "</header>",
        "<main>",
    ]
    if not summaries:
        body.append("<p>No feeds yet.</p>")
    for label, members in _grouped(summaries):
        body += ["<section>", f"<h2>{_esc(label)}</h2>", '<ul class="feeds">']
        for summary in members:
            spec = summary.spec
            title = clean_line(spec.title) or _feed_title(spec, site)
            if spec.kind == "all":
                heading = _esc(title)
            else:
                heading = f'<a href="{_esc(_relative(spec, "index.html"))}">{_esc(title)}</a>'
            if summary.updated_at is not None:
                updated = "last update " + _time(_aware(summary.updated_at, "updated_at"))
            else:
                updated = "no entries yet"
            prefix = _relative(spec, "")
            body += [
                '<li class="feed">',
                f"<h3>{heading}</h3>",
                f'<p class="count">{_entry_count(summary.entry_count)} · {updated}</p>',
                f'<p class="subscribe">{_subscribe_links(prefix)}</p>',
                "</li>",
            ]
        body += ["</ul>", "</section>"]
    body.append("</main>")
    return _page(site, site_title, head, body)


# --------------------------------------------------------------------------------------------
# OPML 2.0
# --------------------------------------------------------------------------------------------


def render_opml(summaries: Sequence[FeedSummary], site: Site) -> bytes:
    """``output/feeds.opml``: one ``<outline type="rss">`` per feed, grouped by kind."""
    root = etree.Element("opml", {"version": "2.0"})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean_line(site.title) or "feedsvc"
    dates = [_aware(s.updated_at, "updated_at") for s in summaries if s.updated_at is not None]
    if dates:
        etree.SubElement(head, "dateModified").text = format_datetime(max(dates))
    body = etree.SubElement(root, "body")
    for label, members in _grouped(summaries):
        group = etree.SubElement(body, "outline", {"text": label, "title": label})
        for summary in members:
            spec = summary.spec
            title = _feed_title(spec, site)
            etree.SubElement(
                group,
                "outline",
                {
                    "type": "rss",
                    "text": title,
                    "title": title,
                    "xmlUrl": feed_url(spec, site, "atom.xml"),
                    "htmlUrl": feed_url(spec, site, "index.html"),
                },
            )
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


# --------------------------------------------------------------------------------------------
# One entry's output, made once per process
# --------------------------------------------------------------------------------------------

#: Bounds of the per-entry output cache: an entry's four fragments take ~10 KB for a typical
#: brief, so the cache stays within ~30 MB however large the archive and however many feeds.
PARTS_CACHE_ENTRIES = 4096
PARTS_CACHE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Parts:
    """One entry in every format, as it sits in any feed document (feed-independent)."""

    atom: bytes  # "  <entry>…</entry>\n"
    rss: bytes  # "    <item>…</item>\n"
    json: bytes  # the item object, indented for the "items" array
    html: bytes  # the <article> lines of a feed page


class _Key:
    """A cache key that hashes once (an :class:`Entry` hashes every field of its brief)."""

    __slots__ = ("_hash", "value")

    def __init__(self, value: tuple[Any, ...]) -> None:
        self.value = value
        self._hash = hash(value)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and self._hash == other._hash and self.value == other.value


class _LruCache:
    """A thread-safe least-recently-used map, bounded in entries and in (approximate) bytes."""

    def __init__(self, max_entries: int, max_bytes: int, max_item_bytes: int | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # A giant brief is cheaper to rebuild than to crowd out a hundred others.
        self.max_item_bytes = max_bytes // 64 if max_item_bytes is None else max_item_bytes
        self.bytes = 0
        self._data: OrderedDict[_Key, tuple[_Parts, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: _Key) -> _Parts | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)  # now the most recently used
            return found[0]

    def put(self, key: _Key, value: _Parts, size: int) -> None:
        if size > self.max_item_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._data[key] = (value, size)
            self.bytes += size
            while len(self._data) > self.max_entries or self.bytes > self.max_bytes:
                self.bytes -= self._data.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


_PARTS = _LruCache(PARTS_CACHE_ENTRIES, PARTS_CACHE_BYTES)


def _offset(value: object) -> timedelta | None:
    return value.utcoffset() if isinstance(value, datetime) else None


class PartsStore(Protocol):
    """Where an entry's rendered parts outlive the process (the archive implements it).

    Entries go in many feeds and seldom change, so a cycle started anew (cron, a restart)
    would otherwise rebuild every entry of every feed it re-renders. Stored parts are found
    by entry id and used only when their render key still matches.
    """

    def load_parts(self, keys: Mapping[str, str]) -> Mapping[str, bytes]:
        """Stored parts by entry id, for the ids whose stored key equals ``keys[id]``."""
        ...

    def save_parts(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Store ``(entry id, render key, parts)``, replacing what the id had."""
        ...


#: Everything an entry's rendering depends on besides its data: this module's code and the
#: libraries that shape the bytes. A change to any of them makes every stored part stale.
RENDER_CODE = hashlib.sha256(
    Path(__file__).read_bytes()
    + f"feedgen {importlib.metadata.version('feedgen')} nh3 {nh3.__version__}".encode()
).hexdigest()


def _render_key(entry: Entry, site: Site) -> str:
    """The stored-parts key: the whole entry (its repr names every field, with offsets),
    the site values an entry's rendering uses, and the rendering code."""
    material = repr((entry, site.title, site.page_url, RENDER_CODE))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


def _pack_parts(parts: _Parts) -> bytes:
    fields = (parts.atom, parts.rss, parts.json, parts.html)
    header = struct.pack("<4I", *map(len, fields))
    return zlib.compress(header + b"".join(fields), 1)


def _unpack_parts(blob: bytes) -> _Parts | None:
    try:
        data = zlib.decompress(blob)
        sizes = struct.unpack_from("<4I", data)
    except (zlib.error, struct.error):
        return None  # damaged: rebuilt and stored again
    if 16 + sum(sizes) != len(data):
        return None
    fields, at = [], 16
    for size in sizes:
        fields.append(data[at : at + size])
        at += size
    return _Parts(*fields)


def _entries_parts(
    entries: Sequence[Entry], site: Site, store: PartsStore | None = None
) -> list[_Parts]:
    """Each entry in all four formats, memoised: one brief sits in many feeds of a build.

    The key holds everything the result depends on. Equal entries can still differ in the
    UTC offsets of their times (equality compares instants), so the offsets are in the key.
    Entries missing from the in-process cache are looked up in ``store``; the rest are made
    together (one serialization for all of them) and stored.
    """
    found: list[_Parts | None] = []
    keys: list[_Key | None] = []
    for entry in entries:
        try:
            key: _Key | None = _Key(
                (
                    entry,
                    site.title,
                    site.page_url,
                    _offset(entry.brief.published_at),
                    _offset(entry.updated_at),
                )
            )
        except TypeError:  # a caller handed in a list where the model says tuple
            key = None
        keys.append(key)
        found.append(_PARTS.get(key) if key is not None else None)
    missing = [i for i, parts in enumerate(found) if parts is None]
    render_keys: dict[int, str] = {}
    if missing and store is not None:
        render_keys = {i: _render_key(entries[i], site) for i in missing}
        stored = store.load_parts({entries[i].id: render_keys[i] for i in missing})
        still_missing = []
        for i in missing:
            blob = stored.get(entries[i].id)
            parts = _unpack_parts(blob) if blob is not None else None
            if parts is None:
                still_missing.append(i)
                continue
            found[i] = parts
            key = keys[i]
            if key is not None:
                size = len(parts.atom) + len(parts.rss) + len(parts.json) + len(parts.html)
                _PARTS.put(key, parts, size + sum(map(len, entries[i].brief.paragraphs)))
        missing = still_missing
    if missing:
        items = [_build_item(entries[i], site.title, site.page_url) for i in missing]
        for i, item, (atom, rss) in zip(missing, items, _entries_xml(items), strict=True):
            parts = _Parts(atom=atom, rss=rss, json=_json_item(item), html=_article(item))
            found[i] = parts
            key = keys[i]
            if key is not None:
                size = len(atom) + len(rss) + len(parts.json) + len(parts.html)
                _PARTS.put(key, parts, size + sum(map(len, entries[i].brief.paragraphs)))
        if store is not None:
            store.save_parts(
                [(entries[i].id, render_keys[i], _pack_parts(found[i])) for i in missing]  # type: ignore[arg-type]
            )
    return found  # type: ignore[return-value]  # every None was filled


# --------------------------------------------------------------------------------------------
# A feed's four files
# --------------------------------------------------------------------------------------------


def render_feed(
    spec: FeedSpec,
    entries: Sequence[Entry],
    site: Site,
    *,
    empty_updated: datetime | None = None,
    parts_store: PartsStore | None = None,
) -> dict[str, bytes]:
    """The feed's files by name relative to ``spec.folder``.

    ``entries`` come newest first, already capped; they keep that order. The feed's
    ``updated`` is the newest ``updated_at`` among them, or ``empty_updated`` for a feed
    without entries (:class:`RenderError` if that is missing too: never the clock).
    The top-level feed (kind ``"all"``) has no ``index.html``: that is :func:`render_index`.
    ``parts_store`` keeps each entry's rendered parts across processes (see
    :class:`PartsStore`); the bytes are the same with or without it.
    """
    if entries:
        updated = max(_aware(e.updated_at, f"updated_at of {e.id}") for e in entries)
    elif empty_updated is not None:
        updated = _aware(empty_updated, "empty_updated")
    else:
        raise RenderError(f"feed {spec.key} has no entries and no empty_updated time")
    hubs = tuple(dict.fromkeys(h for h in (safe_url(h) for h in site.hubs) if h))
    try:
        parts = _entries_parts(entries, site, parts_store)
        atom, rss = _atom_and_rss(spec, parts, site, updated, hubs)
    except (ValueError, TypeError) as exc:  # feedgen/lxml refusing a value
        raise RenderError(f"feed {spec.key}: {exc}") from exc
    files = {"atom.xml": atom, "rss.xml": rss, "feed.json": _json_feed(spec, parts, site, hubs)}
    if spec.kind != "all":
        files["index.html"] = _feed_page(spec, parts, site)
    return files
