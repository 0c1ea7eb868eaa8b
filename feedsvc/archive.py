"""Stage 4: the archive, every brief ever seen under a stable id, in one SQLite file.

The archive owns all state I/O of feedsvc: entries and their paragraphs and pages, feed
membership (filled by the classify stage), feeds waiting to be rendered ("dirty"), HTTP
validators per page and a small key/value table. One file, WAL journal, foreign keys on,
schema versioned with ``PRAGMA user_version`` and migrated in order by :data:`MIGRATIONS`.

How :meth:`Archive.record` keeps one id per brief (a reader must get each brief once):

1. Candidates for an incoming brief come from indexes only: the entry holding its minted
   id, entries of the same published minute, entries sharing a paragraph key, entries
   sharing its lead key. Keys shared by more than :data:`COMMON_KEY_LIMIT` entries are
   boilerplate and ignored.
2. A candidate is acceptable when it has the same published minute and a body similarity
   of at least :data:`SAME_MINUTE_SIMILARITY`, or a similarity of at least
   :data:`MOVED_SIMILARITY` within :data:`MAX_TIME_CORRECTION`. Acceptable pairs are taken
   best first (similarity, same minute, minted id, nearest time); an entry goes to at
   most one brief of a call and a brief to at most one entry, so two briefs of one page
   never merge.
3. A matched brief is merged with the entry (a headline beats a derived title; a known
   e-mail, related URL or full-story URL is not replaced by none) and the entry is
   rewritten, with ``updated_at = seen_at``, only when the merged content hash differs.
   A page showing the same version it showed last time is no edit, so two pages with
   slightly different markup of one brief cannot flip it back and forth.
4. An unmatched brief is inserted under its minted id (a body-hash suffix when the id is
   taken) with ``first_seen_at = seen_at`` and ``updated_at = published_at``.

Changes that alter a feed's output mark the feed dirty in the same transaction.
"""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from feedsvc.errors import ArchiveError
from feedsvc.identity import (
    body_tag,
    content_hash,
    lead_key,
    mint_id,
    normalize_author,
    normalize_text,
    paragraph_keys,
    published_minute,
    similarity,
)
from feedsvc.model import Brief, Contact, Entry, FeedSpec, RelatedLink, Topic

#: Same published minute: this much body likeness makes it the same brief (typo fixes,
#: appended paragraphs, a corrected reporter).
SAME_MINUTE_SIMILARITY = 0.5
#: Another minute: the body must be nearly unchanged (a corrected byline time) ...
MOVED_SIMILARITY = 0.8
#: ... and the times at most this far apart.
MAX_TIME_CORRECTION = timedelta(days=30)
#: A paragraph or lead key found in more entries than this is boilerplate, not identity.
COMMON_KEY_LIMIT = 50
#: How long a writer waits for another one before giving up.
DEFAULT_BUSY_TIMEOUT = 5.0
#: SQLite caps host parameters per statement; lookups by many ids go in chunks of this.
_CHUNK = 500

#: The newest (updated_us, entry_id) of a feed: a backward walk of entry_feeds_by_updated.
_NEWEST_OF = (
    "SELECT updated_us, entry_id FROM entry_feeds WHERE feed_key = {feed} "
    "ORDER BY updated_us DESC, entry_id DESC LIMIT 1"
)
#: In a trigger on entry_feeds: the new row beats the feed's newest entry.
_NEWER = (
    "newest_us IS NULL OR new.updated_us > newest_us "
    "OR (new.updated_us = newest_us AND new.entry_id > newest_entry)"
)

