"""A cycle costs what changed: the feeds a change touches are rendered and written, no other.

Counts, not timings (bench/run.py has those): which feeds are rendered, which files are
written, how often the manifest is saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from feedsvc import publish, service
from feedsvc.archive import Archive
from feedsvc.classify import Classifier
from feedsvc.config import Settings, TopicRule, load_settings
from feedsvc.model import FeedSpec
from feedsvc.parse import parse_page
from feedsvc.service import INDEX_FILE, OPML_FILE, CycleReport, PageSource, run_cycle
from tests.helpers import REPO, split_seed

PAGE_URL = "https://www.caixinglobal.com/business-and-tech-live/"


class Spy:
    """Records what a cycle renders."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.feeds: list[str] = []
        self.pages: list[str] = []
        real_feed, real_index, real_opml = (
            service.render_feed,
            service.render_index,
            service.render_opml,
        )

        def render_feed(spec: FeedSpec, *args: Any, **kwargs: Any) -> dict[str, bytes]:
            self.feeds.append(spec.key)
            return real_feed(spec, *args, **kwargs)

        def render_index(*args: Any, **kwargs: Any) -> bytes:
            self.pages.append(INDEX_FILE)
            return real_index(*args, **kwargs)

        def render_opml(*args: Any, **kwargs: Any) -> bytes:
            self.pages.append(OPML_FILE)
            return real_opml(*args, **kwargs)

        monkeypatch.setattr(service, "render_feed", render_feed)
        monkeypatch.setattr(service, "render_index", render_index)
        monkeypatch.setattr(service, "render_opml", render_opml)

    def reset(self) -> None:
        self.feeds.clear()
        self.pages.clear()


