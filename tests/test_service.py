"""End to end: a cycle from a page file to published files, through the real CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable

import feedparser
import pytest
from lxml import etree

from tests.helpers import CliResult, Workspace, seed_markup_variants, split_seed

ATOM = "{http://www.w3.org/2005/Atom}"
REPORTER_COUNTS = {
    "ding-yi": 16,
    "anniek-bao": 2,
    "yang-ge": 1,
    "qian-tong": 1,
    "yuan-ruiyang": 1,
    "han-wei": 1,
}


def build(
    cli: Callable[..., CliResult], ws: Workspace, source: os.PathLike[str] | str, *extra: str
) -> CliResult:
    return cli(*ws.args("build", "--source", str(source), *extra))


def feed_ids(path: os.PathLike[str]) -> list[str]:
    return [e.id for e in feedparser.parse(os.fspath(path)).entries]


@pytest.fixture
def built(cli: Callable[..., CliResult], workspace: Workspace) -> Workspace:
    result = build(cli, workspace, seed_markup_variants()[0])
    assert result.code == 0, result.stderr
    return workspace


def test_build_writes_the_documented_layout(built: Workspace) -> None:
    files = built.files()
    for name in ("atom.xml", "rss.xml", "feed.json", "index.html", "feeds.opml"):
        assert name in files
    for folder in ("topics/business-tech", "reporters/ding-yi", "feeds/china-ev-makers"):
        for name in ("atom.xml", "rss.xml", "feed.json", "index.html"):
            assert f"{folder}/{name}" in files, f"{folder}/{name} missing"


def test_build_prints_a_one_line_summary(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    result = build(cli, workspace, seed_markup_variants()[0])
    assert result.code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("20 briefs parsed, 20 new, 0 updated;")


def test_reporter_feeds_hold_every_brief_of_their_reporter(built: Workspace) -> None:
    for slug, count in REPORTER_COUNTS.items():
        feed = feedparser.parse(os.fspath(built.out / "reporters" / slug / "atom.xml"))
        assert len(feed.entries) == count, slug
    reporters = {p.name for p in (built.out / "reporters").iterdir()}
    assert reporters == set(REPORTER_COUNTS)


def test_section_topic_feed_holds_all_business_and_tech_briefs(built: Workspace) -> None:
    feed = feedparser.parse(os.fspath(built.out / "topics" / "business-tech" / "atom.xml"))
    assert len(feed.entries) == 20


def test_every_published_feed_parses_without_errors(built: Workspace) -> None:
    feeds = [p for p in built.out.rglob("*") if p.suffix in (".xml",)]
    assert len(feeds) > 20
    for path in feeds:
        parsed = feedparser.parse(os.fspath(path))
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.entries or "feeds/" in str(path) or "topics/" in str(path), path


def test_atom_files_carry_every_element_rfc4287_requires(built: Workspace) -> None:
    for path in built.out.rglob("atom.xml"):
        root = etree.parse(os.fspath(path)).getroot()
        for required in ("id", "title", "updated"):
            assert root.find(ATOM + required) is not None, (path, required)
        assert root.find(f"{ATOM}link[@rel='self']") is not None
        for entry in root.iter(ATOM + "entry"):
            for required in ("id", "title", "updated"):
                assert entry.find(ATOM + required) is not None, (path, required)
            assert (
                entry.find(f"{ATOM}author/{ATOM}name") is not None
                or root.find(f"{ATOM}author") is not None
            )
            assert (
                entry.find(ATOM + "content") is not None
                or entry.find(f"{ATOM}link[@rel='alternate']") is not None
            )


def test_json_feeds_carry_every_field_json_feed_1_1_requires(built: Workspace) -> None:
    for path in built.out.rglob("feed.json"):
        data = json.loads(path.read_text("utf-8"))
        assert data["version"] == "https://jsonfeed.org/version/1.1"
        assert data["title"]
        assert isinstance(data["items"], list)
        for item in data["items"]:
            assert item["id"]
            assert item.get("content_html") or item.get("content_text")


def test_every_markup_variant_gives_the_same_ids(
    cli: Callable[..., CliResult], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.helpers import REPO

    ids_per_variant = {}
    for variant in seed_markup_variants():
        ws = Workspace(tmp_path_factory.mktemp(variant.stem))
        ws.config.write_bytes((REPO / "config.toml").read_bytes())
        assert build(cli, ws, variant).code == 0, variant
        ids_per_variant[variant.name] = feed_ids(ws.out / "atom.xml")
    assert len(ids_per_variant) >= 4
    first = next(iter(ids_per_variant.values()))
    assert len(set(first)) == 20
    for name, ids in ids_per_variant.items():
        assert ids == first, name


def test_second_build_with_same_input_changes_no_file(
    cli: Callable[..., CliResult], built: Workspace
) -> None:
    before_bytes, before_mtimes = built.files(), built.mtimes()
    result = build(cli, built, seed_markup_variants()[0])
    assert result.code == 0
    assert built.files() == before_bytes
    assert built.mtimes() == before_mtimes
    assert "0 new, 0 updated" in result.stdout


def test_rebuild_into_an_empty_folder_gives_byte_identical_files(
    cli: Callable[..., CliResult], built: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.helpers import REPO

    other = Workspace(tmp_path_factory.mktemp("again"))
    other.config.write_bytes((REPO / "config.toml").read_bytes())
    assert build(cli, other, seed_markup_variants()[0]).code == 0
    assert other.files() == built.files()


def test_sequence_of_pages_keeps_one_entry_per_brief(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    seed = split_seed()
    oldest = seed.briefs[8:]
    newest = list(seed.briefs[:12])
    # briefs 9-12 are on both pages; the second page corrects the time of brief 9 ...
    newest[8] = newest[8].replace("Jan 15, 2021 02:10 PM", "Jan 15, 2021 02:20 PM")
    # ... and fixes the wording of brief 10
    newest[9] = newest[9].replace("In 2012, Jordan sued", "In 2012, Michael Jordan sued")
    first = workspace.write_page("oldest.txt", seed.page(oldest))
    second = workspace.write_page("newest.txt", seed.page(newest))
    assert build(cli, workspace, first).code == 0
    before = {e.id: e for e in feedparser.parse(os.fspath(workspace.out / "atom.xml")).entries}
    result = build(cli, workspace, second)
    assert result.code == 0, result.stderr
    assert "8 new, 2 updated" in result.stdout
    after = feedparser.parse(os.fspath(workspace.out / "atom.xml")).entries
    ids = [e.id for e in after]
    assert len(ids) == 20 and len(set(ids)) == 20
    changed = [e for e in after if e.id in before and e.updated != before[e.id].updated]
    assert len(changed) == 2
    edited = next(e for e in after if "In 2012, Michael Jordan sued" in e.content[0].value)
    assert edited.id in before
    assert edited.updated_parsed > before[edited.id].updated_parsed
    corrected = next(e for e in after if "Lotus, a British sports car brand" in e.content[0].value)
    assert corrected.id in before
    assert corrected.published.startswith("2021-01-15T14:20")
    with sqlite3.connect(workspace.state) as db:
        assert db.execute("select count(*) from entries").fetchone()[0] == 20


def test_page_with_far_fewer_briefs_changes_nothing(
    cli: Callable[..., CliResult], built: Workspace
) -> None:
    seed = split_seed()
    before_bytes, before_mtimes = built.files(), built.mtimes()
    small = built.write_page("three.txt", seed.page(seed.briefs[:3]))
    result = build(cli, built, small)
    assert result.code == 4
    assert "3 briefs" in result.stderr and "20" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert built.files() == before_bytes
    assert built.mtimes() == before_mtimes


def test_page_without_bylines_changes_nothing(
    cli: Callable[..., CliResult], built: Workspace
) -> None:
    before = built.files()
    empty = built.write_page("redesign.html", "<html><body><p>We moved!</p></body></html>")
    result = build(cli, built, empty)
    assert result.code == 4
    assert "byline" in result.stderr
    assert built.files() == before


def test_missing_source_file_is_a_one_line_error(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    result = build(cli, workspace, workspace.root / "nope.html")
    assert result.code == 3
    assert result.stderr.strip().endswith(
        "source file not found: " + str(workspace.root / "nope.html")
    )
    assert "Traceback" not in result.stderr


def test_feed_files_of_a_dropped_custom_feed_are_removed_but_user_files_stay(
    cli: Callable[..., CliResult], built: Workspace
) -> None:
    user_file = built.out / "feeds" / "my-notes.txt"
    user_file.write_text("mine")
    (built.out / "robots.txt").write_text("User-agent: *\n")
    config = built.config.read_text("utf-8")
    start = config.index('[[feeds]]\nslug = "ding-yi-without-ev"')
    end = config.index("# Keyword topics")
    built.config.write_text(config[:start] + config[end:], "utf-8")
    assert build(cli, built, seed_markup_variants()[0]).code == 0
    assert not (built.out / "feeds" / "ding-yi-without-ev").exists()
    assert (built.out / "feeds" / "china-ev-makers" / "atom.xml").exists()
    assert user_file.read_text() == "mine"
    assert (built.out / "robots.txt").exists()


def test_reporter_counts_are_the_seed_counts(built: Workspace) -> None:
    feed = feedparser.parse(os.fspath(built.out / "atom.xml"))
    names = Counter(a.name for e in feed.entries for a in e.authors)
    assert names == Counter(
        {
            "Ding Yi": 16,
            "Anniek Bao": 2,
            "Yang Ge": 1,
            "Qian Tong": 1,
            "Yuan Ruiyang": 1,
            "Han Wei": 1,
        }
    )
