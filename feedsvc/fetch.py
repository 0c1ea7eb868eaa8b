"""Stage 1: fetch the roundup page over HTTP(S), politely and defensively.

:func:`fetch_page` makes one GET (plus its redirects) per attempt and returns a
:class:`FetchResult`, or raises :class:`~feedsvc.errors.FetchError` with a one-line message
that names the URL. What it does, in order:

1. only ``http``/``https`` URLs; robots.txt of every host on the way is honoured when
   ``respect_robots`` is set (see "robots.txt" below);
2. a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the caller's
   :class:`Validators`); a 304 is returned as ``not_modified=True`` with an empty body;
3. redirects are followed by hand, at most ``max_redirects`` of them;
4. a content type other than HTML or text raises :class:`~feedsvc.errors.ContentTypeError`
   before the body is read;
5. the body is read as a stream and decompressed here (gzip, deflate, br) in bounded
   pieces, so ``max_bytes`` caps the *decompressed* size and a compression bomb stops at
   the cap without being inflated;
6. the body is decoded (:func:`decode_body`): BOM, then the header charset, then a
   ``<meta>`` charset in the first 4 KB, then UTF-8 if it decodes, then GB18030 when the
   bytes look like GBK, else windows-1252.

Retries: timeouts, broken connections, 408, 429 and 5xx are retried up to ``retries``
times with exponential back-off and full jitter (``uniform(0, min(backoff_max,
backoff_base * 2**n))``), or after ``Retry-After`` when the server sends one (a longer
wait than ``retry_after_max`` is a failure, not a wait). All attempts together stay within
``total_timeout``: each attempt's timeouts are cut to the time left, and no back-off sleep
runs past it. A set ``cancel`` event stops at once (between attempts, during a back-off
wait and between body chunks).

robots.txt: fetched once per host and cached for the process for :data:`ROBOTS_TTL`
seconds (:func:`clear_robots_cache` empties the cache). Choices, after RFC 9309:
a 4xx (404, 410, but also 401/403) means "no rules", everything allowed; a 5xx, a network
error or a timeout also lets the fetch go ahead — the caller fetches one page every few
minutes, so it is logged as a warning and not cached, and the next call asks again;
only the first :data:`ROBOTS_MAX_BYTES` are parsed. ``urllib.robotparser`` matches plain
path prefixes: ``*`` and ``$`` patterns of newer robots.txt files are taken literally.
"""

from __future__ import annotations

import codecs
import logging
import math
import random
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.robotparser import RobotFileParser

import brotli
import httpx

from feedsvc.config import FetchSettings
from feedsvc.errors import ContentTypeError, FetchError

log = logging.getLogger("feedsvc.fetch")

#: What we ask for; text/plain is accepted for plain-text captures of the page.
ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
#: Only what :func:`_decoder_for` can decode in bounded pieces.
ACCEPT_ENCODING = "gzip, deflate, br"
#: Media types accepted as a page; a missing Content-Type is sniffed instead.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Besides every 5xx.
RETRY_STATUSES = frozenset({408, 429})
#: How long a robots.txt verdict is kept, in seconds.
ROBOTS_TTL = 3600.0
#: RFC 9309 asks crawlers to parse at least 500 KiB.
ROBOTS_MAX_BYTES = 512_000
#: How far into the body to look for a ``<meta charset>``.
SNIFF_BYTES = 4096
#: Largest piece a decompressor may hand back at once; bounds memory per step.
_PIECE = 65_536

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:\-]+)""")
#: Labels browsers (WHATWG Encoding) decode with a superset; keys are codecs.lookup names.
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}


@dataclass(frozen=True, slots=True)
class Validators:
    """ETag and Last-Modified of the last good fetch, kept by the caller between cycles."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one :func:`fetch_page` call got."""

    url: str  # final URL after redirects
    status: int  # 200 (or 203) or 304
    not_modified: bool  # True on 304: body empty, nothing to parse
    body: bytes  # decompressed body (b"" on 304)
    text: str  # decoded text ("" on 304)
    encoding: str  # Python codec name used to decode ("" on 304)
    content_type: str  # the Content-Type header as sent, "" when missing
    validators: Validators  # new ETag / Last-Modified (on 304, the old ones unless resent)
    attempts: int


