"""Fuzzing the parser: malformed pages give briefs or a clear FeedsvcError, fast.

``feedsvc.parse.parse_page`` gets truncated, bit-flipped, deeply nested, binary and huge
one-line pages. Whatever it gets, it must return a :class:`~feedsvc.model.ParseResult`
(sane briefs) or raise a :class:`~feedsvc.errors.FeedsvcError` subclass: never another
exception, never a hang. Each call runs in a worker thread with a generous time limit
(a hang fails the test instead of blocking the run).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from feedsvc.errors import FeedsvcError
from feedsvc.model import Brief, ParseResult
from feedsvc.parse import parse_page
from tests.helpers import SAMPLE_PAGE, SEED_TXT, CliResult, Workspace

PAGE_URL = "https://www.caixinglobal.com/business-and-tech-live/"
TIME_LIMIT = 30.0  # seconds per call; the slowest case here takes well under 2 s
SAMPLE = SAMPLE_PAGE.read_bytes()
SEED = SEED_TXT.read_bytes()
BYLINE = b"Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech"

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def parse_guarded(
    content: bytes | str, timezone: str = "Asia/Shanghai"
) -> ParseResult | FeedsvcError:
    """parse_page in a thread: its result, the FeedsvcError it raised, or a test failure."""
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(parse_page(content, page_url=PAGE_URL, timezone=timezone))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=work, daemon=True, name="parse-fuzz")
    started = time.monotonic()
    worker.start()
    worker.join(TIME_LIMIT)
    if worker.is_alive():
        pytest.fail(f"parse_page did not return within {TIME_LIMIT} s (size {len(content)})")
    result = outcome[0]
    if isinstance(result, FeedsvcError):
        assert str(result).strip(), "a FeedsvcError needs a message"
        assert "\n" not in str(result).strip(), "the CLI prints errors as one line"
        return result
    if isinstance(result, BaseException):
        raise AssertionError(
            f"parse_page raised {type(result).__name__}, not a FeedsvcError: {result}"
        ) from result
    assert isinstance(result, ParseResult), result
    for brief in result.briefs:
        assert isinstance(brief, Brief)
        assert isinstance(brief.published_at, datetime)
        assert brief.published_at.utcoffset() is not None
        brief.published_at.astimezone(UTC)  # an instant every later stage can handle
        assert isinstance(brief.title, str) and isinstance(brief.paragraphs, tuple)
        assert all(isinstance(a, str) for a in brief.authors)
    assert time.monotonic() - started < TIME_LIMIT
    return result


def test_the_unmodified_pages_parse() -> None:
    assert len(parse_guarded(SAMPLE).briefs) == 20
    assert len(parse_guarded(SEED).briefs) == 20


# --- truncation and byte flips -----------------------------------------------------------


@FUZZ
@given(cut=st.integers(0, len(SAMPLE)))
def test_truncated_html(cut: int) -> None:
    result = parse_guarded(SAMPLE[:cut])
    if isinstance(result, ParseResult):
        assert len(result.briefs) <= 20


@FUZZ
@given(cut=st.integers(0, len(SEED)), as_text=st.booleans())
def test_truncated_text_capture(cut: int, as_text: bool) -> None:
    page = SEED[:cut]
    parse_guarded(page.decode("utf-8", "replace") if as_text else page)


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(SAMPLE) - 1), st.integers(1, 255)), min_size=1, max_size=40
    )
)
def test_random_byte_flips(flips: list[tuple[int, int]]) -> None:
    page = bytearray(SAMPLE)
    for index, mask in flips:
        page[index] ^= mask
    parse_guarded(bytes(page))


@FUZZ
@given(
    start=st.integers(0, len(SAMPLE)),
    length=st.integers(1, 4096),
    junk=st.binary(min_size=1, max_size=4096),
)
def test_spliced_binary_junk(start: int, length: int, junk: bytes) -> None:
    parse_guarded(SAMPLE[:start] + junk + SAMPLE[start + length :])


@settings(FUZZ, max_examples=40)
@given(junk=st.binary(max_size=20_000))
def test_binary_junk(junk: bytes) -> None:
    parse_guarded(junk)


@settings(FUZZ, max_examples=40)
@given(text=st.text(max_size=5_000))
def test_arbitrary_text(text: str) -> None:
    parse_guarded(text)


# --- fixed hostile pages ---------------------------------------------------------------------


def _deep(open_tag: str, close_tag: str, depth: int, inner: str) -> bytes:
    return (open_tag * depth + inner + close_tag * depth).encode()


INNER = f"<p>{BYLINE.decode()}</p><p>A brief deep inside the markup.</p>"
# built on demand: together they are ~100 MB
HOSTILE: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "whitespace": lambda: b" \n\t\r\n" * 1000,
    "nul bytes": lambda: b"\x00" * 1_000_000,
    "random 1 MB": lambda: random.Random(1).randbytes(1_000_000),
    "utf-16 bom junk": lambda: b"\xff\xfe" + random.Random(2).randbytes(100_000),
    "utf-8 bom then html": lambda: b"\xef\xbb\xbf" + SAMPLE,
    "utf-32 bom": lambda: b"\x00\x00\xfe\xff" + SAMPLE[:1000],
    "bad meta charset": lambda: b'<meta charset="no-such-charset">' + SAMPLE,
    "gb18030 junk": lambda: "丁一 / 2021年1月19日 / 商业".encode("gb18030") * 10_000,
    "one 10 MB line": lambda: b"a" * 10_000_000,
    "10 MB of slashes": lambda: b"/" * 10_000_000,
    "10 MB of spaces and slashes": lambda: b" / " * 3_400_000,
    "10 MB of bylines on one line": lambda: (BYLINE + b" ") * 200_000,
    "10 MB one-line html": lambda: b"<p>" + b"x " * 5_000_000 + b"</p>",
    "10 MB without newlines": lambda: (SAMPLE.replace(b"\n", b" ") * 240)[:10_000_000],
    "40k lines under the byline length": lambda: (
        (b"By " + b"A " * 120 + b"/ Jan 19, 2021 06:27 /\n") * 40_000
    ),
    "deep divs": lambda: _deep("<div>", "</div>", 100_000, INNER),
    "deep unclosed divs": lambda: _deep("<div>", "", 100_000, INNER),
    "deep spans": lambda: _deep("<span>", "</span>", 50_000, INNER),
    "deep tables": lambda: _deep("<table><tr><td>", "</td></tr></table>", 20_000, INNER),
    "deep lists": lambda: _deep("<ul><li>", "</li></ul>", 30_000, INNER),
    "deep inline in a byline": lambda: _deep("<b><i>", "</i></b>", 30_000, BYLINE.decode()),
    "many attributes": lambda: b"<div " + b'a="b" ' * 200_000 + b">" + BYLINE + b"</div>",
    "unterminated comment": lambda: b"<!--" + SAMPLE,
    "unterminated cdata": lambda: b"<![CDATA[" + SAMPLE,
    "entity bomb": lambda: (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><p>&c;&c;</p>' + SAMPLE
    ),
    "xml declaration": lambda: b'<?xml version="1.0" encoding="utf-16"?>' + SAMPLE,
    "script and style": lambda: b"<script>" + SAMPLE + b"</script><style>" + SAMPLE + b"</style>",
    "many bylines": lambda: b"\n\n".join(
        BYLINE.replace(b"19", str(1 + i % 28).encode(), 1) + b"\n\nBody text." for i in range(5_000)
    ),
    "impossible dates": lambda: (
        b"Ding Yi / Feb 31, 2021 06:27 PM / Business & Tech\n\nx\n\n"
        b"Ding Yi / Jan 99, 2021 99:99 PM / Business & Tech\n\nx\n\n"
        b"Ding Yi / Jan 1, 0000 00:00 AM / Business & Tech\n\nx\n"
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_page(name: str) -> None:
    started = time.monotonic()
    parse_guarded(HOSTILE[name]())
    assert time.monotonic() - started < TIME_LIMIT


def test_a_byline_deep_in_the_markup_is_still_found() -> None:
    result = parse_guarded(_deep("<div>", "</div>", 200, INNER))
    assert isinstance(result, ParseResult)
    assert [b.authors for b in result.briefs] == [("Ding Yi",)]


# --- bugs found, now fixed ------------------------------------------------------------


@pytest.mark.parametrize(
    "quoted",
    ["Web pages mark paragraphs with <p> tags.", "The app shows <br> in its notifications."],
)
def test_text_capture_quoting_an_html_tag_keeps_its_briefs(quoted: str) -> None:
    page = (
        "Caixin Global – Latest China News & Headlines\n\n"
        "Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech\n\n"
        "Chinese display panel maker BOE Technology has announced plans to raise money.\n\n"
        "Han Wei / Jan 18, 2021 05:03 PM / Business & Tech\n\n"
        f"{quoted}\n\n"
    )
    result = parse_guarded(page)
    assert isinstance(result, ParseResult), result
    assert [b.authors for b in result.briefs] == [("Ding Yi",), ("Han Wei",)]


FAR_FUTURE_PAGE = (
    "Ding Yi / Dec 31, 9999 11:59 PM / World\n\nA brief from the end of time.\n\n"
    "Han Wei / Jan 18, 2021 05:03 PM / World\n\nAn ordinary brief.\n\n"
)


def test_every_brief_time_converts_to_utc() -> None:
    parse_guarded(FAR_FUTURE_PAGE, timezone="America/New_York")


def test_build_survives_a_byline_at_the_end_of_time(
    cli: Callable[..., CliResult], workspace: Workspace
) -> None:
    config = workspace.config.read_text("utf-8")
    assert 'timezone = "Asia/Shanghai"' in config
    workspace.config.write_text(
        config.replace('timezone = "Asia/Shanghai"', 'timezone = "America/New_York"'), "utf-8"
    )
    page = workspace.write_page("end-of-time.txt", FAR_FUTURE_PAGE)
    try:
        result = cli(*workspace.args("build", "--source", str(page)))
    except Exception as exc:  # what the CLI lets through shows as a traceback, exit 1
        pytest.fail(f"feedsvc build raised {type(exc).__name__}: {exc}")
    assert result.code == 0, result.stderr
    assert (workspace.out / "reporters" / "han-wei" / "atom.xml").is_file()


def test_a_year_below_100_is_not_moved_to_this_century() -> None:
    result = parse_guarded("Ding Yi / Jan 1, 0001 12:30 AM / World\n\nA brief from antiquity.\n")
    assert isinstance(result, FeedsvcError) or all(
        b.published_at.year != 2001 for b in result.briefs
    )


# ---- the byline time read without dateutil ------------------------------------------------

_MONTH_WORDS = (
    "Jan", "January", "Feb", "Mar", "Apr", "April", "May", "Jun", "June", "Jul",
    "Aug", "Sep", "Sept", "September", "Oct", "Nov", "Dec", "Decembre", "Jab", "Mai",
)  # fmt: skip


@settings(max_examples=600, derandomize=True, deadline=None, database=None)
@given(
    month=st.sampled_from(_MONTH_WORDS),
    day=st.integers(0, 35),
    year=st.integers(0, 3100),
    hour=st.integers(0, 24),
    minute=st.integers(0, 61),
    half=st.sampled_from(("AM", "PM")),
    zero_pad=st.booleans(),
)
def test_plain_byline_time_agrees_with_dateutil(
    month: str, day: int, year: int, hour: int, minute: int, half: str, zero_pad: bool
) -> None:
    from dateutil import parser as date_parser

    from feedsvc.parse import _plain_byline_time

    hh = f"{hour:02d}" if zero_pad else str(hour)
    text = f"{month} {day}, {year:04d} {hh}:{minute:02d} {half}"
    fast = _plain_byline_time(text)
    if fast is None:
        return  # dateutil decides these, as before
    assert fast == date_parser.parse(text), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan 19, 2021 06:27 PM", datetime(2021, 1, 19, 18, 27)),
        ("Jan 19, 2021 12:05 AM", datetime(2021, 1, 19, 0, 5)),
        ("Jan 19, 2021 12:05 PM", datetime(2021, 1, 19, 12, 5)),
        ("Sept 3, 2020 9:00 AM", datetime(2020, 9, 3, 9, 0)),
    ],
)
def test_byline_time_reads_the_twelve_hour_clock(text: str, expected: datetime) -> None:
    from feedsvc.parse import _parse_time

    _parse_time.cache_clear()
    assert _parse_time(text) == expected