#: Schema history: step N (1-based) brings ``user_version`` from N-1 to N. Never edit a
#: released step; append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the archive
    (
        """CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            published_at INTEGER NOT NULL,      -- epoch seconds (UTC); exact value in brief
            section TEXT NOT NULL,
            page_url TEXT NOT NULL,             -- the page the entry was first seen on
            first_seen_at TEXT NOT NULL,        -- ISO 8601 with offset
            updated_at TEXT NOT NULL,           -- ISO 8601 with offset
            updated_us INTEGER NOT NULL,        -- updated_at as epoch microseconds
            last_seen_us INTEGER NOT NULL,      -- epoch microseconds
            content_hash TEXT NOT NULL,
            lead_key TEXT NOT NULL,
            brief TEXT NOT NULL,                -- the whole Brief as JSON (zlib BLOB from v3)
            topics TEXT NOT NULL DEFAULT '[]'   -- [[slug, label], ...]
        )""",
        "CREATE INDEX entries_by_published ON entries(published_at DESC, id)",
        "CREATE INDEX entries_by_lead ON entries(lead_key)",
        """CREATE TABLE entry_paragraphs (
            key TEXT NOT NULL,
            entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            PRIMARY KEY (key, entry_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX entry_paragraphs_by_entry ON entry_paragraphs(entry_id)",
        """CREATE TABLE entry_pages (
            entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            page_url TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            last_seen_us INTEGER NOT NULL,
            page_hash TEXT NOT NULL,            -- content hash of the brief as this page shows it
            PRIMARY KEY (entry_id, page_url)
        ) WITHOUT ROWID""",
        """CREATE TABLE feeds (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            slug TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            registered INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE entry_feeds (
            feed_key TEXT NOT NULL REFERENCES feeds(key) ON DELETE CASCADE,
            entry_id TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            published_at INTEGER NOT NULL,      -- copies of the entry's columns, for the indexes
            updated_us INTEGER NOT NULL,
            PRIMARY KEY (entry_id, feed_key)
        ) WITHOUT ROWID""",
        "CREATE INDEX entry_feeds_by_time ON entry_feeds(feed_key, published_at DESC, entry_id)",
        "CREATE INDEX entry_feeds_by_updated ON entry_feeds(feed_key, updated_us)",
        "CREATE TABLE dirty_feeds (key TEXT PRIMARY KEY) WITHOUT ROWID",
        """CREATE TABLE pages (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            last_good_count INTEGER NOT NULL DEFAULT 0,
            last_success_at TEXT
        )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    ),
    # 2: prune finds stale entries by index
    ("CREATE INDEX entries_by_last_seen ON entries(last_seen_us)",),
    # 3: per-feed statistics kept up to date by triggers, in the transaction of each change,
    # so a cycle reads them from one small table instead of counting the archive
    (
        "ALTER TABLE feeds ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE feeds ADD COLUMN newest_us INTEGER",  # the newest updated_us of its entries
        "ALTER TABLE feeds ADD COLUMN newest_entry TEXT",  # the entry that has it
        """UPDATE feeds SET
            entry_count = (SELECT count(*) FROM entry_feeds WHERE feed_key = feeds.key)""",
        f"UPDATE feeds SET (newest_us, newest_entry) = ({_NEWEST_OF.format(feed='feeds.key')})",
        f"""CREATE TRIGGER entry_feeds_stats_insert AFTER INSERT ON entry_feeds BEGIN
            UPDATE feeds SET
                entry_count = entry_count + 1,
                newest_us = CASE WHEN {_NEWER} THEN new.updated_us ELSE newest_us END,
                newest_entry = CASE WHEN {_NEWER} THEN new.entry_id ELSE newest_entry END
            WHERE key = new.feed_key;
        END""",
        f"""CREATE TRIGGER entry_feeds_stats_delete AFTER DELETE ON entry_feeds BEGIN
            UPDATE feeds SET entry_count = entry_count - 1 WHERE key = old.feed_key;
            UPDATE feeds SET
                (newest_us, newest_entry) = ({_NEWEST_OF.format(feed="old.feed_key")})
            WHERE key = old.feed_key AND newest_entry = old.entry_id;
        END""",
        f"""CREATE TRIGGER entry_feeds_stats_update AFTER UPDATE OF updated_us ON entry_feeds
        BEGIN
            UPDATE feeds SET
                (newest_us, newest_entry) = ({_NEWEST_OF.format(feed="new.feed_key")})
            WHERE key = new.feed_key
                AND (newest_entry = old.entry_id OR {_NEWER});
        END""",
    ),
    # 4: each entry's last rendering (render.PartsStore), so a cycle in a new process does
    # not rebuild the parts of the entries it did not change in every feed it re-renders
    (
        """CREATE TABLE rendered_parts (
            entry_id TEXT PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
            render_key TEXT NOT NULL,
            parts BLOB NOT NULL
        ) WITHOUT ROWID""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

#: The index lookups that find candidates for an incoming brief (see :meth:`Archive.record`).
CANDIDATE_QUERIES: dict[str, str] = {
    "id": "SELECT id FROM entries WHERE id = ?",
    "minute": "SELECT id FROM entries WHERE published_at >= ? AND published_at < ?",
    "paragraph": "SELECT entry_id FROM entry_paragraphs WHERE key = ? LIMIT ?",
    "lead": "SELECT id FROM entries WHERE lead_key = ? LIMIT ?",
}

_ENTRY_COLUMNS = "id, page_url, first_seen_at, updated_at, content_hash, brief, topics"
_ENTRY_COLUMNS_E = ", ".join(f"e.{c.strip()}" for c in _ENTRY_COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What :meth:`Archive.record` did: the entries in page order and the ids by outcome."""

    entries: tuple[Entry, ...]
    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PageState:
    """What is remembered about a fetched page: HTTP validators and the last good parse."""

    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_good_count: int = 0
    last_success_at: datetime | None = None


_PAGE_FIELDS = tuple(f.name for f in fields(PageState))

P = ParamSpec("P")
R = TypeVar("R")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``sqlite3.Error`` raised by ``method`` into an :class:`ArchiveError`."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as exc:
            archive = args[0]
            assert isinstance(archive, Archive)
            raise ArchiveError(f"archive {archive.path}: {_one_line(exc)}") from exc

    return wrapper


# --- values <-> columns ---------------------------------------------------------------


def _aware(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {dt.isoformat()}")
    return dt


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(dt: datetime) -> int:
    return (dt - _EPOCH) // timedelta(microseconds=1)


def _brief_to_json(brief: Brief) -> str:
    data = {
        "title": brief.title,
        "title_source": brief.title_source,
        "authors": list(brief.authors),
        "published_at": brief.published_at.isoformat(),
        "section": brief.section,
        "paragraphs": list(brief.paragraphs),
        "captions": list(brief.captions),
        "contacts": [[c.role, c.name, c.email] for c in brief.contacts],
        "related": [[r.title, r.url] for r in brief.related],
        "full_story_url": brief.full_story_url,
        "position": brief.position,
        "byline": brief.byline,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _brief_to_column(brief: Brief) -> bytes:
    """The brief as stored: its JSON, zlib-compressed (a BLOB).

    A brief's text is 2-4 KB and compresses to about half of that (level 1 packs nearly as
    tight as level 6 on such short text, at a third of the time): rows shrink from one per
    database page to several, and the file (and every read of it) with them. Rows
    written before schema step 3 hold the JSON as TEXT; :func:`_brief_from_column` reads
    both, so no migration has to rewrite them.
    """
    return zlib.compress(_brief_to_json(brief).encode("utf-8"), 1)


def _brief_from_column(value: str | bytes) -> Brief:
    if isinstance(value, bytes):
        return _brief_from_blob(value)
    return _brief_from_json(value)


@functools.lru_cache(maxsize=1024)
def _brief_from_blob(value: bytes) -> Brief:
    # Cached: one brief sits in several feeds (all, its topics, its reporters), each read
    # on its own; a Brief is immutable, so the feeds can share one.
    return _brief_from_json(zlib.decompress(value).decode("utf-8"))


def _brief_from_json(text: str) -> Brief:
    data = json.loads(text)
    return Brief(
        title=data["title"],
        title_source=data["title_source"],
        authors=tuple(data["authors"]),
        published_at=datetime.fromisoformat(data["published_at"]),
        section=data["section"],
        paragraphs=tuple(data["paragraphs"]),
        captions=tuple(data["captions"]),
        contacts=tuple(Contact(role, name, email) for role, name, email in data["contacts"]),
        related=tuple(RelatedLink(title, url) for title, url in data["related"]),
        full_story_url=data["full_story_url"],
        position=data["position"],
        byline=data["byline"],
    )


def _topics_to_json(topics: Sequence[Topic]) -> str:
    return json.dumps([[t.slug, t.label] for t in topics], ensure_ascii=False)


def _entry_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Entry:
    entry_id, page_url, first_seen_at, updated_at, chash, brief, topics = row
    return Entry(
        id=entry_id,
        brief=_brief_from_column(brief),
        page_url=page_url,
        first_seen_at=datetime.fromisoformat(first_seen_at),
        updated_at=datetime.fromisoformat(updated_at),
        content_hash=chash,
        topics=tuple(Topic(slug, label) for slug, label in json.loads(topics)),
    )


# --- merging two sightings of one brief ---------------------------------------------------


def _merge_contacts(old: tuple[Contact, ...], new: tuple[Contact, ...]) -> tuple[Contact, ...]:
    if not new:
        return old
    known = {(c.role, normalize_author(c.name)): c.email for c in old if c.email}
    by_name = {normalize_author(c.name): c.email for c in old if c.email}
    merged = []
    for contact in new:
        if contact.email is None:
            name = normalize_author(contact.name)
            email = known.get((contact.role, name)) or by_name.get(name)
            contact = replace(contact, email=email)
        merged.append(contact)
    return tuple(merged)


def _merge_related(
    old: tuple[RelatedLink, ...], new: tuple[RelatedLink, ...]
) -> tuple[RelatedLink, ...]:
    if not new:
        return old
    known = {normalize_text(r.title): r.url for r in old if r.url}
    return tuple(
        link if link.url else replace(link, url=known.get(normalize_text(link.title)))
        for link in new
    )


def merge_briefs(old: Brief, new: Brief, *, same_page: bool = True) -> Brief:
    """``new`` with the better-known values of ``old`` kept.

    The /live/ page and a section page show one brief with different markup: a headline
    title beats a derived one, and a known e-mail, related URL or full-story URL is not
    replaced by ``None`` (nor a contact or related list by an empty one). A headline from
    another page than the one the entry was first seen on never replaces the entry's own
    headline (``same_page=False``): each page's wording would otherwise flip the title, and
    readers would see a seemingly edited entry, every time the other page is read.
    """
    merged = replace(
        new,
        contacts=_merge_contacts(old.contacts, new.contacts),
        related=_merge_related(old.related, new.related),
        full_story_url=new.full_story_url or old.full_story_url,
    )
    new_headline = new.title_source == "headline" and same_page
    if old.title_source == "headline" and not new_headline:
        merged = replace(merged, title=old.title, title_source=old.title_source)
    return merged


# --- one record() call --------------------------------------------------------------------


@dataclass(slots=True)
class _Incoming:
    brief: Brief
    index: int
    minted: str
    minute: int
    published: int  # epoch seconds
    chash: str
    lead: str
    keys: tuple[str, ...]


@dataclass(slots=True)
class _Stored:
    entry: Entry
    published: int
    minute: int


class Archive:
    """The state database. Open with :meth:`open`; use as a context manager to close it."""

    def __init__(self, conn: sqlite3.Connection, path: Path, *, authority: str) -> None:
        self._conn = conn
        self.path = path
        self._authority = authority
        self._depth = 0

    # --- opening and closing ------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        authority: str = "caixinglobal.com",
    ) -> Archive:
        """Open (creating if needed) and migrate the archive at ``path``.

        Raises :class:`ArchiveError` with a one-line reason when the file cannot be
        created or read, is not an SQLite database, or has a newer schema than this code.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create folder for archive {path}: {exc.strerror}") from exc
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            _migrate(conn, path)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise ArchiveError(f"cannot open archive {path}: {_one_line(exc)}") from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return cls(conn, path, authority=authority)

    def close(self) -> None:
        """Close the database; further calls raise :class:`ArchiveError`."""
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- rendered parts (render.PartsStore) -------------------------------------------

    @_translated
    def load_parts(self, keys: Mapping[str, str]) -> dict[str, bytes]:
        """Stored parts by entry id, for the ids whose stored render key equals ``keys[id]``."""
        found: dict[str, bytes] = {}
        ids = list(keys)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self._conn.execute(
                "SELECT entry_id, render_key, parts FROM rendered_parts "
                f"WHERE entry_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found.update((row[0], row[2]) for row in rows if keys[row[0]] == row[1])
        return found

    @_translated
    def save_parts(self, items: Sequence[tuple[str, str, bytes]]) -> None:
        """Store ``(entry id, render key, parts)``; ids no longer in the archive are skipped."""
        if not items:
            return
        with self.transaction():
            self._conn.executemany(
                """INSERT INTO rendered_parts (entry_id, render_key, parts)
                   SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?1)
                   ON CONFLICT (entry_id) DO UPDATE
                   SET render_key = excluded.render_key, parts = excluded.parts""",
                items,
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on an exception.

        A nested call joins the outer transaction (as a savepoint: an exception inside it
        undoes only its own work if the caller catches it).
        """
        if self._depth:
            name = f"nested_{self._depth}"
            self._execute_translated(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._conn.in_transaction:  # SQLite may have rolled back already
                    self._execute_translated(f"ROLLBACK TO {name}")
                    self._execute_translated(f"RELEASE {name}")
                raise
            self._depth -= 1
            self._execute_translated(f"RELEASE {name}")
            return
        self._execute_translated("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            if self._conn.in_transaction:
                self._conn.rollback()
            raise
        self._depth = 0
        try:
            self._execute_translated("COMMIT")
        except ArchiveError:
            if self._conn.in_transaction:
                self._conn.rollback()
            raise

    def _execute_translated(self, sql: str) -> None:
        try:
            self._conn.execute(sql)
        except sqlite3.Error as exc:
            raise ArchiveError(f"archive {self.path}: {_one_line(exc)}") from exc

    # --- identity and storage -----------------------------------------------------------

    @_translated
    def record(self, briefs: Sequence[Brief], *, page_url: str, seen_at: datetime) -> RecordResult:
        """Store the briefs of one page, seen at ``seen_at``; see the module docstring."""
        _aware(seen_at, "seen_at")
        incoming = [self._prepare(i, brief) for i, brief in enumerate(briefs)]
        with self.transaction():
            candidates = [self._candidate_ids(inc) for inc in incoming]
            stored = self._load({cid for ids in candidates for cid in ids})
            matches = _assign(incoming, candidates, stored)
            entries: list[Entry] = []
            new: list[str] = []
            updated: list[str] = []
            unchanged: list[str] = []
            for inc in incoming:
                match = matches.get(inc.index)
                if match is None:
                    entry = self._insert(inc, page_url=page_url, seen_at=seen_at)
                    new.append(entry.id)
                else:
                    entry, changed = self._update(
                        stored[match].entry, inc, page_url=page_url, seen_at=seen_at
                    )
                    (updated if changed else unchanged).append(entry.id)
                # the entry as this page shows it: in this page's order
                entries.append(
                    replace(entry, brief=replace(entry.brief, position=inc.brief.position))
                )
        return RecordResult(tuple(entries), tuple(new), tuple(updated), tuple(unchanged))

    @_translated
    def bulk_insert(
        self,
        items: Iterable[tuple[Brief, Sequence[Topic], Sequence[FeedSpec]]],
        *,
        page_url: str,
        seen_at: datetime,
        batch_size: int = 2000,
    ) -> int:
        """Insert briefs known to be new, classified, in one transaction; returns how many.

        The fast path to fill an archive (an import; the benchmark's synthetic archive):
        no candidate matching as in :meth:`record`, rows go in with ``executemany``. Each
        brief gets its minted id (with the body suffix when the id is taken, as in
        :meth:`record`); ``items`` are ``(brief, topics, feeds)`` as the classifier gives
        them, and every feed they join is marked dirty in the same transaction.
        """
        _aware(seen_at, "seen_at")
        seen_iso, seen_us = seen_at.isoformat(), _micros(seen_at)
        known_specs: set[str] = set()
        dirty: set[str] = set()
        taken: set[str] = set()
        count = 0
        exists = CANDIDATE_QUERIES["id"]
        with self.transaction():
            batch: list[tuple[Brief, Sequence[Topic], Sequence[FeedSpec]]] = []
            for item in itertools.chain(items, [None]):
                if item is not None:
                    batch.append(item)
                    if len(batch) < batch_size:
                        continue
                entries, paragraphs, pages, memberships = [], [], [], []
                for brief, topics, feeds in batch:
                    inc = self._prepare(count, brief)
                    entry_id, suffix = inc.minted, 1
                    while (
                        entry_id in taken
                        or self._conn.execute(exists, (entry_id,)).fetchone() is not None
                    ):
                        suffix += 1
                        tag = body_tag(brief)
                        entry_id = f"{inc.minted}-{tag}" + (f"-{suffix}" if suffix > 2 else "")
                    taken.add(entry_id)
                    updated_us = _micros(brief.published_at)
                    entries.append((
                        entry_id, inc.published, brief.section, page_url, seen_iso,
                        brief.published_at.isoformat(), updated_us, seen_us, inc.chash,
                        inc.lead, _brief_to_column(brief), _topics_to_json(topics),
                    ))  # fmt: skip
                    paragraphs.extend((key, entry_id) for key in inc.keys)
                    pages.append((entry_id, page_url, seen_iso, seen_us, inc.chash))
                    new_specs = [spec for spec in feeds if spec.key not in known_specs]
                    if new_specs:
                        self._upsert_specs(new_specs, registered=False)
                        known_specs.update(spec.key for spec in new_specs)
                    keys = {spec.key for spec in feeds}
                    dirty |= keys
                    memberships.extend(
                        (key, entry_id, inc.published, updated_us) for key in sorted(keys)
                    )
                    count += 1
                self._conn.executemany(
                    """INSERT INTO entries (id, published_at, section, page_url, first_seen_at,
                           updated_at, updated_us, last_seen_us, content_hash, lead_key, brief,
                           topics)
                       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    entries,
                )
                self._conn.executemany(
                    "INSERT OR IGNORE INTO entry_paragraphs (key, entry_id) VALUES (?, ?)",
                    paragraphs,
                )
                self._conn.executemany(
                    """INSERT INTO entry_pages (entry_id, page_url, first_seen_at, last_seen_us,
                           page_hash) VALUES (?, ?, ?, ?, ?)""",
                    pages,
                )
                self._conn.executemany(
                    """INSERT INTO entry_feeds (feed_key, entry_id, published_at, updated_us)
                       VALUES (?, ?, ?, ?)""",
                    memberships,
                )
                batch = []
            self._mark_dirty(dirty)
        return count

    def _prepare(self, index: int, brief: Brief) -> _Incoming:
        _aware(brief.published_at, f"published_at of brief {brief.byline or index}")
        return _Incoming(
            brief=brief,
            index=index,
            minted=mint_id(brief, authority=self._authority),
            minute=published_minute(brief),
            published=int(brief.published_at.timestamp()),
            chash=content_hash(brief),
            lead=lead_key(brief),
            keys=paragraph_keys(brief),
        )

    def _candidate_ids(self, inc: _Incoming) -> set[str]:
        q, conn = CANDIDATE_QUERIES, self._conn
        ids = {row[0] for row in conn.execute(q["id"], (inc.minted,))}
        ids.update(
            row[0] for row in conn.execute(q["minute"], (inc.minute * 60, inc.minute * 60 + 60))
        )
        for key in inc.keys:
            rows = conn.execute(q["paragraph"], (key, COMMON_KEY_LIMIT + 1)).fetchall()
            if len(rows) <= COMMON_KEY_LIMIT:
                ids.update(row[0] for row in rows)
        rows = conn.execute(q["lead"], (inc.lead, COMMON_KEY_LIMIT + 1)).fetchall()
        if len(rows) <= COMMON_KEY_LIMIT:
            ids.update(row[0] for row in rows)
        return ids

    def _load(self, ids: Iterable[str]) -> dict[str, _Stored]:
        wanted = sorted(ids)
        out: dict[str, _Stored] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT {_ENTRY_COLUMNS}, published_at FROM entries WHERE id IN ({marks})"
            for row in self._conn.execute(sql, chunk):
                entry = _entry_from_row(row[:-1])
                out[entry.id] = _Stored(entry, row[-1], row[-1] // 60)
        return out

    def _insert(self, inc: _Incoming, *, page_url: str, seen_at: datetime) -> Entry:
        entry_id = self._free_id(inc)
        brief = inc.brief
        published = brief.published_at
        self._conn.execute(
            """INSERT INTO entries (id, published_at, section, page_url, first_seen_at,
                   updated_at, updated_us, last_seen_us, content_hash, lead_key, brief)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                entry_id,
                inc.published,
                brief.section,
                page_url,
                seen_at.isoformat(),
                published.isoformat(),
                _micros(published),
                _micros(seen_at),
                inc.chash,
                inc.lead,
                _brief_to_column(brief),
            ),
        )
        self._write_paragraph_keys(entry_id, inc.keys)
        self._touch_page(entry_id, page_url, seen_at, inc.chash)
        return Entry(
            id=entry_id,
            brief=brief,
            page_url=page_url,
            first_seen_at=seen_at,
            updated_at=published,
            content_hash=inc.chash,
        )

    def _free_id(self, inc: _Incoming) -> str:
        """The minted id, or when a different brief holds it, the id with a body suffix."""
        exists = CANDIDATE_QUERIES["id"]
        candidate = inc.minted
        suffix = 1
        while self._conn.execute(exists, (candidate,)).fetchone() is not None:
            suffix += 1
            tag = body_tag(inc.brief)
            candidate = f"{inc.minted}-{tag}" if suffix == 2 else f"{inc.minted}-{tag}-{suffix}"
        return candidate

    def _update(
        self, old: Entry, inc: _Incoming, *, page_url: str, seen_at: datetime
    ) -> tuple[Entry, bool]:
        """Merge ``inc`` into ``old``; returns the entry and whether its content changed."""
        seen_us = _micros(seen_at)
        row = self._conn.execute(
            "SELECT page_hash FROM entry_pages WHERE entry_id = ? AND page_url = ?",
            (old.id, page_url),
        ).fetchone()
        # The same page showing what it showed last time is no edit, even when another
        # page's markup of the brief made the stored version differ.
        same_as_last_time = row is not None and row[0] == inc.chash
        merged = merge_briefs(old.brief, inc.brief, same_page=page_url == old.page_url)
        merged_hash = content_hash(merged)
        self._touch_page(old.id, page_url, seen_at, inc.chash)
        if same_as_last_time or merged_hash == old.content_hash:
            self._conn.execute(
                "UPDATE entries SET last_seen_us = max(last_seen_us, ?) WHERE id = ?",
                (seen_us, old.id),
            )
            return old, False
        published = int(merged.published_at.timestamp())
        self._conn.execute(
            """UPDATE entries SET published_at = ?, section = ?, updated_at = ?, updated_us = ?,
                   last_seen_us = max(last_seen_us, ?), content_hash = ?, lead_key = ?, brief = ?
               WHERE id = ?""",
            (
                published,
                merged.section,
                seen_at.isoformat(),
                seen_us,
                seen_us,
                merged_hash,
                lead_key(merged),
                _brief_to_column(merged),
                old.id,
            ),
        )
        self._conn.execute("DELETE FROM entry_paragraphs WHERE entry_id = ?", (old.id,))
        self._write_paragraph_keys(old.id, paragraph_keys(merged))
        self._conn.execute(
            "UPDATE entry_feeds SET published_at = ?, updated_us = ? WHERE entry_id = ?",
            (published, seen_us, old.id),
        )
        self._mark_dirty(self._feeds_of(old.id))
        return replace(old, brief=merged, updated_at=seen_at, content_hash=merged_hash), True

    def _write_paragraph_keys(self, entry_id: str, keys: Sequence[str]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO entry_paragraphs (key, entry_id) VALUES (?, ?)",
            [(key, entry_id) for key in keys],
        )

    def _touch_page(self, entry_id: str, page_url: str, seen_at: datetime, page_hash: str) -> None:
        self._conn.execute(
            """INSERT INTO entry_pages (entry_id, page_url, first_seen_at, last_seen_us, page_hash)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (entry_id, page_url) DO UPDATE SET
                   last_seen_us = max(last_seen_us, excluded.last_seen_us),
                   page_hash = excluded.page_hash""",
            (entry_id, page_url, seen_at.isoformat(), _micros(seen_at), page_hash),
        )

    def _feeds_of(self, entry_id: str) -> list[str]:
        rows = self._conn.execute(
            "SELECT feed_key FROM entry_feeds WHERE entry_id = ?", (entry_id,)
        )
        return [row[0] for row in rows]

    @_translated
    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or ``None``."""
        row = self._conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
        ).fetchone()
        return None if row is None else _entry_from_row(row)

    @_translated
    def pages_of(self, entry_id: str) -> tuple[str, ...]:
        """Every page URL the entry was seen on, in the order first seen."""
        rows = self._conn.execute(
            "SELECT page_url FROM entry_pages WHERE entry_id = ? ORDER BY first_seen_at, page_url",
            (entry_id,),
        )
        return tuple(row[0] for row in rows)

    @_translated
    def count(self) -> int:
        """How many entries the archive holds."""
        return int(self._conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def iter_entries(self, *, batch_size: int = 500) -> Iterator[Entry]:
        """Every entry, newest first (published_at DESC, id ASC), ``batch_size`` at a time."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        first = (
            f"SELECT {_ENTRY_COLUMNS}, published_at FROM entries "
            "ORDER BY published_at DESC, id ASC LIMIT ?"
        )
        after = (
            f"SELECT {_ENTRY_COLUMNS}, published_at FROM entries "
            "WHERE published_at <= ? AND (published_at < ? OR id > ?) "
            "ORDER BY published_at DESC, id ASC LIMIT ?"
        )
        last: tuple[int, str] | None = None
        while True:
            try:
                if last is None:
                    rows = self._conn.execute(first, (batch_size,)).fetchall()
                else:
                    rows = self._conn.execute(
                        after, (last[0], last[0], last[1], batch_size)
                    ).fetchall()
            except sqlite3.Error as exc:
                raise ArchiveError(f"archive {self.path}: {_one_line(exc)}") from exc
            for row in rows:
                yield _entry_from_row(row[:-1])
            if len(rows) < batch_size:
                return
            last = (rows[-1][-1], rows[-1][0])

    @_translated
    def prune(self, *, now: datetime, retention_days: int) -> tuple[str, ...]:
        """Delete entries not seen on any page since ``now - retention_days``.

        Returns the sorted keys of the feeds they were in, which are also marked dirty.
        """
        cutoff = _micros(_aware(now, "now") - timedelta(days=retention_days))
        with self.transaction():
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM entries WHERE last_seen_us < ?", (cutoff,)
                )
            ]
            keys: set[str] = set()
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                keys.update(
                    row[0]
                    for row in self._conn.execute(
                        f"SELECT DISTINCT feed_key FROM entry_feeds WHERE entry_id IN ({marks})",
                        chunk,
                    )
                )
                self._conn.execute(f"DELETE FROM entries WHERE id IN ({marks})", chunk)
            self._mark_dirty(keys)
        return tuple(sorted(keys))

    # --- classification and feeds ---------------------------------------------------------

    @_translated
    def set_classification(
        self, entry_id: str, topics: Sequence[Topic], feeds: Sequence[FeedSpec]
    ) -> set[str]:
        """Store the entry's topics and the feeds it belongs to (see :meth:`reclassify`)."""
        return self.reclassify([(entry_id, topics, feeds)])

    @_translated
    def reclassify(
        self,
        classified: Iterable[tuple[str, Sequence[Topic], Sequence[FeedSpec]]],
        *,
        batch_size: int = 500,
    ) -> set[str]:
        """Store each entry's topics and the feeds it belongs to, ``batch_size`` entries at
        a time: one query for a batch's memberships, one statement per kind of change, each
        feed's spec written once (a config change touches every entry; most change nothing).

        Returns the keys of the feeds an entry joined or left. Those are marked dirty, and
        so are an entry's feeds when its topics changed and a feed whose spec changed.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        changed: set[str] = set()
        dirty: set[str] = set()
        specs: dict[str, FeedSpec] = {}
        with self.transaction():
            items = iter(classified)
            while batch := tuple(itertools.islice(items, batch_size)):
                new_specs = {}
                for _, _, feeds in batch:
                    for spec in feeds:
                        if specs.get(spec.key) != spec:
                            new_specs[spec.key] = specs[spec.key] = spec
                dirty |= self._upsert_specs(new_specs.values(), registered=False)
                changed |= self._reclassify_batch(batch, dirty)
            self._mark_dirty(dirty | changed)
        return changed

    def _reclassify_batch(
        self, batch: Sequence[tuple[str, Sequence[Topic], Sequence[FeedSpec]]], dirty: set[str]
    ) -> set[str]:
        """Write a batch's changes; add to ``dirty`` the feeds of entries whose topics
        changed; return the feeds an entry joined or left."""
        ids = [entry_id for entry_id, _, _ in batch]
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT id, topics, published_at, updated_us FROM entries WHERE id IN ({marks})", ids
        ).fetchall()
        stored = {row[0]: row[1:] for row in rows}
        before: dict[str, set[str]] = {entry_id: set() for entry_id in ids}
        for entry_id, feed_key in self._conn.execute(
            f"SELECT entry_id, feed_key FROM entry_feeds WHERE entry_id IN ({marks})", ids
        ):
            before[entry_id].add(feed_key)
        changed: set[str] = set()
        removals: list[tuple[str, str]] = []
        additions: list[tuple[str, str, int, int]] = []
        topic_updates: list[tuple[str, str]] = []
        for entry_id, topics, feeds in batch:
            if entry_id not in stored:
                raise ArchiveError(f"archive {self.path}: no entry {entry_id}")
            old_topics, published, updated_us = stored[entry_id]
            had = before[entry_id]
            has = {spec.key for spec in feeds}
            removals += [(key, entry_id) for key in sorted(had - has)]
            additions += [(key, entry_id, published, updated_us) for key in sorted(has - had)]
            changed |= had ^ has
            new_topics = _topics_to_json(topics)
            if new_topics != old_topics:
                topic_updates.append((new_topics, entry_id))
                dirty |= had | has
        self._conn.executemany(
            "DELETE FROM entry_feeds WHERE feed_key = ? AND entry_id = ?", removals
        )
        self._conn.executemany(
            """INSERT INTO entry_feeds (feed_key, entry_id, published_at, updated_us)
               VALUES (?, ?, ?, ?)""",
            additions,
        )
        self._conn.executemany("UPDATE entries SET topics = ? WHERE id = ?", topic_updates)
        return changed

    def _upsert_specs(self, specs: Iterable[FeedSpec], *, registered: bool) -> set[str]:
        changed: set[str] = set()
        for spec in specs:
            cur = self._conn.execute(
                """INSERT INTO feeds (key, kind, slug, title, description, registered)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, slug = excluded.slug,
                       title = excluded.title, description = excluded.description,
                       registered = max(registered, excluded.registered)
                   WHERE kind IS NOT excluded.kind OR slug IS NOT excluded.slug
                       OR title IS NOT excluded.title OR description IS NOT excluded.description
                       OR registered < excluded.registered""",
                (spec.key, spec.kind, spec.slug, spec.title, spec.description, int(registered)),
            )
            if cur.rowcount:
                changed.add(spec.key)
        return changed

    @_translated
    def entries_for_feed(self, feed_key: str, *, limit: int) -> list[Entry]:
        """The newest ``limit`` entries of a feed: published_at DESC, then id ASC."""
        rows = self._conn.execute(
            f"""SELECT {_ENTRY_COLUMNS_E} FROM entry_feeds f JOIN entries e ON e.id = f.entry_id
                WHERE f.feed_key = ? ORDER BY f.published_at DESC, f.entry_id ASC LIMIT ?""",
            (feed_key, limit),
        )
        return [_entry_from_row(row) for row in rows]

    @_translated
    def feed_stats(self) -> dict[str, tuple[int, datetime | None]]:
        """Feed key -> (entries in the archive, newest ``updated_at``) for :meth:`feed_specs`.

        Read from the statistics the triggers of schema step 3 keep: one row per feed, not
        one count over the archive.
        """
        rows = self._conn.execute(
            """SELECT f.key, f.entry_count, e.updated_at FROM feeds f
               LEFT JOIN entries e ON e.id = f.newest_entry AND f.entry_count > 0
               WHERE f.registered OR f.entry_count > 0
               ORDER BY f.key"""
        )
        return {
            key: (count, datetime.fromisoformat(newest) if count and newest else None)
            for key, count, newest in rows
        }

    @_translated
    def feed_specs(self) -> list[FeedSpec]:
        """Every feed that has an entry, plus every registered one, by key."""
        rows = self._conn.execute(
            """SELECT kind, slug, title, description FROM feeds
               WHERE registered OR entry_count > 0
               ORDER BY key"""
        )
        return [FeedSpec(kind, slug, title, description) for kind, slug, title, description in rows]

    @_translated
    def register_feeds(self, specs: Sequence[FeedSpec]) -> None:
        """Make configured feeds exist even while empty; a new or changed one becomes dirty."""
        with self.transaction():
            self._mark_dirty(self._upsert_specs(specs, registered=True))

    @_translated
    def drop_feeds(self, keys: Iterable[str]) -> None:
        """Forget feeds, their memberships and their dirty marks."""
        with self.transaction():
            for key in keys:
                self._conn.execute("DELETE FROM feeds WHERE key = ?", (key,))
                self._conn.execute("DELETE FROM dirty_feeds WHERE key = ?", (key,))

    # --- cycle bookkeeping -----------------------------------------------------------------

    @_translated
    def mark_dirty(self, keys: Iterable[str]) -> None:
        """Remember that these feeds must be rendered again."""
        with self.transaction():
            self._mark_dirty(keys)

    def _mark_dirty(self, keys: Iterable[str]) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO dirty_feeds (key) VALUES (?)", [(k,) for k in sorted(set(keys))]
        )

    @_translated
    def dirty_feeds(self) -> set[str]:
        """Feeds marked dirty and not yet cleared."""
        return {row[0] for row in self._conn.execute("SELECT key FROM dirty_feeds")}

    @_translated
    def clear_dirty(self, keys: Iterable[str]) -> None:
        """Forget the dirty marks of feeds that were rendered and published."""
        with self.transaction():
            self._conn.executemany(
                "DELETE FROM dirty_feeds WHERE key = ?", [(k,) for k in set(keys)]
            )

    @_translated
    def page_state(self, url: str) -> PageState:
        """What is remembered about ``url``; defaults when nothing is."""
        row = self._conn.execute(
            f"SELECT {', '.join(_PAGE_FIELDS)} FROM pages WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return PageState()
        values = dict(zip(_PAGE_FIELDS, row, strict=True))
        if values["last_success_at"] is not None:
            values["last_success_at"] = datetime.fromisoformat(values["last_success_at"])
        return PageState(**values)

    @_translated
    def save_page_state(self, url: str, **changes: Any) -> None:
        """Change some :class:`PageState` fields of ``url``; the others are kept.

        ``last_success_at`` may be an aware datetime or its ISO 8601 text.
        """
        unknown = sorted(set(changes) - set(_PAGE_FIELDS))
        if unknown:
            raise TypeError(f"unknown page state field(s): {', '.join(unknown)}")
        when = changes.get("last_success_at")
        if isinstance(when, str):
            changes["last_success_at"] = when = datetime.fromisoformat(when)
        if when is not None:
            _aware(when, "last_success_at")
        with self.transaction():
            state = replace(self.page_state(url), **changes)
            values = [getattr(state, name) for name in _PAGE_FIELDS]
            if state.last_success_at is not None:
                values[-1] = state.last_success_at.isoformat()
            self._conn.execute(
                f"INSERT OR REPLACE INTO pages (url, {', '.join(_PAGE_FIELDS)}) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [url, *values],
            )

    @_translated
    def get_meta(self, key: str) -> str | None:
        """A value of the key/value table, or ``None``."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @_translated
    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the key/value table."""
        with self.transaction():
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )


def _assign(
    incoming: Sequence[_Incoming], candidates: Sequence[set[str]], stored: dict[str, _Stored]
) -> dict[int, str]:
    """Brief index -> entry id, best acceptable pairs first, each side used at most once."""
    pairs = []
    max_dt = MAX_TIME_CORRECTION.total_seconds()
    for inc, ids in zip(incoming, candidates, strict=True):
        for cid in ids:
            st = stored[cid]
            sim = similarity(inc.brief, st.entry.brief)
            same_minute = inc.minute == st.minute
            dt = abs(inc.published - st.published)
            if (same_minute and sim >= SAME_MINUTE_SIMILARITY) or (
                sim >= MOVED_SIMILARITY and dt <= max_dt
            ):
                pairs.append((-sim, not same_minute, cid != inc.minted, dt, inc.index, cid))
    pairs.sort()
    matches: dict[int, str] = {}
    claimed: set[str] = set()
    for *_, index, cid in pairs:
        if index in matches or cid in claimed:
            continue
        matches[index] = cid
        claimed.add(cid)
    return matches


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the schema to :data:`SCHEMA_VERSION`, each run of steps in one transaction."""

    def version() -> int:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise ArchiveError(
                f"archive {path} has schema version {found}, newer than this feedsvc knows "
                f"({SCHEMA_VERSION}); upgrade feedsvc"
            )
        return found

    if version() == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for step in range(version(), SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
