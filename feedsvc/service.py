"""One cycle: fetch -> parse -> archive -> classify -> render -> publish.

The archive is changed in one transaction per page, together with the list of feeds the
change made stale ("dirty"); files are published afterwards and the dirty marks cleared only
once they are written. A cycle killed at any point therefore leaves the archive consistent
and the next cycle re-renders whatever was not published yet.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from feedsvc.archive import Archive
from feedsvc.classify import Classifier
from feedsvc.config import Settings, SourceSettings
from feedsvc.errors import ConfigError, FeedsvcError, LayoutChanged, SourceError
from feedsvc.model import FeedSpec, FeedSummary, ParseResult
from feedsvc.parse import parse_page
from feedsvc.publish import Publisher
from feedsvc.render import FEED_FILES, RENDER_CODE, feed_url, render_feed, render_index, render_opml
from feedsvc.status import STATUS_FILE

log = logging.getLogger("feedsvc.service")

Clock = Callable[[], datetime]
PageOutcome = Literal["parsed", "not_modified", "unchanged_body"]

INDEX_FILE = "index.html"
OPML_FILE = "feeds.opml"
# the page-wide feed shares the folder with the site index, which render_index writes
TOP_FEED_FILES = tuple(name for name in FEED_FILES if name != INDEX_FILE)
CLASSIFICATION_FINGERPRINT_KEY = "classification_fingerprint"
OUTPUT_FINGERPRINT_KEY = "output_fingerprint"


def utc_now() -> datetime:
    """The cycle's clock: when edits were seen. ``SOURCE_DATE_EPOCH`` pins it for reproducible
    builds (https://reproducible-builds.org/specs/source-date-epoch/)."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH")
    if pinned:
        try:
            return datetime.fromtimestamp(int(pinned), UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH must be a Unix time, got {pinned!r}") from None
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PageReport:
    """What one source page gave in a cycle."""

    url: str
    outcome: PageOutcome
    briefs: int = 0
    new: int = 0
    updated: int = 0
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CycleReport:
    """The summary line of a cycle, and what the scheduler puts in status.json."""

    pages: tuple[PageReport, ...]
    feeds_total: int
    feeds_written: int
    files_written: int
    files_unchanged: int
    files_removed: int
    entries_total: int
    changed_urls: tuple[str, ...] = field(default=())

    @property
    def briefs(self) -> int:
        return sum(p.briefs for p in self.pages)

    @property
    def new(self) -> int:
        return sum(p.new for p in self.pages)

    @property
    def updated(self) -> int:
        return sum(p.updated for p in self.pages)

    def summary(self) -> str:
        notes = [p.outcome.replace("_", " ") for p in self.pages if p.outcome != "parsed"]
        note = f" ({', '.join(notes)})" if notes else ""
        return (
            f"{self.briefs} briefs parsed, {self.new} new, {self.updated} updated; "
            f"{self.feeds_written} of {self.feeds_total} feeds written, "
            f"{self.files_written} files written, {self.files_unchanged} unchanged"
            + (f", {self.files_removed} removed" if self.files_removed else "")
            + note
        )

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(briefs=self.briefs, new=self.new, updated=self.updated)
        return data


@dataclass(frozen=True, slots=True)
class PageSource:
    """Where one page's bytes come from: the configured URL, or a file/URL given on the CLI."""

    page_url: str  # the URL links on the page are resolved against and entries link to
    location: str  # what to read: an http(s) URL or a local file path
    timezone: str = "Asia/Shanghai"

    @property
    def is_url(self) -> bool:
        return self.location.startswith(("http://", "https://"))


def sources_for(
    settings: Settings, override: str | None = None, only: Sequence[SourceSettings] | None = None
) -> tuple[PageSource, ...]:
    """The pages one cycle reads; ``override`` (``--source``) replaces the first configured one."""
    if override is not None:
        first = settings.sources[0]
        if override.startswith(("http://", "https://")):
            return (PageSource(page_url=override, location=override, timezone=first.timezone),)
        return (PageSource(page_url=first.url, location=override, timezone=first.timezone),)
    chosen = only if only is not None else settings.sources
    return tuple(PageSource(page_url=s.url, location=s.url, timezone=s.timezone) for s in chosen)


def run_cycle(
    settings: Settings,
    *,
    sources: Sequence[PageSource] | None = None,
    clock: Clock = utc_now,
    cancel: threading.Event | None = None,
) -> CycleReport:
    """Run one cycle over ``sources`` (default: every configured page) and publish.

    Raises a :class:`FeedsvcError` for the first page that failed, after the other pages
    were processed and published: one broken page must not hold back the others.
    """
    pages = tuple(sources) if sources is not None else sources_for(settings)
    classifier = Classifier(settings.topics, settings.feeds)
    reports: list[PageReport] = []
    first_error: FeedsvcError | None = None
    with Archive.open(settings.state_path) as archive:
        _apply_settings_changes(archive, settings, classifier)
        for page in pages:
            if cancel is not None and cancel.is_set():
                break
            try:
                reports.append(_ingest_page(archive, settings, classifier, page, clock, cancel))
            except FeedsvcError as exc:
                log.error("%s: %s", page.location, exc)
                first_error = first_error or exc
        removed_from = archive.prune(now=clock(), retention_days=settings.retention_days)
        if removed_from:
            archive.mark_dirty(removed_from)
        report = _publish(archive, settings, tuple(reports))
    if first_error is not None:
        raise first_error
    return report


def _ingest_page(
    archive: Archive,
    settings: Settings,
    classifier: Classifier,
    page: PageSource,
    clock: Clock,
    cancel: threading.Event | None,
) -> PageReport:
    state = archive.page_state(page.page_url)
    if page.is_url:
        from feedsvc.fetch import Validators, fetch_page  # httpx is heavy; only here

        fetched = fetch_page(
            page.location,
            settings=settings.fetch,
            validators=Validators(etag=state.etag, last_modified=state.last_modified),
            cancel=cancel,
        )
        if fetched.not_modified:
            archive.save_page_state(page.page_url, last_success_at=clock().isoformat())
            return PageReport(url=page.page_url, outcome="not_modified")
        content: bytes | str = fetched.text
        body = fetched.body
        validators = {
            "etag": fetched.validators.etag,
            "last_modified": fetched.validators.last_modified,
        }
    else:
        body = read_source_file(page.location)
        content = body
        validators = {}
    body_hash = hashlib.sha256(body).hexdigest()
    if body_hash == state.body_hash:
        archive.save_page_state(page.page_url, last_success_at=clock().isoformat(), **validators)
        return PageReport(url=page.page_url, outcome="unchanged_body")

    parsed = parse_page(content, page_url=page.page_url, timezone=page.timezone)
    _check_guards(parsed, state.last_good_count, settings, page)
    for warning in parsed.warnings:
        log.warning("%s: %s", page.page_url, warning)

    seen_at = clock()
    with archive.transaction():
        recorded = archive.record(parsed.briefs, page_url=page.page_url, seen_at=seen_at)
        touched = set(recorded.new) | set(recorded.updated)
        # the archive marks the feeds whose files this changes: those an entry joins or
        # leaves here, and (in record) every feed of an edited entry
        archive.reclassify(
            (entry.id, topics, classifier.feeds_for(entry.brief, topics))
            for entry in recorded.entries
            if entry.id in touched
            for topics in (classifier.topics_for(entry.brief),)
        )
        archive.save_page_state(
            page.page_url,
            body_hash=body_hash,
            last_good_count=len(parsed.briefs),
            last_success_at=seen_at.isoformat(),
            **validators,
        )
    return PageReport(
        url=page.page_url,
        outcome="parsed",
        briefs=len(parsed.briefs),
        new=len(recorded.new),
        updated=len(recorded.updated),
        warnings=parsed.warnings,
    )


def read_source_file(location: str) -> bytes:
    """The bytes of a page given as a file (``--source``), or a one-line SourceError."""
    try:
        return Path(location).read_bytes()
    except FileNotFoundError:
        raise SourceError(f"source file not found: {location}") from None
    except IsADirectoryError:
        raise SourceError(f"source is a folder, not a page: {location}") from None
    except OSError as exc:
        raise SourceError(f"cannot read source file {location}: {exc.strerror}") from exc


def _check_guards(
    parsed: ParseResult, last_good: int | None, settings: Settings, page: PageSource
) -> None:
    count = len(parsed.briefs)
    if count < settings.guard.min_briefs:
        raise LayoutChanged(
            f"{page.location} yielded {count} briefs (at least {settings.guard.min_briefs} "
            "expected); nothing was changed"
        )
    if last_good and count < last_good * settings.guard.min_brief_ratio:
        raise LayoutChanged(
            f"{page.location} yielded {count} briefs where the last good page had {last_good} "
            f"(threshold {settings.guard.min_brief_ratio:.0%}); nothing was changed"
        )


def _fingerprint(*shaping: object) -> str:
    # frozen dataclasses and tuples have a deterministic repr that names every field
    return hashlib.sha256(repr(shaping).encode("utf-8", "surrogatepass")).hexdigest()


def _classification_fingerprint(settings: Settings, classifier: Classifier) -> str:
    """Hash of every setting that decides feed membership (a change reclassifies)."""
    return _fingerprint(settings.topics, settings.feeds, classifier.configured_feeds())


def _output_fingerprint(settings: Settings) -> str:
    """Hash of what shapes published bytes besides the entries: ``[site]`` and the rendering
    code (a new feedsvc that renders differently re-renders every feed once)."""
    return _fingerprint(settings.site, RENDER_CODE)


def _apply_settings_changes(archive: Archive, settings: Settings, classifier: Classifier) -> None:
    """On a new config, bring the archive and the dirty marks in line with it.

    A change of topics or feeds reclassifies the archive and marks every feed stale; a
    change of only what shapes the output (``[site]``, the rendering code) marks every
    feed stale without reclassifying anything. Either is a full rebuild.
    """
    classification = _classification_fingerprint(settings, classifier)
    output = _output_fingerprint(settings)
    previous = (
        archive.get_meta(CLASSIFICATION_FINGERPRINT_KEY),
        archive.get_meta(OUTPUT_FINGERPRINT_KEY),
    )
    if previous == (classification, output):
        return
    with archive.transaction():
        before = {spec.key for spec in archive.feed_specs()}
        if previous[0] != classification:
            if previous[0] is not None:
                log.info("topics or feeds changed since the last build: reclassifying the archive")
            configured = classifier.configured_feeds()
            archive.register_feeds(configured)
            archive.reclassify(
                (entry.id, topics, classifier.feeds_for(entry.brief, topics))
                for entry in archive.iter_entries()
                for topics in (classifier.topics_for(entry.brief),)
            )
            stale = _unconfigured_empty_feeds(archive, configured)
            if stale:
                archive.drop_feeds(stale)
            archive.set_meta(CLASSIFICATION_FINGERPRINT_KEY, classification)
        elif previous[1] is not None:
            log.info("site settings changed since the last build: rendering every feed")
        archive.mark_dirty(before | {spec.key for spec in archive.feed_specs()})
        archive.set_meta(OUTPUT_FINGERPRINT_KEY, output)


def _unconfigured_empty_feeds(archive: Archive, configured: Iterable[FeedSpec]) -> set[str]:
    keep = {spec.key for spec in configured}
    stats = archive.feed_stats()
    return {
        spec.key
        for spec in archive.feed_specs()
        if spec.key not in keep and stats.get(spec.key, (0, None))[0] == 0
    }


def feed_file_paths(spec: FeedSpec) -> tuple[str, ...]:
    names = TOP_FEED_FILES if spec.kind == "all" else FEED_FILES
    return tuple(f"{spec.folder}/{name}" if spec.folder else name for name in names)


#: Rendered files are handed to the publisher in batches of about this many bytes: one
#: manifest write and overlapping fsyncs per batch, with memory bounded whatever the feed count.
PUBLISH_BATCH_BYTES = 8 * 1024 * 1024


def _publish(archive: Archive, settings: Settings, pages: tuple[PageReport, ...]) -> CycleReport:
    dirty = archive.dirty_feeds()
    entries_total = archive.count()
    if not dirty or entries_total == 0:
        # nothing changed since the last complete publish (or nothing to publish yet):
        # an unchanged cycle touches no file and costs no rendering
        return CycleReport(
            pages=pages,
            feeds_total=len(archive.feed_specs()),
            feeds_written=0,
            files_written=0,
            files_unchanged=0,
            files_removed=0,
            entries_total=entries_total,
        )
    specs = archive.feed_specs()  # by key
    stats = archive.feed_stats()  # kept by the archive: one row per feed, no counting
    newest = max((updated for _, updated in stats.values() if updated is not None), default=None)
    site = settings.site
    changed_urls: list[str] = []
    changed_feeds: set[str] = set()
    with Publisher(settings.output_dir) as publisher:
        batch: dict[str, bytes] = {}
        owner: dict[str, tuple[FeedSpec, str]] = {}  # path -> its feed and file name
        size = 0

        def flush() -> None:
            nonlocal size
            for path in publisher.write_many(batch):
                if path in owner:
                    spec, name = owner[path]
                    changed_feeds.add(spec.key)
                    if name != "index.html":
                        changed_urls.append(feed_url(spec, site, name))
            batch.clear()
            owner.clear()
            size = 0

        # one transaction for the rendered parts this stores (see render.PartsStore)
        with archive.transaction():
            for spec in specs:
                if spec.key not in dirty:
                    continue
                entries = archive.entries_for_feed(spec.key, limit=site.max_entries)
                files = render_feed(spec, entries, site, empty_updated=newest, parts_store=archive)
                for name, data in files.items():
                    path = f"{spec.folder}/{name}" if spec.folder else name
                    batch[path] = data
                    owner[path] = (spec, name)
                    size += len(data)
                if size >= PUBLISH_BATCH_BYTES:
                    flush()
        summaries = [
            FeedSummary(
                spec=spec,
                entry_count=min(stats.get(spec.key, (0, None))[0], site.max_entries),
                updated_at=stats.get(spec.key, (0, None))[1],
            )
            for spec in specs
        ]
        batch[INDEX_FILE] = render_index(summaries, site)
        batch[OPML_FILE] = render_opml(summaries, site)
        flush()
        keep = {
            INDEX_FILE,
            OPML_FILE,
            STATUS_FILE,
            *(p for spec in specs for p in feed_file_paths(spec)),
        }
        removed = publisher.remove_stale(keep)
        written, unchanged = publisher.written, publisher.unchanged
    archive.clear_dirty(dirty)
    return CycleReport(
        pages=pages,
        feeds_total=len(specs),
        feeds_written=len(changed_feeds),
        files_written=written,
        files_unchanged=unchanged,
        files_removed=len(removed),
        entries_total=entries_total,
        changed_urls=tuple(changed_urls),
    )