class Site:
    """A config, an archive and an output folder in tmp_path; pages cut from the seed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = replace(
            load_settings(REPO / "config.toml", required=True),
            output_dir=root / "output",
            state_path=root / "state" / "feedsvc.sqlite3",
        )
        self.seed = split_seed()

    def page(self, name: str, briefs: list[str]) -> Path:
        path = self.root / "pages" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.seed.page(briefs), "utf-8")
        return path

    def build(self, page: Path, settings: Settings | None = None) -> CycleReport:
        return run_cycle(settings or self.settings, sources=[PageSource(PAGE_URL, str(page))])

    def mtimes(self) -> dict[str, int]:
        out = self.settings.output_dir
        return {
            p.relative_to(out).as_posix(): p.stat().st_mtime_ns
            for p in out.rglob("*")
            if p.is_file()
        }

    def feed_files(self, keys: set[str]) -> set[str]:
        with Archive.open(self.settings.state_path) as archive:
            specs = [s for s in archive.feed_specs() if s.key in keys]
        return {path for spec in specs for path in service.feed_file_paths(spec)}

    def all_keys(self) -> set[str]:
        with Archive.open(self.settings.state_path) as archive:
            return {spec.key for spec in archive.feed_specs()}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {path for path, mtime in after.items() if before.get(path) != mtime}


def feeds_of_newest_brief(site: Site, page: Path) -> set[str]:
    """The feed keys the top brief of ``page`` belongs to, as the classifier decides."""
    newest = parse_page(page.read_bytes(), page_url=PAGE_URL).briefs[0]
    classifier = Classifier(site.settings.topics, site.settings.feeds)
    topics = classifier.topics_for(newest)
    return {spec.key for spec in classifier.feeds_for(newest, topics)}


@pytest.fixture
def built(site: Site, spy: Spy) -> Iterator[Site]:
    """The seed page without its newest brief, published."""
    first = site.build(site.page("older.txt", site.seed.briefs[1:]))
    assert first.new == 19 and first.files_written > 0
    spy.reset()
    yield site


def test_one_new_brief_renders_exactly_the_feeds_that_contain_it(built: Site, spy: Spy) -> None:
    page = built.page("newer.txt", built.seed.briefs)
    expected = feeds_of_newest_brief(built, page)
    # the newest seed brief: Ding Yi on BOE's share sale, Business & Tech
    assert {"all", "topics/business-tech", "reporters/ding-yi"} <= expected
    assert any(key.startswith("feeds/") for key in expected)  # Ding Yi, without cars
    assert expected < built.all_keys()
    before = built.mtimes()
    report = built.build(page)
    assert (report.new, report.updated) == (1, 0)
    assert sorted(spy.feeds) == sorted(expected)  # each rendered once, no other
    assert sorted(spy.pages) == sorted([INDEX_FILE, OPML_FILE])
    files = built.feed_files(expected) | {INDEX_FILE, OPML_FILE}
    assert changed(before, built.mtimes()) - {publish.MANIFEST_NAME} == files
    assert report.files_written == len(files)
    assert report.feeds_written == len(expected)


def test_a_new_brief_by_another_reporter_touches_that_reporter_only(built: Site, spy: Spy) -> None:
    briefs = list(built.seed.briefs)
    briefs[0] = re.sub(r"^[^/\n]*/", "Qian Tong /", briefs[0], count=1)
    page = built.page("newer.txt", briefs)
    expected = feeds_of_newest_brief(built, page)
    assert "reporters/qian-tong" in expected and "reporters/ding-yi" not in expected
    built.build(page)
    assert sorted(spy.feeds) == sorted(expected)


def test_an_unchanged_page_renders_nothing_and_writes_nothing(built: Site, spy: Spy) -> None:
    before = built.mtimes()
    report = built.build(built.root / "pages" / "older.txt")
    assert report.pages[0].outcome == "unchanged_body"
    assert (report.files_written, report.feeds_written, report.files_unchanged) == (0, 0, 0)
    assert spy.feeds == spy.pages == []
    assert built.mtimes() == before


def test_the_same_briefs_in_new_bytes_render_nothing(built: Site, spy: Spy) -> None:
    # a changed page (ads, timestamps) with the same briefs: parsed, but nothing is dirty
    page = built.page("reshuffled.txt", built.seed.briefs[1:])
    page.write_text(page.read_text("utf-8") + "\nAdvertisement\n", "utf-8")
    before = built.mtimes()
    report = built.build(page)
    assert report.pages[0].outcome == "parsed"
    assert (report.new, report.updated, report.files_written) == (0, 0, 0)
    assert spy.feeds == spy.pages == []
    assert built.mtimes() == before


def test_an_edited_brief_renders_exactly_its_feeds(built: Site, spy: Spy) -> None:
    briefs = list(built.seed.briefs[1:])
    edited = next(i for i, b in enumerate(briefs) if "In 2012, Jordan sued" in b)
    briefs[edited] = briefs[edited].replace("In 2012, Jordan sued", "In 2012, Michael Jordan sued")
    page = built.page("edited.txt", briefs)
    brief = parse_page(page.read_bytes(), page_url=PAGE_URL).briefs[edited]
    classifier = Classifier(built.settings.topics, built.settings.feeds)
    expected = {s.key for s in classifier.feeds_for(brief, classifier.topics_for(brief))}
    report = built.build(page)
    assert (report.new, report.updated) == (0, 1)
    assert sorted(spy.feeds) == sorted(expected)


def test_a_site_change_rebuilds_every_feed_without_reclassifying(
    built: Site, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real = Classifier.topics_for
    monkeypatch.setattr(
        Classifier, "topics_for", lambda self, brief: calls.append(brief) or real(self, brief)
    )
    settings = replace(built.settings, site=replace(built.settings.site, title="Another title"))
    before = built.mtimes()
    report = built.build(built.root / "pages" / "older.txt", settings)
    assert sorted(spy.feeds) == sorted(built.all_keys())
    assert calls == []  # the page is unchanged and membership did not change
    every_file = built.feed_files(built.all_keys()) | {INDEX_FILE, OPML_FILE}
    assert changed(before, built.mtimes()) - {publish.MANIFEST_NAME} == every_file
    assert report.files_written == len(every_file)


def test_a_topic_change_reclassifies_and_rebuilds_every_feed(built: Site, spy: Spy) -> None:
    boe = TopicRule(slug="boe", title="BOE", keywords=("BOE",))
    settings = replace(built.settings, topics=(*built.settings.topics, boe))
    report = built.build(built.root / "pages" / "older.txt", settings)
    keys = built.all_keys()
    assert "topics/boe" in keys
    assert sorted(spy.feeds) == sorted(keys)
    assert report.feeds_total == len(keys)
    # and back to the configured topics: the new feed goes, every other is rebuilt
    spy.reset()
    built.build(built.root / "pages" / "older.txt")
    assert "topics/boe" not in built.all_keys()
    assert sorted(spy.feeds) == sorted(built.all_keys())


def test_new_rendering_code_re_renders_every_feed_once(
    built: Site, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "RENDER_CODE", "a feedsvc that renders differently")
    built.build(built.root / "pages" / "older.txt")
    assert sorted(spy.feeds) == sorted(built.all_keys())
    spy.reset()
    built.build(built.root / "pages" / "older.txt")
    assert spy.feeds == []


def test_a_first_build_saves_the_manifest_once_per_batch(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves: list[int] = []
    real = publish.Publisher._save_manifest

    def save(self: publish.Publisher) -> None:
        saves.append(len(self.files))
        real(self)

    monkeypatch.setattr(publish.Publisher, "_save_manifest", save)
    report = site.build(site.page("all.txt", site.seed.briefs))
    assert report.files_written > 50
    # the sample's files fit one batch: one save lists them all before any is written
    assert saves == [report.files_written]


def test_interrupted_publishing_is_finished_by_the_next_cycle(
    built: Site, spy: Spy, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = built.page("newer.txt", built.seed.briefs)
    expected = feeds_of_newest_brief(built, page)
    real = publish.Publisher.write_many

    def fail(self: publish.Publisher, files: dict[str, bytes]) -> list[str]:
        raise publish.PublishError("disk full")

    monkeypatch.setattr(publish.Publisher, "write_many", fail)
    with pytest.raises(publish.PublishError):
        built.build(page)
    monkeypatch.setattr(publish.Publisher, "write_many", real)
    spy.reset()
    report = built.build(page)  # the page is unchanged now, but its feeds are still dirty
    assert report.pages[0].outcome == "unchanged_body"
    assert sorted(spy.feeds) == sorted(expected)
    assert report.feeds_written == len(expected)


def test_a_new_process_builds_only_the_new_brief_and_reuses_the_stored_rest(
    built: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedsvc import render

    render._PARTS.clear()  # a new process: nothing rendered in memory
    built_ids: list[str] = []
    real_build_item = render._build_item

    def build_item(entry: Any, *args: Any) -> Any:
        built_ids.append(entry.id)
        return real_build_item(entry, *args)

    monkeypatch.setattr(render, "_build_item", build_item)
    report = built.build(built.page("newer.txt", built.seed.briefs))
    assert report.new == 1
    assert len(built_ids) == 1  # the new brief; the others' parts came from the archive
