"""Stage 1: fetch_page against a real HTTP server on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import logging
import random
import threading
import time
import tracemalloc
import zlib
from email.utils import formatdate

import brotli
import httpx
import pytest

from feedsvc.config import FetchSettings
from feedsvc.errors import ContentTypeError, FetchError
from feedsvc.fetch import Validators, clear_robots_cache, decode_body, fetch_page
from tests.httpserver import HTTPTestServer, Reply

UA = "feedsvc-test/1.0 (+https://example.invalid/feedsvc)"
PAGE = "<!doctype html><html><head><title>CX Live</title></head><body><p>Brief</p></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}
LAST_MODIFIED = "Tue, 19 Jan 2021 08:00:00 GMT"


def fast(**overrides: object) -> FetchSettings:
    """Settings with small timeouts and back-off, so real waits stay tiny."""
    values: dict[str, object] = {
        "user_agent": UA,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "retries": 3,
        "backoff_base": 0.01,
        "backoff_max": 0.05,
        "retry_after_max": 10.0,
        "total_timeout": 10.0,
        "respect_robots": False,
    }
    values.update(overrides)
    return FetchSettings(**values)  # type: ignore[arg-type]


class MaxJitter(random.Random):
    """Full jitter that always draws the top of its range, to see the back-off curve."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def server():
    with HTTPTestServer() as s:
        yield s
    assert not s.errors, s.errors


