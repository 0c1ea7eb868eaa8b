"""A real browser opens the published pages: Debian's ``chromium``, headless.

The output folder of a build is served on 127.0.0.1 (the site's ``base_url`` is that
server). Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4, stdlib only):
it loads a page, the test reads the *rendered* DOM from it and takes a screenshot, saved
under ``test-artifacts/browser/`` at the repo top (gitignored).

Chromium is kept on loopback: a fresh ``--user-data-dir``, no background networking,
component updates, sync or QUIC; every proxied request goes to a closed loopback port and
the host resolver maps every name but 127.0.0.1 to "not found".

Without chromium the tests are skipped, except under CI (``CI`` set), where they fail:
CI runs ``scripts/test``, which installs it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest

from tests.helpers import REPO, SEED_TXT, require_tool

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts" / "browser"
WINDOW = (1280, 2000)
SOURCE_HOST = "www.caixinglobal.com"  # entry links and the "Feeds of" link go to the source
FEED_TYPES = {
    "application/atom+xml": "atom.xml",
    "application/rss+xml": "rss.xml",
    "application/feed+json": "feed.json",
}


# --- a static server for the output folder --------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def http_status(url: str) -> int:
    assert url.startswith("http://127.0.0.1:"), url
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with no_proxy.open(url, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def http_get(url: str) -> bytes:
    assert url.startswith("http://127.0.0.1:"), url
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with no_proxy.open(url, timeout=10) as response:
        return response.read()


# --- Chromium over the DevTools protocol, on a pipe ------------------------------------------


class CdpError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium; :meth:`open` loads a URL in a tab and waits for ``load``."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-quic",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-default-browser-check",
            "--metrics-recording-only",
            "--hide-scrollbars",
            "--proxy-server=http://127.0.0.1:9",  # a closed port; loopback is never proxied
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            f"--user-data-dir={profile}",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # the protocol wants the pipe on fds 3 (commands in) and 4 (replies out): bash moves
        # the two inherited descriptors there before it becomes chromium
        self._process = subprocess.Popen(
            [
                "bash",
                "-c",
                'exec 3<&"$1" 4>&"$2"; shift 2; exec "$@"',
                "bash",
                str(to_browser_r),
                str(from_browser_w),
                binary,
                *flags,
            ],
            pass_fds=(to_browser_r, from_browser_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def close(self) -> None:
        with contextlib.suppress(CdpError, OSError, TimeoutError):
            self.call("Browser.close", timeout=5)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise CdpError("chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        self._next_id += 1
        request: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            request["sessionId"] = session
        os.write(self._to_browser, json.dumps(request).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, session: str, timeout: float = 30) -> None:
        """Wait for ``event`` of ``session``; it may have come in during an earlier call."""

        def matches(message: dict[str, Any]) -> bool:
            return message.get("method") == event and message.get("sessionId") == session

        for index, message in enumerate(self.events):
            if matches(message):
                del self.events[index]
                return
        deadline = time.monotonic() + timeout
        while True:
            message = self._receive(deadline)
            if matches(message):
                return
            self.events.append(message)

    def open(self, url: str) -> Tab:
        assert url.startswith("http://127.0.0.1:"), url
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.call("Page.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": WINDOW[0], "height": WINDOW[1], "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        navigated = self.call("Page.navigate", {"url": url}, session=session)
        assert not navigated.get("errorText"), (url, navigated)
        self.wait_for("Page.loadEventFired", session)
        return Tab(self, session, url)


@dataclass
class Tab:
    browser: Chromium
    session: str
    url: str

    def evaluate(self, expression: str) -> Any:
        result = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(
            self.browser.call("Page.captureScreenshot", {"format": "png"}, session=self.session)[
                "data"
            ]
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return data


# what the test reads from the rendered DOM (resolved URLs: a.href, not the attribute)
DOM_QUERY = """JSON.stringify({
  title: document.title,
  html: document.documentElement.outerHTML,
  anchors: [...document.querySelectorAll('a[href]')].map(a => ({
    href: a.href, text: a.textContent.trim()})),
  alternates: [...document.querySelectorAll('link[rel~="alternate"]')].map(l => ({
    href: l.href, type: l.type, title: l.title})),
  feeds: [...document.querySelectorAll('li.feed')].map(li => ({
    heading: li.querySelector('h3').textContent.trim(),
    page: (li.querySelector('h3 a') || {}).href || null,
    count: li.querySelector('.count').textContent.trim(),
    subscribe: [...li.querySelectorAll('.subscribe a')].map(a => a.href)})),
  articles: [...document.querySelectorAll('main article')].map(a => ({
    title: a.querySelector('h2').textContent.trim(),
    link: (a.querySelector('h2 a') || {}).href || null,
    time: (a.querySelector('time') || {}).dateTime || null})),
  scripts: document.scripts.length,
  width: document.documentElement.scrollWidth,
})"""


@dataclass(frozen=True)
class Page:
    title: str
    html: str
    anchors: list[dict[str, str]]
    alternates: list[dict[str, str]]
    feeds: list[dict[str, Any]]
    articles: list[dict[str, Any]]
    scripts: int
    width: int
    png: bytes


# --- the build the browser opens --------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    out: Path
    base_url: str
    browser: Chromium

    def url(self, rel: str) -> str:
        return self.base_url + rel

    def render(self, rel: str, shot: str) -> Page:
        tab = self.browser.open(self.url(rel))
        dom = json.loads(tab.evaluate(DOM_QUERY))
        png = tab.screenshot(ARTIFACTS / shot)
        return Page(png=png, **dom)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    binary = require_tool("chromium", "chromium-browser")
    root = tmp_path_factory.mktemp("browser")
    from feedsvc.cli import main

    with serve_folder(root / "output") as base_url:
        lines = (REPO / "config.toml").read_text("utf-8").splitlines()
        lines = [f'base_url = "{base_url}"' if ln.startswith("base_url") else ln for ln in lines]
        (root / "config.toml").write_text("\n".join(lines) + "\n", "utf-8")
        code = main(
            [
                "build",
                "--config",
                str(root / "config.toml"),
                "--out",
                str(root / "output"),
                "--state",
                str(root / "state.sqlite3"),
                "--source",
                str(SEED_TXT),
            ]
        )
        assert code == 0
        browser = Chromium(binary, root / "profile")
        try:
            yield Site(root / "output", base_url, browser)
        finally:
            browser.close()


def feed_folders(out: Path) -> list[str]:
    """Every feed's folder relative to the output folder ("" for the page-wide feed)."""
    return sorted(
        "" if p.parent == out else p.parent.relative_to(out).as_posix() + "/"
        for p in out.rglob("atom.xml")
    )