class _Retryable(Exception):
    """An attempt failed in a way worth another try; ``reason`` names the URL."""

    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(slots=True)
class _Call:
    """The state of one :func:`fetch_page` call, shared by its attempts."""

    url: str
    settings: FetchSettings
    validators: Validators | None
    client: httpx.Client
    deadline: float
    cancel: threading.Event | None
    robots: dict[str, RobotFileParser | None] = field(default_factory=dict)

    def timeout(self) -> httpx.Timeout:
        left = max(0.001, self.deadline - time.monotonic())
        s = self.settings
        return httpx.Timeout(
            connect=min(s.connect_timeout, left),
            read=min(s.read_timeout, left),
            write=min(s.read_timeout, left),
            pool=min(s.connect_timeout, left),
        )

    def headers(self, *, conditional: bool) -> dict[str, str]:
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if conditional and self.validators is not None:
            if self.validators.etag:
                headers["If-None-Match"] = self.validators.etag
            if self.validators.last_modified:
                headers["If-Modified-Since"] = self.validators.last_modified
        return headers

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise FetchError(f"fetching {self.url} was cancelled")


def fetch_page(
    url: str,
    *,
    settings: FetchSettings,
    validators: Validators | None = None,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    cancel: threading.Event | None = None,
) -> FetchResult:
    """GET ``url`` with retries, a size cap and robots.txt; see the module docstring.

    ``client`` is used as given (its own redirects are not followed; our headers and
    timeouts go on each request) and is not closed; without one a client is made and
    closed here. ``sleep`` spends back-off delays; when ``cancel`` is given and ``sleep``
    is left at :func:`time.sleep`, delays are spent in ``cancel.wait`` so that setting the
    event ends them at once. ``rng`` draws the jitter.
    """
    _check_url(url, url)
    rng = rng if rng is not None else random.Random()
    own_client = client is None
    if client is None:
        client = httpx.Client(follow_redirects=False)
    call = _Call(
        url=url,
        settings=settings,
        validators=validators,
        client=client,
        deadline=time.monotonic() + settings.total_timeout,
        cancel=cancel,
    )
    try:
        return _with_retries(call, sleep, rng)
    finally:
        if own_client:
            client.close()


def _with_retries(call: _Call, sleep: Callable[[float], None], rng: random.Random) -> FetchResult:
    s = call.settings
    allowed = s.retries + 1
    started = time.monotonic()
    for attempt in range(1, allowed + 1):
        call.check_cancel()
        log.debug("GET %s (attempt %d of %d)", call.url, attempt, allowed)
        try:
            result = _attempt(call, attempt)
        except _Retryable as failure:
            reason = failure.reason
            if attempt == allowed:
                raise FetchError(f"{reason} after {_attempts(attempt)}") from failure.__cause__
            if failure.retry_after is not None:
                if failure.retry_after > s.retry_after_max:
                    raise FetchError(
                        f"{reason}: the server asks to retry after {failure.retry_after:g} s, "
                        f"longer than retry_after_max ({s.retry_after_max:g} s); giving up"
                    ) from failure.__cause__
                delay = failure.retry_after
            else:
                cap = min(s.backoff_max, s.backoff_base * 2.0 ** min(attempt - 1, 60))
                delay = rng.uniform(0.0, max(0.0, cap))
            if time.monotonic() + delay >= call.deadline:
                raise FetchError(
                    f"{reason} after {_attempts(attempt)} "
                    f"(the next one would start past total_timeout of {s.total_timeout:g} s)"
                ) from failure.__cause__
            log.warning(
                "%s; retrying in %.2f s (attempt %d of %d)", reason, delay, attempt + 1, allowed
            )
            if _wait(delay, sleep, call.cancel):
                raise FetchError(
                    f"fetching {call.url} was cancelled after {_attempts(attempt)}"
                ) from failure.__cause__
            continue
        log.info(
            "fetched %s: HTTP %d, %d bytes, %s, %s in %.2f s",
            result.url,
            result.status,
            len(result.body),
            result.encoding or "-",
            _attempts(attempt),
            time.monotonic() - started,
        )
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")


