"""Several roundup pages, one archive: a brief shown on two pages is one entry."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator

import feedparser
import pytest

from tests.helpers import FIXTURES, SAMPLE_PAGE, CliResult, Workspace
from tests.httpserver import HTTPTestServer, Reply

LIVE_PAGE = FIXTURES / "live-mixed.html"
# the three briefs of live-mixed.html that the business-and-tech page shows too
SHARED_LEADS = (
    "Chinese display panel maker BOE Technology",
    "U.S. electric carmaker Tesla on Monday",
    "Nasdaq-listed Chinese video streaming firm Bilibili",
)


@pytest.fixture
def server() -> Iterator[HTTPTestServer]:
    with HTTPTestServer() as running:
        running.route("/business-and-tech-live/", Reply.html(SAMPLE_PAGE.read_bytes()))
        running.route("/live/", Reply.html(LIVE_PAGE.read_bytes()))
        yield running


def configure(ws: Workspace, server: HTTPTestServer, order: tuple[str, ...]) -> None:
    tables = "".join(
        f'[[sources]]\nname = "{name}"\nurl = "{server.url(f"/{name}/")}"\n\n' for name in order
    )
    ws.config.write_text('[site]\nbase_url = "https://feeds.example.org/"\n\n' + tables, "utf-8")


def entries(ws: Workspace, folder: str = "") -> list[feedparser.FeedParserDict]:
    path = ws.out / folder / "atom.xml" if folder else ws.out / "atom.xml"
    return feedparser.parse(os.fspath(path)).entries


def shared_ids(items: list[feedparser.FeedParserDict]) -> dict[str, str]:
    found = {}
    for entry in items:
        for lead in SHARED_LEADS:
            if lead in entry.content[0].value:
                assert lead not in found, f"{lead!r} published twice"
                found[lead] = entry.id
    return found


def test_brief_on_two_pages_is_published_once_with_one_id(
    cli: Callable[..., CliResult], workspace: Workspace, server: HTTPTestServer
) -> None:
    configure(workspace, server, ("business-and-tech-live", "live"))
    result = cli(*workspace.args("build"))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("26 briefs parsed, 23 new, 0 updated")
    everything = entries(workspace)
    assert len(everything) == 23
    assert len({e.id for e in everything}) == 23
    assert len(shared_ids(everything)) == 3


def test_shared_briefs_keep_the_ids_of_the_single_page_build(
    cli: Callable[..., CliResult],
    workspace: Workspace,
    server: HTTPTestServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    single = Workspace(tmp_path_factory.mktemp("single"))
    single.config.write_text('[site]\nbase_url = "https://feeds.example.org/"\n', "utf-8")
    assert cli(*single.args("build", "--source", str(SAMPLE_PAGE))).code == 0
    configure(workspace, server, ("live", "business-and-tech-live"))
    assert cli(*workspace.args("build")).code == 0
    assert shared_ids(entries(workspace)) == shared_ids(entries(single))


def test_page_order_does_not_change_ids(
    cli: Callable[..., CliResult],
    server: HTTPTestServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    ids = []
    for order in (("business-and-tech-live", "live"), ("live", "business-and-tech-live")):
        ws = Workspace(tmp_path_factory.mktemp("order"))
        configure(ws, server, order)
        assert cli(*ws.args("build")).code == 0
        ids.append(sorted(e.id for e in entries(ws)))
    assert ids[0] == ids[1]


def test_section_topics_split_the_mixed_live_page(
    cli: Callable[..., CliResult], workspace: Workspace, server: HTTPTestServer
) -> None:
    configure(workspace, server, ("business-and-tech-live", "live"))
    assert cli(*workspace.args("build")).code == 0
    assert len(entries(workspace, "topics/business-tech")) == 20
    assert len(entries(workspace, "topics/world")) == 2
    assert len(entries(workspace, "topics/economy")) == 1
    assert len(shared_ids(entries(workspace, "topics/business-tech"))) == 3
    reporters = {p.name for p in (workspace.out / "reporters").iterdir()}
    assert {"bloomberg", "ren-qiuyu", "denise-jia", "wang-xiaoqing", "xue-xiaoli"} <= reporters
    assert len(entries(workspace, "reporters/qian-tong")) == 2


def test_shared_brief_is_in_the_feeds_of_both_pages_topics(
    cli: Callable[..., CliResult], workspace: Workspace, server: HTTPTestServer
) -> None:
    configure(workspace, server, ("live", "business-and-tech-live"))
    assert cli(*workspace.args("build")).code == 0
    tesla = shared_ids(entries(workspace))["U.S. electric carmaker Tesla on Monday"]
    for folder in ("topics/business-tech", "topics/electric-vehicles", "reporters/ding-yi"):
        assert tesla in {e.id for e in entries(workspace, folder)}, folder
    index = json.loads((workspace.out / "feed.json").read_text("utf-8"))
    assert [item["id"] for item in index["items"]].count(tesla) == 1


def test_unchanged_pages_publish_nothing_new(
    cli: Callable[..., CliResult], workspace: Workspace, server: HTTPTestServer
) -> None:
    configure(workspace, server, ("business-and-tech-live", "live"))
    assert cli(*workspace.args("build")).code == 0
    before = workspace.mtimes()
    result = cli(*workspace.args("build"))
    assert result.code == 0
    assert "0 new, 0 updated" in result.stdout
    assert workspace.mtimes() == before


def test_one_failing_page_does_not_hold_back_the_other(
    cli: Callable[..., CliResult], workspace: Workspace, server: HTTPTestServer
) -> None:
    server.route("/live/", Reply(404))
    configure(workspace, server, ("live", "business-and-tech-live"))
    result = cli(*workspace.args("build"))
    assert result.code == 3
    assert "404" in result.stderr
    assert len(entries(workspace)) == 20
