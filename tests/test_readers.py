"""A real feed reader reads every feed of a build: Debian's ``newsboat``.

The output folder of a build is served by a static HTTP server on 127.0.0.1 (the site's
``base_url`` is that server, so self links resolve there too). newsboat reloads each feed
non-interactively (``-x reload``) into a cache of its own, and the test compares what it
stored (SQLite ``rss_item``/``rss_feed``) with the feed files: item count, ids, titles,
authors and dates.

One newsboat cache per feed, not one for all: newsboat keys its cache on the item guid
across feeds, so an entry that is in five feeds would be stored once, under the last feed
reloaded (one run with all URLs keeps 20 items in total for a 40-file build).

newsboat only talks to the loopback server: the URLs file holds only loopback URLs, and
its environment points every proxy variable at a closed loopback port (``no_proxy`` lets
127.0.0.1 through), so a request to anywhere else would fail instead of leaving the host.

Without newsboat the test is skipped, except under CI (``CI`` set), where it fails: CI
runs ``scripts/test``, which installs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers import REPO, require_tool, split_seed

pytestmark = pytest.mark.slow

ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# a closed port on loopback: anything that would go through a proxy fails right here
DEAD_PROXY = "http://127.0.0.1:9"
# what the second build of the fixture runs at (a pinned clock: edits get this time)
SECOND_BUILD_EPOCH = 1_611_100_000  # 2021-01-19T23:46:40Z


# --- a static server for the output folder --------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.requested.append(self.path)
        super().do_GET()


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yields the base URL and the paths asked."""
    requested: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"requested": requested})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", requested
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def write_config(root: Path, base_url: str) -> Path:
    """The repo's config.toml with ``base_url`` pointing at the loopback server."""
    lines = (REPO / "config.toml").read_text("utf-8").splitlines()
    changed = [f'base_url = "{base_url}"' if ln.startswith("base_url") else ln for ln in lines]
    assert changed != lines, "config.toml has no base_url line any more"
    config = root / "config.toml"
    config.write_text("\n".join(changed) + "\n", "utf-8")
    return config


def run_build(root: Path, config: Path, source: Path, epoch: int | None = None) -> None:
    from feedsvc.cli import main

    args = ["build", "--config", str(config), "--out", str(root / "output")]
    args += ["--state", str(root / "state" / "feedsvc.sqlite3"), "--source", str(source)]
    with pytest.MonkeyPatch.context() as mp:
        if epoch is not None:
            mp.setenv("SOURCE_DATE_EPOCH", str(epoch))
        assert main(args) == 0


# --- the build the reader reads -----------------------------------------------------------


@dataclass(frozen=True)
class Site:
    out: Path
    base_url: str
    requested: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Two builds of the seed: the second one edits one brief and corrects another one's
    time, so some entries have an ``updated`` after their ``published`` time."""
    root = tmp_path_factory.mktemp("readers")
    seed = split_seed()
    newest = list(seed.briefs[:12])
    newest[8] = newest[8].replace("Jan 15, 2021 02:10 PM", "Jan 15, 2021 02:20 PM")
    newest[9] = newest[9].replace("In 2012, Jordan sued", "In 2012, Michael Jordan sued")
    pages = root / "pages"
    pages.mkdir()
    (pages / "oldest.txt").write_text(seed.page(seed.briefs[8:]), "utf-8")
    (pages / "newest.txt").write_text(seed.page(newest), "utf-8")
    with serve_folder(root / "output") as (base_url, requested):
        config = write_config(root, base_url)
        run_build(root, config, pages / "oldest.txt", SECOND_BUILD_EPOCH - 3600)
        run_build(root, config, pages / "newest.txt", SECOND_BUILD_EPOCH)
        yield Site(root / "output", base_url, requested)


# --- what the files say ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    id: str
    title: str
    authors: tuple[str, ...]  # as the file names them, in order
    published: int  # epoch seconds
    updated: int | None  # Atom only


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.strip()).timestamp())


def entries_in(path: Path) -> tuple[str, list[Expected]]:
    """The feed's title and its entries, read from the XML with lxml (not feedparser)."""
    root = etree.parse(str(path)).getroot()
    if root.tag == ATOM + "feed":
        entries = [
            Expected(
                id=e.findtext(ATOM + "id"),
                title=e.findtext(ATOM + "title"),
                authors=tuple(a.findtext(ATOM + "name") for a in e.findall(f"{ATOM}author")),
                published=_epoch(e.findtext(ATOM + "published")),
                updated=_epoch(e.findtext(ATOM + "updated")),
            )
            for e in root.iter(ATOM + "entry")
        ]
        return root.findtext(ATOM + "title"), entries
    assert root.tag == "rss", path
    channel = root.find("channel")
    entries = [
        Expected(
            id=item.findtext("guid"),
            title=item.findtext("title"),
            authors=tuple(c.text for c in item.findall(DC_CREATOR)),
            published=int(parsedate_to_datetime(item.findtext("pubDate")).timestamp()),
            updated=None,
        )
        for item in channel.iter("item")
    ]
    return channel.findtext("title"), entries


def json_items(folder: Path) -> dict[str, dict]:
    """The JSON Feed of the same folder, by item id: a third rendering to check against."""
    data = json.loads((folder / "feed.json").read_text("utf-8"))
    return {item["id"]: item for item in data["items"]}


# --- newsboat -------------------------------------------------------------------------------

NEWSBOAT_CONFIG = """\
reload-threads 1
download-retries 1
download-timeout 20
use-proxy no
show-read-feeds yes
max-items 0
keep-articles-days 0
error-log {error_log}
"""