def _attempts(n: int) -> str:
    return "1 attempt" if n == 1 else f"{n} attempts"


def _wait(delay: float, sleep: Callable[[float], None], cancel: threading.Event | None) -> bool:
    """Spend ``delay``; True when ``cancel`` was set meanwhile."""
    if cancel is not None and sleep is time.sleep:
        return cancel.wait(delay)
    sleep(delay)
    return cancel is not None and cancel.is_set()


def _attempt(call: _Call, attempt: int) -> FetchResult:
    """One GET plus its redirects; raises _Retryable for what deserves another try."""
    s = call.settings
    current = call.url
    for _hop in range(s.max_redirects + 1):
        if s.respect_robots:
            _check_robots(call, current)
        response = _send(call, current, conditional=True)
        try:
            if response.status_code in REDIRECT_STATUSES:
                current = _redirect_target(response, current)
                log.debug(
                    "%s redirects (HTTP %d) to %s", response.url, response.status_code, current
                )
                continue
            return _finish(call, response, attempt)
        except httpx.HTTPError as exc:
            raise _translate(exc, current) from exc
        finally:
            response.close()
    raise FetchError(f"too many redirects (more than {s.max_redirects}) fetching {call.url}")


def _send(call: _Call, url: str, *, conditional: bool) -> httpx.Response:
    try:
        request = call.client.build_request(
            "GET", url, headers=call.headers(conditional=conditional), timeout=call.timeout()
        )
        return call.client.send(request, stream=True, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise _translate(exc, url) from exc


def _redirect_target(response: httpx.Response, current: str) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(f"HTTP {response.status_code} redirect without a Location from {current}")
    try:
        target = str(response.url.join(location))
    except httpx.InvalidURL as exc:
        raise FetchError(f"bad redirect Location {location!r} from {current}") from exc
    _check_url(target, current)
    return target


def _check_url(url: str, referrer: str) -> None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {url!r}: {exc}") from exc
    where = "" if url == referrer else f" (redirected from {referrer})"
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"cannot fetch {url}{where}: only http and https URLs are supported")
    if not parsed.host:
        raise FetchError(f"cannot fetch {url}{where}: the URL has no host")


