"""WebSub: hub links in every feed, and one publish ping per changed feed URL to a hub
stand-in on 127.0.0.1 that records them."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import pytest
from lxml import etree

from tests.helpers import SEED_TXT, CliResult, Workspace
from tests.httpserver import HTTPTestServer, Reply

BASE = "https://feeds.example.org/cx/"


@pytest.fixture
def hub() -> Iterator[HTTPTestServer]:
    with HTTPTestServer() as server:
        server.route("/hub", Reply(202))
        yield server


def configure(ws: Workspace, hubs: list[str]) -> None:
    ws.config.write_text(
        f'[site]\nbase_url = "{BASE}"\n'
        f"[websub]\nhubs = {json.dumps(hubs)}\nretries = 2\ntimeout = 2\n",
        "utf-8",
    )


def pinged(server: HTTPTestServer) -> list[str]:
    urls = []
    for request in server.requests_to("/hub"):
        assert request.method == "POST"
        form = parse_qs(request.body.decode())
        assert form["hub.mode"] == ["publish"]
        urls.extend(form["hub.url"])
    return urls


def feed_urls_of(ws: Workspace, changed: set[str]) -> set[str]:
    return {
        BASE + path
        for path in changed
        if path.endswith((".xml", ".json")) and path not in ("status.json",)
    }


def changed_files(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {p for p in after if before.get(p) != after[p]}


def test_every_feed_announces_the_hub(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    hub_url = hub.url("/hub")
    configure(workspace, [hub_url])
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    atom_ns = "{http://www.w3.org/2005/Atom}"
    for path in workspace.out.rglob("atom.xml"):
        root = etree.parse(str(path)).getroot()
        assert root.find(f"{atom_ns}link[@rel='hub'][@href='{hub_url}']") is not None, path
    for path in workspace.out.rglob("rss.xml"):
        channel = etree.parse(str(path)).getroot().find("channel")
        assert channel.find(f"{atom_ns}link[@rel='hub'][@href='{hub_url}']") is not None, path
    for path in workspace.out.rglob("feed.json"):
        hubs = json.loads(path.read_text("utf-8"))["hubs"]
        assert hubs == [{"type": "WebSub", "url": hub_url}], path


def test_first_build_pings_every_feed_url_once(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    configure(workspace, [hub.url("/hub")])
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    urls = pinged(hub)
    assert len(urls) == len(set(urls))
    assert set(urls) == feed_urls_of(workspace, set(workspace.files()))


def test_unchanged_build_pings_nothing(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    configure(workspace, [hub.url("/hub")])
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    hub.clear()
    hub.route("/hub", Reply(202))
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    assert pinged(hub) == []


def test_an_edit_pings_only_the_feeds_whose_files_changed(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    configure(workspace, [hub.url("/hub")])
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    before = workspace.files()
    hub.clear()
    hub.route("/hub", Reply(202))
    edited = SEED_TXT.read_text("utf-8").replace(
        "Geely owns a number of international brands including Volvo and Lotus\n\n"
        "Geely owns a number of international brands including Volvo and Lotus",
        "Geely owns Volvo and Lotus\n\nGeely owns Volvo and Lotus",
    )
    page = workspace.write_page("edited.txt", edited)
    result = cli(*workspace.args("build", "--source", str(page)))
    assert result.code == 0 and "1 updated" in result.stdout
    changed = feed_urls_of(workspace, changed_files(before, workspace.files()))
    assert BASE + "reporters/ding-yi/atom.xml" in changed
    assert BASE + "reporters/anniek-bao/atom.xml" not in changed
    assert sorted(pinged(hub)) == sorted(changed)


def test_failing_hub_is_retried_then_skipped_and_never_fails_the_build(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    hub.route("/hub", Reply(503))
    configure(workspace, [hub.url("/hub")])
    result = cli(*workspace.args("build", "--source", str(SEED_TXT)))
    assert result.code == 0
    assert result.stdout.startswith("20 briefs parsed")
    assert len(hub.requests_to("/hub")) == 3  # first try + 2 retries, then the hub is skipped
    feeds = len(feed_urls_of(workspace, set(workspace.files())))
    assert f"{feeds} feed URLs not announced" in result.stderr


def test_recovering_hub_gets_the_ping_on_retry(
    cli: Callable[..., CliResult], workspace: Workspace, hub: HTTPTestServer
) -> None:
    hub.route("/hub", [Reply(503), Reply(202)])
    configure(workspace, [hub.url("/hub")])
    assert cli(*workspace.args("build", "--source", str(SEED_TXT))).code == 0
    feeds = feed_urls_of(workspace, set(workspace.files()))
    assert len(hub.requests_to("/hub")) == len(feeds) + 1
    assert set(pinged(hub)) == feeds


def test_unreachable_hub_never_fails_the_build(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    configure(workspace, [f"http://127.0.0.1:{closed_port}/hub"])
    result = cli(*workspace.args("build", "--source", str(SEED_TXT)))
    assert result.code == 0
    assert (workspace.out / "atom.xml").exists()
