"""A cycle against a real HTTP server on 127.0.0.1: every network and server fault leaves the
published files byte for byte as they were, and `feedsvc build` exits non-zero with a reason."""

from __future__ import annotations

import gzip
import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from tests.helpers import SAMPLE_PAGE, CliResult, Workspace, split_seed
from tests.httpserver import HTTPTestServer, Reply

PAGE_PATH = "/business-and-tech-live/"


@dataclass
class Site:
    server: HTTPTestServer
    ws: Workspace
    cli: Callable[..., CliResult]

    def serve(self, *replies: Reply) -> None:
        self.server.route(PAGE_PATH, list(replies))

    def build(self) -> CliResult:
        return self.cli(*self.ws.args("build"))

    def page_requests(self) -> int:
        return len(self.server.requests_to(PAGE_PATH))


def config_for(url: str) -> str:
    return f"""
[site]
base_url = "https://feeds.example.org/caixin/"
[[sources]]
name = "business-and-tech-live"
url = "{url}"
[fetch]
connect_timeout = 2
read_timeout = 0.5
retries = 2
backoff_base = 0.01
backoff_max = 0.05
retry_after_max = 5
total_timeout = 8
max_bytes = 2000000
"""


@pytest.fixture
def site(workspace: Workspace, cli: Callable[..., CliResult]) -> Iterator[Site]:
    with HTTPTestServer() as server:
        workspace.config.write_text(config_for(server.url(PAGE_PATH)), "utf-8")
        yield Site(server, workspace, cli)


@pytest.fixture
def published(site: Site) -> Site:
    site.serve(
        Reply.html(
            SAMPLE_PAGE.read_bytes(),
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 19 Jan 2021 10:30:00 GMT"},
        )
    )
    result = site.build()
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("20 briefs parsed, 20 new")
    site.server.clear()
    return site


def assert_untouched(
    site: Site, action: Callable[[], CliResult], code: int, reason: str
) -> CliResult:
    before_files, before_mtimes = site.ws.files(), site.ws.mtimes()
    result = action()
    assert result.code == code, result.stderr
    assert reason in result.stderr
    assert result.stderr.count("feedsvc: error:") == 1
    assert "Traceback" not in result.stderr
    assert site.ws.files() == before_files
    assert site.ws.mtimes() == before_mtimes
    return result


def text_page(briefs: list[str]) -> str:
    seed = split_seed()
    return seed.page(briefs)


def html_page(text: str, charset: str) -> str:
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    return (
        f'<html><head><meta charset="{charset}"><title>CX</title></head><body>{body}</body></html>'
    )


def test_unchanged_page_costs_one_304_and_no_parsing(published: Site) -> None:
    published.serve(Reply(304))
    before = published.ws.mtimes()
    result = published.build()
    assert result.code == 0
    assert result.stdout.startswith("0 briefs parsed, 0 new")
    assert "not modified" in result.stdout
    (request,) = published.server.requests_to(PAGE_PATH)
    assert request.headers["if-none-match"] == '"v1"'
    assert request.headers["if-modified-since"] == "Tue, 19 Jan 2021 10:30:00 GMT"
    assert published.ws.mtimes() == before


def test_server_error_then_success_is_retried_and_published(site: Site) -> None:
    site.serve(Reply(500), Reply.html(SAMPLE_PAGE.read_bytes()))
    result = site.build()
    assert result.code == 0, result.stderr
    assert site.page_requests() == 2
    assert (site.ws.out / "reporters" / "ding-yi" / "atom.xml").exists()


def test_429_with_retry_after_is_waited_out_then_published(site: Site) -> None:
    site.serve(Reply(429, headers={"Retry-After": "1"}), Reply.html(SAMPLE_PAGE.read_bytes()))
    result = site.build()
    assert result.code == 0, result.stderr
    assert site.page_requests() == 2
    assert "Retry-After" in result.stderr or "429" in result.stderr


def test_persistent_server_errors_leave_files_untouched(published: Site) -> None:
    published.serve(Reply(503))
    assert_untouched(published, published.build, 3, "503")
    assert published.page_requests() == 3


def test_read_timeout_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply.stall(3))
    assert_untouched(published, published.build, 3, "timed out")


def test_connection_reset_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply.connection_reset())
    assert_untouched(published, published.build, 3, published.server.url(PAGE_PATH))


def test_redirect_loop_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply.redirect(PAGE_PATH))
    assert_untouched(published, published.build, 3, "redirect")


def test_oversize_body_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply.html(b"<p>" + b"x" * 3_000_000, chunked=True))
    assert_untouched(published, published.build, 3, "larger than")


def test_gzip_bomb_stops_at_the_cap_and_leaves_files_untouched(published: Site) -> None:
    bomb = gzip.compress(b"\0" * 200_000_000, compresslevel=9)
    published.serve(Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    assert_untouched(published, published.build, 3, "larger than")


def test_non_html_content_type_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}))
    assert_untouched(published, published.build, 3, "application/pdf")


def test_empty_body_leaves_files_untouched(published: Site) -> None:
    published.serve(Reply(200, b"", {"Content-Type": "text/html"}))
    assert_untouched(published, published.build, 3, "empty")


def test_page_without_bylines_leaves_files_untouched(published: Site) -> None:
    published.serve(
        Reply.html("<html><body><h1>We have moved</h1><p>See our app.</p></body></html>")
    )
    assert_untouched(published, published.build, 4, "byline")


def test_page_with_3_of_its_20_briefs_leaves_files_untouched(published: Site) -> None:
    seed = split_seed()
    published.serve(Reply.html(html_page(text_page(seed.briefs[:3]), "utf-8")))
    assert_untouched(published, published.build, 4, "3 briefs")


def test_gbk_page_is_decoded_by_its_header_charset(site: Site) -> None:
    text = split_seed().page(split_seed().briefs)
    body = html_page(text, "gbk").encode("gbk", errors="xmlcharrefreplace")
    site.serve(Reply(200, body, {"Content-Type": "text/html; charset=GBK"}))
    result = site.build()
    assert result.code == 0, result.stderr
    feed = (site.ws.out / "atom.xml").read_text("utf-8")
    assert "China’s equivalent of Twitter" in feed


def test_windows_1252_page_without_charset_keeps_its_curly_quotes(site: Site) -> None:
    text = split_seed().page(split_seed().briefs)
    body = html_page(text, "windows-1252").replace('<meta charset="windows-1252">', "")
    site.serve(Reply(200, body.encode("windows-1252"), {"Content-Type": "text/html"}))
    result = site.build()
    assert result.code == 0, result.stderr
    feed = (site.ws.out / "atom.xml").read_text("utf-8")
    assert "China’s equivalent of Twitter" in feed


def test_a_recovered_page_after_failures_publishes_again(published: Site) -> None:
    published.serve(Reply(503))
    assert published.build().code == 3
    edited = SAMPLE_PAGE.read_bytes().replace(b"Jordan sued Fujian", b"Michael Jordan sued Fujian")
    assert edited != SAMPLE_PAGE.read_bytes()
    published.serve(Reply.html(edited))
    result = published.build()
    assert result.code == 0, result.stderr
    assert "0 new, 1 updated" in result.stdout