def _finish(call: _Call, response: httpx.Response, attempt: int) -> FetchResult:
    """Turn a final (non-redirect) response into a result, an error or a _Retryable."""
    url = str(response.url)
    status = response.status_code
    phrase = response.reason_phrase or httpx.codes.get_reason_phrase(status)
    content_type = response.headers.get("content-type", "")
    etag = response.headers.get("etag")
    last_modified = response.headers.get("last-modified")
    if status == 304:
        old = call.validators
        if old is None or not (old.etag or old.last_modified):
            raise FetchError(f"HTTP 304 Not Modified from {url}, but no validators were sent")
        return FetchResult(
            url=url,
            status=304,
            not_modified=True,
            body=b"",
            text="",
            encoding="",
            content_type=content_type,
            validators=Validators(
                etag=etag or old.etag, last_modified=last_modified or old.last_modified
            ),
            attempts=attempt,
        )
    if status in RETRY_STATUSES or 500 <= status <= 599:
        raise _Retryable(
            f"HTTP {status} {phrase} from {url}",
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    if status == 204:
        raise FetchError(f"empty response body from {url}")
    if status not in (200, 203):
        raise FetchError(f"HTTP {status} {phrase} from {url}")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type and media_type not in PAGE_TYPES:
        raise ContentTypeError(f"expected an HTML page, got {media_type} from {url}")
    limit = call.settings.max_bytes
    length = response.headers.get("content-length", "").strip()
    if length.isdigit() and int(length) > limit:
        raise FetchError(
            f"response larger than {limit} bytes from {url} (Content-Length: {length})"
        )
    body = _read_body(response, call, limit=limit)
    if not body:
        raise FetchError(f"empty response body from {url}")
    if not media_type and b"\x00" in body[:1024]:
        raise ContentTypeError(
            f"expected an HTML page, got binary data without a Content-Type from {url}"
        )
    text, encoding = decode_body(body, content_type)
    return FetchResult(
        url=url,
        status=status,
        not_modified=False,
        body=body,
        text=text,
        encoding=encoding,
        content_type=content_type,
        validators=Validators(etag=etag, last_modified=last_modified),
        attempts=attempt,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when unusable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, when.timestamp() - time.time())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _translate(exc: httpx.HTTPError, url: str) -> Exception:
    """An httpx error as _Retryable (worth another try) or FetchError, one line, with URL."""
    detail = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return _Retryable(f"timed out connecting to {url}")
    if isinstance(exc, httpx.ReadTimeout):
        return _Retryable(f"timed out reading {url}")
    if isinstance(exc, httpx.WriteTimeout):
        return _Retryable(f"timed out sending the request to {url}")
    if isinstance(exc, httpx.PoolTimeout):
        return _Retryable(f"timed out waiting for a connection to {url}")
    if isinstance(exc, httpx.ConnectError):
        return _Retryable(f"cannot connect to {url} ({detail})")
    if isinstance(exc, httpx.ReadError | httpx.CloseError):
        return _Retryable(f"connection broken while reading {url} ({detail})")
    if isinstance(exc, httpx.WriteError):
        return _Retryable(f"connection broken while sending the request to {url} ({detail})")
    if isinstance(exc, httpx.RemoteProtocolError):
        return _Retryable(f"the server closed the connection or broke HTTP at {url} ({detail})")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError(f"cannot fetch {url}: only http and https URLs are supported")
    return FetchError(f"cannot fetch {url}: {detail}")


# --- the body: streamed, decompressed in bounded pieces, capped --------------------------


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _DecodeError(Exception):
    """A compressed body is corrupt."""


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip (several members allowed) or deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, _PIECE)
            except zlib.error as exc:
                if self._gzip or self._started:
                    raise _DecodeError(str(exc)) from exc
                self._wbits = -zlib.MAX_WBITS  # a raw deflate stream, no zlib header
                self._obj = zlib.decompressobj(self._wbits)
                self._started = True
                continue
            self._started = True
            if out:
                yield out
            tail = self._obj.unconsumed_tail
            if self._obj.eof:
                # gzip may hold several members; trailing bytes after deflate are ignored
                data = self._obj.unused_data if self._gzip else b""
                if data:
                    self._obj = zlib.decompressobj(self._wbits)
            elif tail and not out and tail == data:
                raise _DecodeError("decompressor made no progress")
            else:
                data = tail

    def flush(self) -> Iterator[bytes]:
        out = self._obj.flush()
        if out:
            yield out


