"""Who a brief is: stable ids, content hashes and likeness, all pure functions.

The archive (stage 4) asks three questions of every brief it is handed:

* *Which id would a new brief get?* :func:`mint_id` builds an RFC 4151 tag URI from the
  published minute and a fingerprint of the brief's lead, never from the page URL, the page
  position, the title (page variants differ there) or the authors (``By `` comes and goes).
* *Did the brief change?* :func:`content_hash` hashes the content a reader sees, after
  typography has been normalised, so ``’`` versus ``'`` or a doubled space is no edit.
* *Is this the brief we archived earlier under another time or reporter?*
  :func:`paragraph_keys` gives index keys to find candidates, :func:`similarity` decides.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache

from feedsvc.model import Brief

#: How many normalised words of the lead paragraph make its fingerprint.
LEAD_WORDS = 12
#: A paragraph at most this long that ends with ``?`` is a sub-heading, not the lead
#: (Trending Stories briefs open with ``What’s trending?``).
SUBHEADING_MAX_CHARS = 60
#: Paragraphs shorter than this (normalised) get no paragraph key: too generic to identify.
PARAGRAPH_KEY_MIN_CHARS = 40
#: Words per shingle in :func:`similarity`.
SHINGLE_WORDS = 3
#: The specific part of every minted tag starts with this.
TAG_NAMESPACE = "cx-live"

# Characters that are typography, not content. NFKC already turns ``…`` into ``...``, the
# no-break and thin spaces into a space and ``－`` into ``-``; quotes and dashes it keeps.
_QUOTES = "\u2018\u2019\u201a\u201b\u2032\u2035\u02bc\u02bb\u0060\u00b4"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\u2036\u301d\u301e"
# Every character of Unicode category Pd (dash punctuation), plus the minus sign and the
# hyphen bullet, which readers take for a dash.
_DASHES = (
    "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a"
    "\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u2212\u2043"
)
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys(_QUOTES, "'"),
        **dict.fromkeys(_DOUBLE_QUOTES, '"'),
        **dict.fromkeys(_DASHES, "-"),
        **dict.fromkeys(_INVISIBLE, None),
    }
)
_WORD = re.compile(r"[^\W_]+")
_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)

_DNS_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DNS_NAME = rf"{_DNS_LABEL}(?:\.{_DNS_LABEL})*"
#: RFC 4151 ``authorityName``: a DNS name or an e-mail address.
_AUTHORITY = re.compile(rf"^(?:{_DNS_NAME}|[A-Za-z0-9._-]+@{_DNS_NAME})$")


@lru_cache(maxsize=16384)
def _typography(s: str) -> str:
    """``s`` with typography and whitespace normalised, case kept."""
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    # str.split() splits on every Unicode space, so this also collapses and strips
    return " ".join(s.translate(_TYPOGRAPHY).split())


def normalize_text(s: str) -> str:
    """Fold ``s`` so that typography and whitespace do not count.

    NFKC; curly quotes and apostrophes become straight; every dash becomes ``-``; ``…``
    becomes ``...``; no-break, thin and other spaces become a space; zero-width characters
    and soft hyphens go; whitespace runs collapse; the ends are stripped; case is folded.

    >>> normalize_text("  China\u2019s\u00a0chip \u2013 makers\u2026 ")
    "china's chip - makers..."
    """
    return _typography(s).casefold()


def normalize_author(name: str) -> str:
    """A reporter's name without a leading ``By ``/``by ``, normalised like text."""
    return normalize_text(_BY_PREFIX.sub("", _typography(name)))


@lru_cache(maxsize=16384)
def _words(s: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize_text(s)))