@pytest.fixture(autouse=True)
def _fresh_robots_cache():
    clear_robots_cache()
    yield
    clear_robots_cache()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """100 MB of zeros, gzipped to about 100 KB, made without holding 100 MB."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    parts = [packer.compress(zeros) for _ in range(100)]
    parts.append(packer.flush())
    return b"".join(parts)


# --- conditional GET ------------------------------------------------------------------


def test_200_then_304_sends_validators_and_reports_not_modified(server):
    server.route(
        "/page",
        [
            Reply(200, PAGE, {**HTML, "ETag": '"v1"', "Last-Modified": LAST_MODIFIED}),
            Reply(304, headers={"ETag": '"v2"'}),
        ],
    )
    first = fetch_page(server.url("/page"), settings=fast())
    assert (first.status, first.not_modified, first.text) == (200, False, PAGE)
    assert first.validators == Validators(etag='"v1"', last_modified=LAST_MODIFIED)

    second = fetch_page(server.url("/page"), settings=fast(), validators=first.validators)

    assert second.status == 304 and second.not_modified
    assert (second.body, second.text) == (b"", "")
    # a new ETag replaces the old one; Last-Modified, not resent, is carried over
    assert second.validators == Validators(etag='"v2"', last_modified=LAST_MODIFIED)
    sent_first, sent_second = server.requests_to("/page")
    assert "if-none-match" not in sent_first.headers
    assert sent_second.headers["if-none-match"] == '"v1"'
    assert sent_second.headers["if-modified-since"] == LAST_MODIFIED


# --- retries --------------------------------------------------------------------------


def test_500_then_200_is_retried_once_with_a_logged_jittered_delay(server, caplog):
    server.route("/page", [Reply(500, "oops"), Reply(200, PAGE, HTML)])
    sleeps: list[float] = []
    with caplog.at_level(logging.WARNING, logger="feedsvc.fetch"):
        result = fetch_page(server.url("/page"), settings=fast(), sleep=sleeps.append)
    assert result.attempts == 2 and result.text == PAGE
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.01
    assert "HTTP 500 Internal Server Error" in caplog.text and "retrying in" in caplog.text


def test_backoff_doubles_up_to_backoff_max(server):
    server.route("/page", Reply(503))
    sleeps: list[float] = []
    settings = fast(retries=4, backoff_base=1.0, backoff_max=3.0)
    with pytest.raises(FetchError):
        fetch_page(server.url("/page"), settings=settings, sleep=sleeps.append, rng=MaxJitter())
    assert sleeps == [1.0, 2.0, 3.0, 3.0]


def test_429_retry_after_seconds_is_slept(server):
    server.route("/page", [Reply(429, headers={"Retry-After": "2"}), Reply(200, PAGE, HTML)])
    sleeps: list[float] = []
    result = fetch_page(server.url("/page"), settings=fast(), sleep=sleeps.append)
    assert sleeps == [2.0]
    assert result.attempts == 2


def test_retry_after_http_date_is_slept(server):
    when = formatdate(time.time() + 3, usegmt=True)
    server.route("/page", [Reply(503, headers={"Retry-After": when}), Reply(200, PAGE, HTML)])
    sleeps: list[float] = []
    fetch_page(server.url("/page"), settings=fast(), sleep=sleeps.append)
    assert len(sleeps) == 1 and 1.0 < sleeps[0] <= 3.0


def test_retry_after_over_the_cap_gives_up_without_sleeping(server):
    server.route("/page", Reply(429, headers={"Retry-After": "600"}))
    sleeps: list[float] = []
    with pytest.raises(FetchError, match=r"retry after 600 s, longer than retry_after_max"):
        fetch_page(server.url("/page"), settings=fast(), sleep=sleeps.append)
    assert sleeps == []
    assert len(server.requests_to("/page")) == 1


def test_retries_are_bounded(server):
    server.route("/page", Reply(503))
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable from .* after 3 attempts"):
        fetch_page(server.url("/page"), settings=fast(retries=2))
    assert len(server.requests_to("/page")) == 3


def test_total_timeout_bounds_all_attempts(server):
    server.route("/page", Reply(503, delay=0.3))
    started = time.monotonic()
    with pytest.raises(FetchError, match="past total_timeout of 1 s"):
        fetch_page(server.url("/page"), settings=fast(retries=100, total_timeout=1.0))
    assert time.monotonic() - started < 1.5
    assert 2 <= len(server.requests_to("/page")) <= 4


def test_read_timeout_is_retried_then_reported(server):
    server.route("/page", Reply.stall(5))
    started = time.monotonic()
    with pytest.raises(
        FetchError,
        match=r"timed out reading http://127\.0\.0\.1:\d+/page "
        r"after 2 attempts",
    ):
        fetch_page(server.url("/page"), settings=fast(read_timeout=0.2, retries=1))
    assert time.monotonic() - started < 1.5
    assert len(server.requests_to("/page")) == 2


@pytest.mark.parametrize("mid_body", [False, True], ids=["before-response", "mid-body"])
def test_connection_reset_is_retried(server, mid_body):
    body = PAGE * 200
    server.route(
        "/page", [Reply.connection_reset(mid_body=mid_body, body=body), Reply(200, body, HTML)]
    )
    result = fetch_page(server.url("/page"), settings=fast())
    assert result.attempts == 2 and result.text == body


def test_cancel_during_backoff_stops_at_once(server):
    cancel = threading.Event()

    def busy_then_cancel(request):  # SIGTERM arrives while the fetch waits 5 s to retry
        threading.Timer(0.1, cancel.set).start()
        return Reply(503, headers={"Retry-After": "5"})

    server.route("/page", busy_then_cancel)
    started = time.monotonic()
    with pytest.raises(FetchError, match="cancelled after 1 attempt"):
        fetch_page(server.url("/page"), settings=fast(), cancel=cancel)
    assert time.monotonic() - started < 2
    assert len(server.requests_to("/page")) == 1


def test_cancel_already_set_sends_nothing(server):
    server.route("/page", Reply(200, PAGE, HTML))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(FetchError, match="cancelled"):
        fetch_page(server.url("/page"), settings=fast(), cancel=cancel)
    assert server.requests == []


def test_404_is_not_retried(server):
    with pytest.raises(FetchError, match=r"HTTP 404 Not Found from http://127\.0\.0\.1:\d+/gone"):
        fetch_page(server.url("/gone"), settings=fast())
    assert len(server.requests_to("/gone")) == 1


# --- redirects and schemes ------------------------------------------------------------


def test_redirect_loop_is_refused(server):
    server.route("/a", Reply.redirect("/b"))
    server.route("/b", Reply.redirect("/a"))
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetch_page(server.url("/a"), settings=fast())
    assert len(server.requests) == 6


def test_three_redirects_then_200_reports_the_final_url(server):
    server.route("/r1", Reply.redirect("/r2", 301))
    server.route("/r2", Reply.redirect(server.url("/r3"), 307))
    server.route("/r3", Reply.redirect("page", 308))  # relative to /r3
    server.route("/page", Reply(200, PAGE, HTML))
    result = fetch_page(server.url("/r1"), settings=fast())
    assert result.url == server.url("/page")
    assert result.attempts == 1 and result.text == PAGE


def test_redirect_to_another_scheme_is_refused(server):
    server.route("/page", Reply.redirect("ftp://127.0.0.1/page"))
    with pytest.raises(FetchError, match="only http and https"):
        fetch_page(server.url("/page"), settings=fast())


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/page", "file:///etc/passwd"])
def test_other_schemes_are_refused(url):
    with pytest.raises(FetchError, match="only http and https"):
        fetch_page(url, settings=fast())


# --- size cap and decompression -------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversize_body_is_refused(server, chunked):
    body = "<html><body>" + "x" * 50_000 + "</body></html>"
    server.route("/page", Reply(200, body, HTML, chunked=chunked))
    with pytest.raises(FetchError, match="response larger than 10000 bytes"):
        fetch_page(server.url("/page"), settings=fast(max_bytes=10_000))


def test_gzip_bomb_stops_at_the_cap_without_inflating(server, gzip_bomb):
    server.route("/page", Reply(200, gzip_bomb, {**HTML, "Content-Encoding": "gzip"}))
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="response larger than 1000000 bytes"):
            fetch_page(server.url("/page"), settings=fast(max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 3
    assert peak < 8_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize("coding", ["br", "gzip", "deflate", "raw-deflate", "gzip, br"])
def test_compressed_body_is_decoded(server, coding):
    raw = PAGE.encode()

    def deflate(data: bytes, wbits: int) -> bytes:
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        return packer.compress(data) + packer.flush()

    encoded = {
        "br": lambda: brotli.compress(raw),
        "gzip": lambda: deflate(raw, zlib.MAX_WBITS | 16),
        "deflate": lambda: deflate(raw, zlib.MAX_WBITS),
        "raw-deflate": lambda: deflate(raw, -zlib.MAX_WBITS),
        "gzip, br": lambda: brotli.compress(deflate(raw, zlib.MAX_WBITS | 16)),
    }[coding]()
    header = "deflate" if coding == "raw-deflate" else coding
    server.route("/page", Reply(200, encoded, {**HTML, "Content-Encoding": header}))
    result = fetch_page(server.url("/page"), settings=fast())
    assert result.body == raw and result.text == PAGE
    assert "br" in server.requests[0].headers["accept-encoding"]


# --- content type and charset ---------------------------------------------------------


def test_non_html_content_type_is_refused(server):
    server.route("/page", Reply(200, b"%PDF-1.4\n", {"Content-Type": "application/pdf"}))
    with pytest.raises(
        ContentTypeError,
        match=r"expected an HTML page, got application/pdf "
        r"from http://127\.0\.0\.1:\d+/page",
    ):
        fetch_page(server.url("/page"), settings=fast())
    assert len(server.requests) == 1


def test_gbk_page_with_charset_in_the_header(server):
    body = "<html><body><p>财新数据：新能源汽车销量</p></body></html>".encode("gbk")
    server.route("/page", Reply(200, body, {"Content-Type": "text/html; charset=GBK"}))
    result = fetch_page(server.url("/page"), settings=fast())
    assert "财新数据：新能源汽车销量" in result.text
    assert result.encoding == "gb18030"


def test_gbk_page_with_only_a_meta_charset(server):
    body = (
        '<html><head><meta charset="gbk"><title>财新</title></head>'
        "<body><p>财新数据</p></body></html>"
    ).encode("gbk")
    server.route("/page", Reply(200, body, {"Content-Type": "text/html"}))
    result = fetch_page(server.url("/page"), settings=fast())
    assert "<title>财新</title>" in result.text and result.encoding == "gb18030"


def test_windows_1252_page_without_any_charset(server):
    body = b"<html><body><p>It\x92s the \x93live\x94 page</p></body></html>"
    server.route("/page", Reply(200, body, {"Content-Type": "text/html"}))
    result = fetch_page(server.url("/page"), settings=fast())
    assert "It’s the “live” page" in result.text
    assert result.encoding == "cp1252"


def test_empty_body_is_an_error(server):
    server.route("/page", Reply(200, b"", HTML))
    with pytest.raises(FetchError, match=r"empty response body from http://127\.0\.0\.1"):
        fetch_page(server.url("/page"), settings=fast())


def test_user_agent_is_sent_as_configured(server):
    server.route("/page", Reply(200, PAGE, HTML))
    fetch_page(server.url("/page"), settings=fast())
    assert server.requests[0].headers["user-agent"] == UA


def test_given_client_is_used_and_left_open(server):
    server.route("/page", Reply(200, PAGE, HTML))
    with httpx.Client(follow_redirects=True, headers={"User-Agent": "other"}) as client:
        result = fetch_page(server.url("/page"), settings=fast(), client=client)
        assert not client.is_closed
    assert result.text == PAGE
    assert server.requests[0].headers["user-agent"] == UA


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding"),
    [
        ("caf\u00e9".encode(), "text/html", "café", "utf-8"),
        (b"\xef\xbb\xbfcaf\xc3\xa9", "text/html; charset=iso-8859-1", "café", "utf-8"),
        (b"caf\xe9 \x80", "text/html; charset=ISO-8859-1", "café €", "cp1252"),
        ("新闻".encode("gb2312"), 'text/html; charset="gb2312"', "新闻", "gb18030"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
            + "新闻".encode("gbk"),
            "",
            "新闻",
            "gb18030",
        ),
        (
            "<p>财新数据，新能源汽车</p>".encode("gbk"),
            "text/html",
            "财新数据，新能源汽车",
            "gb18030",
        ),
        (b"<p>caf\xe9</p>", "text/html; charset=no-such-charset", "café", "cp1252"),
        (b'<meta charset="utf-16"><p>ok</p>', "text/html", "ok", "utf-8"),
    ],
    ids=[
        "utf8-undeclared",
        "bom-wins",
        "latin1-as-1252",
        "gb2312-quoted",
        "http-equiv",
        "gbk-sniffed",
        "unknown-label",
        "meta-utf16",
    ],
)
def test_decode_body(body, content_type, text, encoding):
    decoded, used = decode_body(body, content_type)
    assert text in decoded and used == encoding


# --- robots.txt -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "robots",
    [
        "User-agent: *\nDisallow: /private/\n",
        "User-agent: feedsvc-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
    ],
    ids=["all-agents", "our-agent"],
)
def test_robots_disallow_is_honoured_and_the_page_never_requested(server, robots):
    server.route("/robots.txt", Reply(200, robots, {"Content-Type": "text/plain"}))
    with pytest.raises(
        FetchError,
        match=r"robots.txt of 127\.0\.0\.1 disallows .*/private/page "
        r"for user agent 'feedsvc-test/1\.0",
    ):
        fetch_page(server.url("/private/page"), settings=fast(respect_robots=True))
    assert [r.path for r in server.requests] == ["/robots.txt"]


def test_robots_404_allows_and_is_cached_per_host(server):
    server.route("/page", Reply(200, PAGE, HTML))
    settings = fast(respect_robots=True)
    fetch_page(server.url("/page"), settings=settings)
    fetch_page(server.url("/page"), settings=settings)
    assert [r.path for r in server.requests] == ["/robots.txt", "/page", "/page"]
    assert server.requests[0].headers["user-agent"] == UA
    clear_robots_cache()
    fetch_page(server.url("/page"), settings=settings)
    assert [r.path for r in server.requests][-2:] == ["/robots.txt", "/page"]


def test_robots_5xx_allows_and_is_asked_again_next_time(server):
    server.route("/robots.txt", Reply(503))
    server.route("/page", Reply(200, PAGE, HTML))
    settings = fast(respect_robots=True)
    fetch_page(server.url("/page"), settings=settings)
    fetch_page(server.url("/page"), settings=settings)
    assert [r.path for r in server.requests] == ["/robots.txt", "/page"] * 2


# --- the test server itself (reused by other test modules) ----------------------------


def test_httpserver_records_post_bodies_and_scripts_by_callable(server):
    server.route("/hub", lambda request: Reply(202 if request.method == "POST" else 405))
    with httpx.Client() as client:
        plain = client.post(server.url("/hub?x=1"), data={"hub.mode": "publish"})
        chunked = client.post(server.url("/hub"), content=iter([b"a=1", b"&b=2"]))
        other = client.get(server.url("/hub"))
    assert (plain.status_code, chunked.status_code, other.status_code) == (202, 202, 405)
    first, second, third = server.wait_for_requests(3)
    assert (first.method, first.path, first.query) == ("POST", "/hub", "x=1")
    assert first.body == b"hub.mode=publish"
    assert first.headers["content-type"] == "application/x-www-form-urlencoded"
    assert second.body == b"a=1&b=2" and third.method == "GET"