@dataclass(frozen=True)
class Stored:
    feed_title: str | None
    items: dict[str, tuple[str, str, int]]  # guid -> (title, author, pubDate)
    error_log: str


def newsboat_reload(newsboat: str, url: str, work: Path) -> Stored:
    """``newsboat -x reload`` of one URL into a fresh cache, HOME and config; what it stored."""
    assert url.startswith("http://127.0.0.1:"), url
    home = work / "home"
    home.mkdir(parents=True)
    (work / "urls").write_text(url + "\n", "utf-8")
    (work / "config").write_text(NEWSBOAT_CONFIG.format(error_log=work / "error.log"), "utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        **{name: DEAD_PROXY for name in ("http_proxy", "https_proxy", "all_proxy")},
        **{name: DEAD_PROXY for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")},
        "no_proxy": "127.0.0.1",
        "NO_PROXY": "127.0.0.1",
    }
    done = subprocess.run(
        [
            newsboat,
            "-x",
            "reload",
            "-u",
            str(work / "urls"),
            "-c",
            str(work / "cache.db"),
            "-C",
            str(work / "config"),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    error_log = (
        (work / "error.log").read_text("utf-8", "replace") if (work / "error.log").exists() else ""
    )
    assert done.returncode == 0, (url, done.stdout[-2000:], done.stderr[-2000:], error_log)
    with contextlib.closing(sqlite3.connect(work / "cache.db")) as db:
        feed = db.execute("SELECT title FROM rss_feed WHERE rssurl = ?", (url,)).fetchone()
        rows = db.execute(
            "SELECT guid, title, author, pubDate, feedurl FROM rss_item WHERE deleted = 0"
        ).fetchall()
    assert all(row[4] == url for row in rows), url
    items = {guid: (title, author, pub) for guid, title, author, pub, _ in rows}
    assert len(items) == len(rows), f"{url}: newsboat stored a guid twice"
    return Stored(feed[0] if feed else None, items, error_log)


def test_newsboat_stores_every_entry_of_every_feed(site: Site, tmp_path: Path) -> None:
    newsboat = require_tool("newsboat")
    feeds = sorted(p for p in site.out.rglob("*.xml") if p.name in ("atom.xml", "rss.xml"))
    folders = {p.parent for p in feeds}
    assert len(feeds) == 2 * len(folders) >= 40, feeds  # every folder has both formats
    urls = {p: site.base_url + p.relative_to(site.out).as_posix() for p in feeds}
    site.requested.clear()
    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = dict(
            zip(
                feeds,
                pool.map(
                    lambda p: newsboat_reload(newsboat, urls[p], tmp_path / f"nb{feeds.index(p)}"),
                    feeds,
                ),
                strict=True,
            )
        )
    # newsboat asked the loopback server for the feed files and nothing else
    assert sorted(site.requested) == sorted("/" + p.relative_to(site.out).as_posix() for p in feeds)

    total = 0
    edited_seen = 0
    for path in feeds:
        name = path.relative_to(site.out).as_posix()
        title, expected = entries_in(path)
        reference = json_items(path.parent)
        got = stored[path]
        assert not got.error_log.strip(), (name, got.error_log)
        assert got.feed_title == title, name
        assert len(got.items) == len(expected) == len(reference), name
        assert set(got.items) == {e.id for e in expected} == set(reference), name
        for entry in expected:
            stored_title, stored_author, stored_pub = got.items[entry.id]
            ref = reference[entry.id]
            assert stored_title == entry.title == ref["title"], (name, entry.id)
            names = tuple(a["name"] for a in ref["authors"])
            assert entry.authors == names, (name, entry.id)
            if path.name == "atom.xml":
                # newsboat joins the <author> names of an Atom entry with ", "
                assert stored_author == ", ".join(names), (name, entry.id)
            else:
                # RSS names every author in a dc:creator of its own; newsboat 2.21 keeps the
                # last one (a later version may join them)
                assert stored_author in (names[-1], ", ".join(names)), (name, entry.id)
            published = _epoch(ref["date_published"])
            assert stored_pub == entry.published == published, (name, entry.id)
            if entry.updated is not None and entry.updated != entry.published:
                edited_seen += 1
        total += len(expected)
    assert total > 100
    # the edited brief's Atom entries are there: newsboat shows their published time
    assert edited_seen > 0


def test_newsboat_reads_feeds_from_the_opml_file(site: Site, tmp_path: Path) -> None:
    """``feeds.opml`` points at loopback feeds newsboat can import and then reload."""
    newsboat = require_tool("newsboat")
    opml = etree.parse(str(site.out / "feeds.opml")).getroot()
    urls = [o.get("xmlUrl") for o in opml.iter("outline") if o.get("xmlUrl")]
    atom_files = list(site.out.rglob("atom.xml"))
    assert len(urls) == len(atom_files)
    assert all(u.startswith(site.base_url) for u in urls)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "http_proxy": DEAD_PROXY,
        "https_proxy": DEAD_PROXY,
        "no_proxy": "127.0.0.1",
    }
    (tmp_path / "config").write_text("reload-threads 1\n", "utf-8")
    imported = subprocess.run(
        [
            newsboat,
            "-i",
            str(site.out / "feeds.opml"),
            "-u",
            str(tmp_path / "urls"),
            "-c",
            str(tmp_path / "cache.db"),
            "-C",
            str(tmp_path / "config"),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    listed = [
        ln.split()[0]
        for ln in (tmp_path / "urls").read_text("utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert sorted(listed) == sorted(urls)
