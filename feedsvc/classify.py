"""Stage 5: the topics a brief is about and the feeds it belongs to.

Pure: no I/O, no clock. Every brief is in

* the page-wide feed (``all``),
* one topic feed per topic: its byline section (``Business & Tech`` -> ``business-tech``)
  and each keyword topic from ``[[topics]]`` whose keywords match and whose exclude terms
  do not,
* one reporter feed per author (a three-author brief is in three reporter feeds),
* each custom feed from ``[[feeds]]`` whose rules it meets.

Keywords and exclude terms match whole words and phrases, case-insensitively, in the
title, paragraphs, photo captions and related headlines. Inside a term, a space matches
any run of whitespace, an apostrophe matches straight and curly ones, and a hyphen matches
the hyphen and dash variants (``e-commerce`` matches ``e‑commerce``). "Whole word" means a
term that starts (ends) with a letter or digit needs a non-word character or the text edge
before (after) it: ``EV`` does not match ``every``, ``Nio`` does not match ``union``.

Slugs name folders of the output, so :func:`slugify` only ever returns ``[a-z0-9-]`` names
that are safe on every file system.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from feedsvc.config import CustomFeedRule, TopicRule
from feedsvc.errors import ConfigError
from feedsvc.model import Brief, FeedSpec, Topic

MAX_SLUG_LENGTH = 80
HASH_LENGTH = 8

#: Names Windows refuses for a file or folder, whatever the extension.
WINDOWS_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)

ALL_FEED = FeedSpec("all", "all", "All briefs", "Every brief from the page")

# Letters NFKD leaves alone that have a usual ASCII spelling.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "H",
    }
)
_APOSTROPHES = "'’‘ʼ`´′"
_HYPHENS = "-‐‑‒–—―−﹣"
_APOSTROPHE_CLASS = "[" + re.escape(_APOSTROPHES) + "]"
_HYPHEN_CLASS = "[" + re.escape(_HYPHENS) + "]"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_WHITESPACE = re.compile(r"\s+")
_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
# Joins the fields of a brief: not whitespace and not a word character, so no phrase
# matches across two paragraphs and every field starts on a word boundary.
_FIELD_SEPARATOR = "\x00"


# --- slugs -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """The form text is compared in: NFKC, case-folded, whitespace runs as one space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _short_hash(text: str) -> str:
    return hashlib.sha256(_fold(text).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def _to_ascii(text: str) -> tuple[str, bool]:
    """``text`` spelled in ASCII, and whether a letter or digit had no ASCII spelling."""
    out: list[str] = []
    lost = False
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        spelled = (
            unicodedata.normalize("NFKD", char.translate(_TRANSLITERATE))
            .encode("ascii", "ignore")
            .decode("ascii")
        )
        if not any(c.isalnum() for c in spelled) and unicodedata.category(char)[0] in "LN":
            lost = True
        out.append(spelled if char not in _APOSTROPHES else "")
    return "".join(out), lost


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """A folder name for ``text``: ASCII ``[a-z0-9-]``, never empty, at most 80 characters.

    ``"Business & Tech"`` -> ``"business-tech"``; ``"Zoë"`` -> ``"zoe"``. A short hash of
    the text keeps names apart that would otherwise collide or be unusable: it is the whole
    slug for a name with no ASCII letters or digits (``"丁一"`` -> ``"x-…"``), and a suffix
    when letters were dropped, the slug was cut to length, or it is a name Windows reserves
    (``"CON"`` -> ``"con-…"``).
    """
    spelled, lost = _to_ascii(text)
    slug = _NOT_SLUG.sub("-", spelled.replace("'", "").replace("`", "").lower()).strip("-")
    if not slug:
        return "x-" + _short_hash(text)
    if lost or len(slug) > MAX_SLUG_LENGTH:
        head = slug[: MAX_SLUG_LENGTH - HASH_LENGTH - 1].rstrip("-")
        slug = f"{head}-{_short_hash(text)}"
    if slug in WINDOWS_RESERVED_NAMES:
        slug = f"{slug}-{_short_hash(text)}"
    return slug


def reporter_name(name: str) -> str:
    """A byline name as shown, without ``By `` and with single spaces: ``"By  Ding Yi"``."""
    return _BY_PREFIX.sub("", " ".join(name.split()))


def reporter_slug(name: str) -> str:
    """The slug of a reporter's feed; the same for ``By Ding Yi``, ``ding  yi`` and ``Ding Yi``."""
    return slugify(reporter_name(name).casefold())


# --- keyword matching --------------------------------------------------------------------


def _term_pattern(folded: str) -> str:
    parts: list[str] = []
    for char in folded:
        if char == " ":
            parts.append(r"\s+")
        elif char in _APOSTROPHES:
            parts.append(_APOSTROPHE_CLASS)
        elif char in _HYPHENS:
            parts.append(_HYPHEN_CLASS)
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    if _WORD_CHAR.match(folded[0]):
        body = r"(?<!\w)" + body
    if _WORD_CHAR.match(folded[-1]):
        body += r"(?!\w)"
    return body


@dataclass(frozen=True, slots=True)
class _Text:
    """A brief's searchable text, folded, and the set of its words."""

    folded: str
    words: frozenset[str]


@functools.lru_cache(maxsize=4096)
def _phrase_regex(folded: str) -> re.Pattern[str]:
    """The regex of one folded phrase, compiled the first time a text could hold it."""
    return re.compile(_term_pattern(folded))


@dataclass(frozen=True, slots=True)
class _Terms:
    """Keywords: single words by set lookup, phrases by their own regex, compiled lazily.

    A phrase can only match where its first word is a word of the text, and only when
    every one of its words is, so its regex is compiled only when a text holds all of its
    words, and tried only at the places where its first word occurs (``str.find``), never
    scanned over the whole text. Phrases that begin with a non-word character
    (``% stake``) are searched for, once their words are all in the text. Nothing is
    compiled up front: building a classifier costs next to nothing.
    """

    words: frozenset[str]
    needs: dict[str, tuple[tuple[frozenset[str], str], ...]]  # first word -> (words, phrase)
    first_words: frozenset[str]
    loose: tuple[tuple[frozenset[str], str], ...]  # phrases starting with a non-word character

    @classmethod
    def compile(cls, terms: Iterable[str]) -> _Terms:
        words: set[str] = set()
        needs: dict[str, list[tuple[frozenset[str], str]]] = {}
        loose: list[tuple[frozenset[str], str]] = []
        for term in terms:
            folded = _fold(term)
            if not folded:
                continue
            if _WORD.fullmatch(folded):
                words.add(folded)
                continue
            term_words = _WORD.findall(folded)
            if _WORD_CHAR.match(folded):
                needs.setdefault(term_words[0], []).append((frozenset(term_words), folded))
            else:
                loose.append((frozenset(term_words), folded))
        return cls(
            words=frozenset(words),
            needs={first: tuple(n) for first, n in needs.items()},
            first_words=frozenset(needs),
            loose=tuple(loose),
        )

    def __bool__(self) -> bool:
        return bool(self.words) or bool(self.needs) or bool(self.loose)

    def search(self, text: _Text) -> bool:
        words = text.words
        if not self.words.isdisjoint(words):
            return True
        folded = text.folded
        for first in self.first_words & words:
            for needed, phrase in self.needs[first]:
                if not needed <= words:
                    continue
                match = _phrase_regex(phrase).match
                at = folded.find(first)
                while at != -1:
                    if match(folded, at):
                        return True
                    at = folded.find(first, at + 1)
        for needed, phrase in self.loose:
            if needed <= words and _phrase_regex(phrase).search(folded) is not None:
                return True
        return False


def _brief_text(brief: Brief) -> _Text:
    fields = [brief.title, *brief.paragraphs, *brief.captions, *(r.title for r in brief.related)]
    joined = _FIELD_SEPARATOR.join(fields)
    if not unicodedata.is_normalized("NFKC", joined):
        joined = unicodedata.normalize("NFKC", joined)
    folded = joined.casefold()
    return _Text(folded, frozenset(_WORD.findall(folded)))


# --- the classifier ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _KeywordTopic:
    topic: Topic
    keywords: _Terms
    exclude: _Terms


@dataclass(frozen=True, slots=True)
class _CustomFeed:
    spec: FeedSpec
    include_topics: frozenset[str]
    exclude_topics: frozenset[str]
    include_reporters: frozenset[str]
    exclude_reporters: frozenset[str]
    include_keywords: _Terms
    exclude_keywords: _Terms

    @classmethod
    def compile(cls, rule: CustomFeedRule) -> _CustomFeed:
        return cls(
            spec=FeedSpec("custom", rule.slug, rule.title, rule.description or rule.title),
            # a topic may be named by its slug or its label: "business-tech", "Business & Tech"
            include_topics=frozenset(slugify(t) for t in rule.include_topics),
            exclude_topics=frozenset(slugify(t) for t in rule.exclude_topics),
            include_reporters=frozenset(reporter_slug(r) for r in rule.include_reporters),
            exclude_reporters=frozenset(reporter_slug(r) for r in rule.exclude_reporters),
            include_keywords=_Terms.compile(rule.include_keywords),
            exclude_keywords=_Terms.compile(rule.exclude_keywords),
        )

    def matches(self, topics: frozenset[str], reporters: frozenset[str], text: _Text) -> bool:
        if self.include_topics and self.include_topics.isdisjoint(topics):
            return False
        if self.include_reporters and self.include_reporters.isdisjoint(reporters):
            return False
        if self.include_keywords and not self.include_keywords.search(text):
            return False
        return (
            self.exclude_topics.isdisjoint(topics)
            and self.exclude_reporters.isdisjoint(reporters)
            and not self.exclude_keywords.search(text)
        )


def _check_slug(slug: str, where: str) -> None:
    if slugify(slug) != slug:
        raise ConfigError(
            f"{where} slug {slug!r} cannot name a folder on every system; use {slugify(slug)!r}"
        )


def topic_feed(topic: Topic) -> FeedSpec:
    """The feed of one topic."""
    return FeedSpec("topic", topic.slug, topic.label, f"Briefs about {topic.label}")


class Classifier:
    """Decides topics and feeds per brief; the keyword regexes are compiled once, on first use."""

    def __init__(self, topics: Sequence[TopicRule], feeds: Sequence[CustomFeedRule]) -> None:
        for rule in topics:
            _check_slug(rule.slug, "[[topics]]")
        for feed in feeds:
            _check_slug(feed.slug, "[[feeds]]")
        self._topic_rules = tuple(topics)
        self._feed_rules = tuple(feeds)
        self._configured_topics = {rule.slug: Topic(rule.slug, rule.title) for rule in topics}
        self._configured_feeds = tuple(
            FeedSpec("custom", rule.slug, rule.title, rule.description or rule.title)
            for rule in feeds
        )
        self._last: tuple[Brief, _Text] | None = None

    # The keyword regexes are compiled on first use: a cycle whose page is unchanged
    # classifies nothing and should not pay for them.

    @functools.cached_property
    def _topics(self) -> tuple[_KeywordTopic, ...]:
        return tuple(
            _KeywordTopic(
                Topic(rule.slug, rule.title),
                _Terms.compile(rule.keywords),
                _Terms.compile(rule.exclude),
            )
            for rule in self._topic_rules
        )

    @functools.cached_property
    def _feeds(self) -> tuple[_CustomFeed, ...]:
        return tuple(_CustomFeed.compile(rule) for rule in self._feed_rules)

    def _text(self, brief: Brief) -> _Text:
        # topics_for and feeds_for are called back to back for the same brief
        last = self._last
        if last is not None and last[0] is brief:
            return last[1]
        text = _brief_text(brief)
        self._last = (brief, text)
        return text

    def topics_for(self, brief: Brief) -> tuple[Topic, ...]:
        """The byline section's topic first, then each matching keyword topic in config order.

        A configured topic whose slug is the section's slug stands for the section (so its
        feed has one title), and is listed once.
        """
        found: dict[str, Topic] = {}
        section = " ".join(brief.section.split())
        if section:
            slug = slugify(section)
            found[slug] = self._configured_topics.get(slug) or Topic(slug, section)
        text = self._text(brief)
        for rule in self._topics:
            slug = rule.topic.slug
            if slug not in found and rule.keywords.search(text) and not rule.exclude.search(text):
                found[slug] = rule.topic
        return tuple(found.values())

    def feeds_for(self, brief: Brief, topics: Sequence[Topic]) -> tuple[FeedSpec, ...]:
        """Every feed the brief is in: all, its topics, its reporters, matching custom feeds."""
        specs: dict[str, FeedSpec] = {ALL_FEED.key: ALL_FEED}
        for topic in topics:
            spec = topic_feed(topic)
            specs.setdefault(spec.key, spec)
        reporters: set[str] = set()
        for author in brief.authors:
            name = reporter_name(author)
            if not name:
                continue
            slug = reporter_slug(name)
            reporters.add(slug)
            spec = FeedSpec("reporter", slug, name, f"Briefs by {name}")
            specs.setdefault(spec.key, spec)
        if self._feeds:
            text = self._text(brief)
            topic_slugs = frozenset(t.slug for t in topics)
            reporter_slugs = frozenset(reporters)
            for feed in self._feeds:
                if feed.matches(topic_slugs, reporter_slugs, text):
                    specs.setdefault(feed.spec.key, feed.spec)
        return tuple(specs.values())

    def configured_feeds(self) -> tuple[FeedSpec, ...]:
        """The feeds config.toml names (they exist even when empty), after the all feed."""
        return (
            ALL_FEED,
            *(topic_feed(Topic(rule.slug, rule.title)) for rule in self._topic_rules),
            *self._configured_feeds,
        )
