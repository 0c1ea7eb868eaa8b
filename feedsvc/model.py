"""The small, frozen values that travel between the stages.

``parse`` makes :class:`Brief`; ``archive`` turns a brief into an :class:`Entry` (stable id,
first-seen and updated times); ``classify`` adds topics and decides which :class:`FeedSpec`
each entry belongs to; ``render`` turns a spec plus its entries into bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

TitleSource = Literal["headline", "derived"]
ContactRole = Literal["reporter", "editor"]
FeedKind = Literal["all", "topic", "reporter", "custom"]

#: Output sub-folder per feed kind; the page-wide feed lives at the top of the output folder.
FEED_KIND_FOLDERS: dict[str, str] = {"topic": "topics", "reporter": "reporters", "custom": "feeds"}


@dataclass(frozen=True, slots=True)
class Contact:
    """``Contact reporter Ding Yi (dingyi@caixin.com)``: role, name and e-mail when known."""

    role: ContactRole
    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """``Related: HEADLINE``: the headline and its absolute URL when the markup held one."""

    title: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Brief:
    """One brief as the page shows it, in page order (``position`` 0 is the top one)."""

    title: str
    title_source: TitleSource
    authors: tuple[str, ...]
    published_at: datetime  # aware, in the page's zone (+08:00 for Caixin)
    section: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    full_story_url: str | None = None
    position: int = 0
    byline: str = ""  # the byline line as shown, to name the brief in messages


@dataclass(frozen=True, slots=True)
class ParseResult:
    """Briefs in page order, plus one warning per brief that had to be skipped."""

    briefs: tuple[Brief, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic an entry belongs to: the byline section or a keyword topic from config."""

    slug: str
    label: str


@dataclass(frozen=True, slots=True)
class Entry:
    """A brief as kept in the archive: stable id, where it was seen, when it first/last changed."""

    id: str
    brief: Brief
    page_url: str
    first_seen_at: datetime  # aware
    updated_at: datetime  # aware; the byline time until an edit is seen
    content_hash: str
    topics: tuple[Topic, ...] = ()

    @property
    def link(self) -> str:
        """Where a reader lands: the full story when the brief links one, else the page."""
        return self.brief.full_story_url or self.page_url


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One published feed: the page-wide one, a topic, a reporter or a custom filtered feed."""

    kind: FeedKind
    slug: str
    title: str
    description: str

    @property
    def folder(self) -> str:
        """Folder of the feed's files relative to the output folder (``""`` for the top)."""
        if self.kind == "all":
            return ""
        return f"{FEED_KIND_FOLDERS[self.kind]}/{self.slug}"

    @property
    def key(self) -> str:
        """Unique name of the feed, used in the archive and the publish manifest."""
        return self.folder or "all"


@dataclass(frozen=True, slots=True)
class FeedSummary:
    """What the index page and OPML list for a feed."""

    spec: FeedSpec
    entry_count: int
    updated_at: datetime | None  # newest entry's updated time; None for an empty feed


@dataclass(frozen=True, slots=True)
class Site:
    """Site-wide settings the renderer needs; from the ``[site]`` table of config.toml."""

    title: str
    base_url: str  # public URL of the output folder, ending in "/"
    page_url: str  # the roundup page the feeds come from (alternate link)
    language: str = "en"
    max_entries: int = 50
    hubs: tuple[str, ...] = ()
    generator: str = "feedsvc"
    extra_page_urls: tuple[str, ...] = field(default=())