class _Brotli:
    """br; with brotli >= 1.2 the output of each step is bounded."""

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()
        self._bounded = hasattr(self._obj, "can_accept_more_data")

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            if not self._bounded:  # brotli < 1.2: small inputs keep steps smallish
                for i in range(0, len(data), 1024):
                    out = self._obj.process(data[i : i + 1024])
                    if out:
                        yield out
                return
            out = self._obj.process(data, output_buffer_limit=_PIECE)
            if out:
                yield out
            while True:  # drain what is decodable without more input
                out = self._obj.process(b"", output_buffer_limit=_PIECE)
                if out:
                    yield out
                elif self._obj.can_accept_more_data():
                    break
                else:
                    raise _DecodeError("decompressor made no progress")
        except brotli.error as exc:
            raise _DecodeError(str(exc)) from exc

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Chain:
    """Content-Encoding lists codings in the order applied; undo them last first."""

    def __init__(self, stages: list[_Decoder]) -> None:
        self._stages = stages

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def flush(self) -> Iterator[bytes]:
        for i, stage in enumerate(self._stages):
            for piece in stage.flush():
                yield from self._through(i + 1, piece)

    def _through(self, i: int, data: bytes) -> Iterator[bytes]:
        if i == len(self._stages):
            if data:
                yield data
            return
        for piece in self._stages[i].feed(data):
            yield from self._through(i + 1, piece)


def _decoder_for(content_encoding: str, url: str) -> _Decoder:
    stages: list[_Decoder] = []
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("", "identity"):
            continue
        if coding in ("gzip", "x-gzip"):
            stages.append(_Zlib(gzip=True))
        elif coding == "deflate":
            stages.append(_Zlib(gzip=False))
        elif coding == "br":
            stages.append(_Brotli())
        else:
            raise FetchError(f"unsupported Content-Encoding {coding!r} from {url}")
    if not stages:
        return _Identity()
    return stages[0] if len(stages) == 1 else _Chain(stages)


def _read_body(
    response: httpx.Response, call: _Call, *, limit: int, truncate: bool = False
) -> bytes:
    """Read and decompress, counting decompressed bytes; over ``limit``: raise (or cut)."""
    url = str(response.url)
    encoding = response.headers.get("content-encoding", "")
    decoder = _decoder_for(encoding, url)
    parts: list[bytes] = []
    size = 0

    def take(pieces: Iterator[bytes]) -> bool:
        nonlocal size
        for piece in pieces:
            size += len(piece)
            if size > limit:
                if not truncate:
                    raise FetchError(f"response larger than {limit} bytes from {url}")
                parts.append(piece[: len(piece) - (size - limit)])
                return False
            parts.append(piece)
        return True

    try:
        for raw in response.iter_raw():
            if not take(decoder.feed(raw)):
                return b"".join(parts)
            call.check_cancel()
            if time.monotonic() > call.deadline:
                raise _Retryable(f"timed out reading {url}")
        take(decoder.flush())
    except _DecodeError as exc:
        raise FetchError(f"cannot decode the {encoding} body of {url}: {exc}") from exc
    return b"".join(parts)


# --- charset --------------------------------------------------------------------------