def _sha256(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _require_aware(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {dt.isoformat()}")
    return dt


def is_subheading(paragraph: str) -> bool:
    """True for a short question line such as ``What’s trending?``: not the lead."""
    text = normalize_text(paragraph)
    return text.endswith("?") and len(text) <= SUBHEADING_MAX_CHARS


def lead_fingerprint(brief: Brief) -> str:
    """The words that identify a brief: the first :data:`LEAD_WORDS` words of its lead.

    The lead is the first paragraph that is not a sub-heading and holds a word; a brief
    without paragraphs falls back to its captions, then to its authors and section.
    """
    for paragraph in brief.paragraphs:
        if is_subheading(paragraph):
            continue
        words = _words(paragraph)
        if words:
            return "p:" + " ".join(words[:LEAD_WORDS])
    for caption in brief.captions:
        words = _words(caption)
        if words:
            return "c:" + " ".join(words[:LEAD_WORDS])
    authors = ",".join(normalize_author(a) for a in brief.authors)
    return f"a:{authors}/{normalize_text(brief.section)}"


def lead_key(brief: Brief) -> str:
    """12 hex digits of the hash of :func:`lead_fingerprint`; part of the minted id."""
    return _sha256(lead_fingerprint(brief))[:12]


def mint_id(brief: Brief, *, authority: str = "caixinglobal.com") -> str:
    """The id a brief gets when it is first archived: an RFC 4151 tag URI.

    ``tag:caixinglobal.com,2021-01-19:cx-live/1827-3f9a0c1e2b7d``: the date and ``HHMM`` are
    the published minute in the brief's own zone, the hex part is :func:`lead_key`.
    """
    if not _AUTHORITY.match(authority):
        raise ValueError(f"not a DNS name or e-mail address for a tag URI: {authority!r}")
    local = _require_aware(brief.published_at, "published_at")
    return f"tag:{authority},{local:%Y-%m-%d}:{TAG_NAMESPACE}/{local:%H%M}-{lead_key(brief)}"


def published_minute(brief: Brief) -> int:
    """Minutes since the Unix epoch of the brief's published time (UTC, seconds dropped)."""
    published = _require_aware(brief.published_at, "published_at")
    return int(published.timestamp()) // 60


def content_hash(brief: Brief) -> str:
    """SHA-256 (hex) of what a reader sees of the brief, typography normalised.

    Covers the title (only a real headline: a derived one depends on the parser), authors
    (``By `` dropped), the published minute, section, paragraphs, captions, contacts with
    their e-mails, related titles and URLs and the full-story URL. Not the page position and
    not the byline as written. Text keeps its case, so a capitalisation fix is an edit;
    names, sections and e-mails are compared case-folded.
    """
    minute = datetime.fromtimestamp(published_minute(brief) * 60, UTC)
    fields = {
        "title": _typography(brief.title) if brief.title_source == "headline" else "",
        "authors": [normalize_author(a) for a in brief.authors],
        "published": minute.strftime("%Y-%m-%dT%H:%MZ"),
        "section": normalize_text(brief.section),
        "paragraphs": [_typography(p) for p in brief.paragraphs],
        "captions": [_typography(c) for c in brief.captions],
        "contacts": [
            [c.role, normalize_author(c.name), (c.email or "").strip().casefold()]
            for c in brief.contacts
        ],
        "related": [[_typography(r.title), (r.url or "").strip()] for r in brief.related],
        "full_story_url": (brief.full_story_url or "").strip(),
    }
    return _sha256(json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def paragraph_keys(brief: Brief) -> tuple[str, ...]:
    """16-hex-digit keys of each paragraph of at least :data:`PARAGRAPH_KEY_MIN_CHARS`.

    Keys hash the paragraph's normalised words, so punctuation and typography do not
    count; the archive indexes them to find a brief whose byline time or reporter changed.
    Duplicates are dropped; page order is kept.
    """
    keys: dict[str, None] = {}
    for paragraph in brief.paragraphs:
        if len(normalize_text(paragraph)) < PARAGRAPH_KEY_MIN_CHARS:
            continue
        keys[_sha256(" ".join(_words(paragraph)))[:16]] = None
    return tuple(keys)


def body_words(brief: Brief) -> tuple[str, ...]:
    """The normalised words of the body: the paragraphs, or the captions when there are none."""
    texts = brief.paragraphs or brief.captions
    return tuple(word for text in texts for word in _words(text))


@lru_cache(maxsize=4096)
def _shingles(brief: Brief) -> frozenset[tuple[str, ...]]:
    words = body_words(brief)
    if len(words) < SHINGLE_WORDS:
        return frozenset([words]) if words else frozenset()
    return frozenset(words[i : i + SHINGLE_WORDS] for i in range(len(words) - SHINGLE_WORDS + 1))


def similarity(a: Brief, b: Brief) -> float:
    """How much of the shorter body the longer one contains, 0.0 to 1.0.

    Containment of word 3-gram shingles, ``|A ∩ B| / min(|A|, |B|)``: a typo fix scores a
    little under 1, an appended paragraph scores 1. Two empty bodies score 1, one empty 0.
    """
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 1.0 if not sa and not sb else 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def body_tag(brief: Brief) -> str:
    """6 hex digits of the hash of the body: the suffix that tells apart two briefs whose
    minted ids collide (same lead, same minute, different body)."""
    return _sha256(" ".join(body_words(brief)))[:6]