def json_items(out: Path, folder: str) -> list[dict[str, Any]]:
    return json.loads((out / folder / "feed.json").read_text("utf-8"))["items"]


def check_png(data: bytes) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == WINDOW
    assert len(data) > 20_000  # a blank 1280x2000 PNG is a few KB


def check_links(site: Site, page: Page) -> None:
    """Every link resolves: ours to a file the server has (200), the rest go to the source."""
    assert page.anchors
    for anchor in page.anchors:
        href = anchor["href"]
        if href.startswith(site.base_url):
            assert http_status(href) == 200, anchor
            assert (site.out / urlsplit(href).path.lstrip("/")).is_file(), anchor
        else:
            parts = urlsplit(href)
            assert (parts.scheme, parts.hostname) == ("https", SOURCE_HOST), anchor


def check_autodiscovery(site: Site, page: Page, folder: str) -> None:
    """One ``<link rel=alternate>`` per format, to the feed's own files, which parse."""
    found = {link["type"]: link["href"] for link in page.alternates}
    assert set(found) == set(FEED_TYPES), page.alternates
    for kind, name in FEED_TYPES.items():
        assert found[kind] == site.url(folder + name)
        body = http_get(found[kind])
        if name == "feed.json":
            assert json.loads(body)["items"]
        else:
            parsed = feedparser.parse(body)
            assert parsed.bozo == 0 and parsed.entries, found[kind]
    assert all(link["title"] for link in page.alternates)


def test_index_lists_every_feed_with_working_links(site: Site) -> None:
    page = site.render("index.html", "index.png")
    folders = feed_folders(site.out)
    assert len(folders) >= 20
    assert page.title == "Caixin Global CX Live"
    assert page.scripts == 0
    assert page.width <= WINDOW[0]  # nothing wider than the window
    # every feed is listed once, with its page and its three subscribe links
    assert len(page.feeds) == len(folders)
    listed = {}
    for feed in page.feeds:
        subscribe = feed["subscribe"]
        assert len(subscribe) == 3, feed
        folder = subscribe[0].removeprefix(site.base_url).removesuffix("atom.xml")
        assert subscribe == [site.url(folder + n) for n in ("atom.xml", "rss.xml", "feed.json")]
        if folder:
            assert feed["page"] == site.url(folder + "index.html"), feed
        count = len(json_items(site.out, folder))
        assert feed["count"].startswith(f"{count} entr"), feed
        listed[folder] = feed
    assert sorted(listed) == folders
    check_links(site, page)
    check_autodiscovery(site, page, "")
    check_png(page.png)


@pytest.mark.parametrize(
    ("folder", "shot"),
    [("reporters/ding-yi/", "reporter-ding-yi.png"), ("topics/business-tech/", "topic.png")],
)
def test_feed_page_lists_its_entries_with_working_links(site: Site, folder: str, shot: str) -> None:
    page = site.render(folder + "index.html", shot)
    items = json_items(site.out, folder)
    assert len(items) >= 16
    assert page.scripts == 0
    assert page.width <= WINDOW[0]
    # every entry of the feed, in feed order, with its title, link and time
    assert [a["title"] for a in page.articles] == [i["title"] for i in items]
    for article, item in zip(page.articles, items, strict=True):
        assert article["link"] == urljoin(site.base_url, item["url"])
        assert article["time"] == item["date_published"]
    # subscribe links and the way back to the index
    hrefs = [a["href"] for a in page.anchors]
    for name in ("atom.xml", "rss.xml", "feed.json"):
        assert site.url(folder + name) in hrefs
    assert site.url("index.html") in hrefs
    check_links(site, page)
    check_autodiscovery(site, page, folder)
    check_png(page.png)