def decode_body(body: bytes, content_type: str) -> tuple[str, str]:
    """Decode a page as a browser would; returns ``(text, codec name used)``.

    Order: a byte-order mark; the ``charset`` of ``content_type``; a ``<meta charset>``,
    ``<meta http-equiv content-type>`` or XML declaration in the first 4 KB; UTF-8 when
    the bytes are valid UTF-8; GB18030 when they look like GBK; else windows-1252.
    Declared labels go through :func:`codecs.lookup` and then to the superset browsers use
    (gbk and gb2312 decode as gb18030, iso-8859-1 and ascii as windows-1252). Bytes
    invalid in the chosen charset become U+FFFD.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace"), codec
    declared = _header_charset(content_type)
    candidates = [_normalise(declared, from_meta=False)] if declared else []
    head = body[:SNIFF_BYTES]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if match:
        candidates.append(_normalise(match.group(1).decode("ascii"), from_meta=True))
    for candidate in candidates:
        if candidate is None:
            continue
        try:
            return body.decode(candidate, errors="replace"), candidate
        except LookupError:  # a codec that is not a text encoding (e.g. "base64")
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_like_gbk(body):
        return body.decode("gb18030", errors="replace"), "gb18030"
    return body.decode("cp1252", errors="replace"), "cp1252"


def _header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("'\"") or None
    return None


def _normalise(label: str, *, from_meta: bool) -> str | None:
    """A charset label as the codec to decode with; None when unknown."""
    label = label.strip().strip("'\"").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        if not label.startswith("x-"):
            return None
        try:
            name = codecs.lookup(label[2:]).name
        except LookupError:
            return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"  # a page that can say "utf-16" in ASCII is not UTF-16 (WHATWG)
    return _SUPERSETS.get(name, name)


def _looks_like_gbk(body: bytes) -> bool:
    """True when the bytes decode as GB18030 and most two-byte pairs are GB2312 hanzi.

    windows-1252 text often decodes as GBK too (``’s`` is 0x92 0x73, a valid GBK pair),
    but its high bytes are followed by ASCII, while Chinese text pairs two high bytes.
    """
    try:
        body.decode("gb18030")
    except UnicodeDecodeError:
        return False
    sample = body[:65_536]
    pairs = common = 0
    i, n = 0, len(sample)
    while i < n:
        lead = sample[i]
        if lead < 0x80:
            i += 1
            continue
        trail = sample[i + 1] if i + 1 < n else 0
        pairs += 1
        if 0x30 <= trail <= 0x39:  # a four-byte GB18030 sequence
            i += 4
            continue
        if 0xA1 <= lead <= 0xF7 and 0xA1 <= trail <= 0xFE:
            common += 1
        i += 2
    return pairs > 0 and common >= 0.8 * pairs


# --- robots.txt -----------------------------------------------------------------------

_robots_lock = threading.Lock()
# origin ("https://host:port") -> (expiry on time.monotonic(), parser; None: no rules)
_robots_cache: dict[str, tuple[float, RobotFileParser | None]] = {}


def clear_robots_cache() -> None:
    """Forget every cached robots.txt (for tests, or after a config reload)."""
    with _robots_lock:
        _robots_cache.clear()


def _check_robots(call: _Call, url: str) -> None:
    parsed = httpx.URL(url)
    origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
    if origin not in call.robots:
        now = time.monotonic()
        with _robots_lock:
            cached = _robots_cache.get(origin)
        if cached is not None and cached[0] > now:
            call.robots[origin] = cached[1]
        else:
            call.robots[origin] = _load_robots(call, origin)
    parser = call.robots[origin]
    agent = call.settings.user_agent
    if parser is not None and not parser.can_fetch(agent, url):
        raise FetchError(f"robots.txt of {parsed.host} disallows {url} for user agent {agent!r}")


def _load_robots(call: _Call, origin: str) -> RobotFileParser | None:
    """Fetch and parse ``origin/robots.txt`` once; caches everything but failures."""
    robots_url = f"{origin}/robots.txt"
    try:
        parser = _fetch_robots(call, robots_url)
    except (_Retryable, FetchError) as exc:
        call.check_cancel()  # a cancel while reading robots.txt is no reason to go on
        log.warning("robots.txt unavailable (%s); fetching anyway", exc)
        return None
    with _robots_lock:
        _robots_cache[origin] = (time.monotonic() + ROBOTS_TTL, parser)
    return parser


def _fetch_robots(call: _Call, robots_url: str) -> RobotFileParser | None:
    current = robots_url
    for _hop in range(max(5, call.settings.max_redirects) + 1):
        response = _send(call, current, conditional=False)
        try:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                current = _redirect_target(response, current)
                continue
            if 500 <= status <= 599 or status == 429:
                raise _Retryable(f"HTTP {status} from {current}")
            if not 200 <= status <= 299:
                log.info("no robots.txt rules at %s (HTTP %d): all allowed", current, status)
                return None
            body = _read_body(response, call, limit=ROBOTS_MAX_BYTES, truncate=True)
        except httpx.HTTPError as exc:
            raise _translate(exc, current) from exc
        finally:
            response.close()
        parser = RobotFileParser(robots_url)
        parser.parse(body.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines())
        return parser
    log.info("robots.txt at %s redirects too often: all allowed", robots_url)
    return None
