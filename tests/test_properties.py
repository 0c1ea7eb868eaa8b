"""Property-based tests: whatever the brief fields hold, the published files are safe.

Two routes, both through the real stages:

* Brief objects with hostile text (control characters, ``]]>``, ``<script>``, RTL marks,
  emoji, noncharacters, 100 KB paragraphs, author names such as ``../../etc``, ``CON``,
  ``..`` or ``/``, ``javascript:`` URLs) are stored with :class:`feedsvc.archive.Archive`,
  then :func:`feedsvc.service.run_cycle` classifies, renders and publishes them (its first
  run over an archive reclassifies every entry and marks every feed stale);
* a plain-text page with bylines made of generated authors, sections and paragraphs goes
  through ``feedsvc build --source``.

The published output must then be: XML that lxml parses strictly and feedparser reads
with ``bozo == 0``, JSON that parses, every file inside the output folder, and no
``<script`` element, ``on*`` attribute or ``javascript:``/``data:`` URL anywhere (HTML
pages, the HTML inside Atom/RSS/JSON content, link elements, OPML).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import lxml.html
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsvc.archive import Archive
from feedsvc.config import load_settings
from feedsvc.model import Brief, Contact, RelatedLink
from feedsvc.service import run_cycle
from tests.helpers import REPO

PAGE_URL = "https://www.caixinglobal.com/business-and-tech-live/"
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}"
SEEN_AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xmlurl", "htmlurl", "url", "data")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
FEEDPARSER_MAX = 100_000

COMMON = settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    # no shrinking: one example is a whole cycle (seconds with 100 KB paragraphs), and
    # shrinking a failure can take many minutes; the failing example is printed as found
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies -----------------------------------------------------------------------------

NASTY = [
    "]]>",
    "<![CDATA[x]]>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)",
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
    "<!-- comment -->",
    "&amp; &lt; &#0; &#x1; &bogus;",
    "\x00\x01\x08\x0b\x0c\x1b[31m\x7f\x85\x9f",
    "\u200f\u202e\u2066RTL\u2069\u200e",
    "\ufeff\u2028\u2029",
    "\ufffe\uffff\ufdd0\U0001fffe\U0010ffff",
    "😀👩‍👩‍👧‍👦🇨🇳",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 丁一 Zoë",
    "\r\n\t  ",
    "<?xml version='1.0'?>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;",
    "{{7*7}} ${x} %s %n",
]
AUTHORS = [
    "../../etc",
    "..",
    ".",
    "/",
    "\\",
    "CON",
    "con.xml",
    "NUL",
    "LPT1",
    "aux ",
    "By ",
    "",
    "   ",
    "a/b\\c",
    "丁一",
    "Zoë Ünal",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "\u202eilA\u202c",
    "x" * 300,
    "Ding Yi",
]
URLS = [
    None,
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    '"><script>alert(1)</script>',
    'https://ok.example/a" onclick="alert(1)',
    "https://ok.example/a?b=<c>&d='e'",
    "https://www.caixinglobal.com/2021-01-19/a-101652280.html",
    "http://[::1",
    "mailto:x@example.com",
]

# every code point but surrogates (parse never yields them: pages are decoded with errors="replace")
ANY_CHAR = st.characters(exclude_categories=("Cs",))
text = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(NASTY),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=10)), max_size=6).map(
        " ".join
    ),
)
big_paragraph = st.tuples(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=20)).map(
    lambda p: ((" ".join(p) + " ") * (100_000 // (len(" ".join(p)) + 1) + 1))[:100_000]
)
paragraph = st.one_of(text, text, text, text, text, text, text, big_paragraph)
author = st.one_of(st.sampled_from(AUTHORS), st.text(ANY_CHAR, max_size=20))
url = st.one_of(st.sampled_from(URLS), st.text(ANY_CHAR, max_size=20))
zone = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
published = st.builds(
    lambda minutes, tz: (SEEN_AT - timedelta(minutes=minutes)).astimezone(tz),
    st.integers(0, 300 * 24 * 60),
    zone,
)
contact = st.builds(
    Contact,
    role=st.sampled_from(["reporter", "editor"]),
    name=author,
    email=st.one_of(
        st.none(),
        st.sampled_from(
            ["dingyi@caixin.com", 'a@b.c"><script>x</script>', "x@y", "a@b.c onclick=x"]
        ),
        text,
    ),
)
brief = st.builds(
    Brief,
    title=text,
    title_source=st.sampled_from(["headline", "derived"]),
    authors=st.lists(author, max_size=3).map(tuple),
    published_at=published,
    section=st.one_of(st.sampled_from(["Business & Tech", "", "..", "CON", "/"]), text),
    paragraphs=st.lists(paragraph, min_size=0, max_size=4).map(tuple),
    captions=st.lists(text, max_size=2).map(tuple),
    contacts=st.lists(contact, max_size=2).map(tuple),
    related=st.lists(st.builds(RelatedLink, title=text, url=url), max_size=2).map(tuple),
    full_story_url=url,
    byline=text,
)


# --- checks on an output folder ---------------------------------------------------------------


def check_inside(root: Path, out: Path) -> list[Path]:
    """Every path under ``out`` is a plain file or folder inside it; nothing next to it."""
    resolved_out = out.resolve()
    files = []
    for dirpath, dirnames, filenames in os.walk(out):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            assert not path.is_symlink(), path
            assert path.resolve().is_relative_to(resolved_out), path
            assert name not in (".", "..") and "\\" not in name, path
            if name in filenames:
                files.append(path)
    assert {p.name for p in root.iterdir()} <= {"config.toml", "output", "state", "page.txt"}
    return files


def bad_url(value: str | None) -> bool:
    if value is None:
        return False
    squeezed = "".join(value.split()).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:", "file:"))


def check_html(markup: str, where: str) -> None:
    """No script element, no on* attribute, no javascript:/data: URL in ``markup``."""
    if not markup.strip():
        return
    tree = (
        lxml.html.fromstring(f"<div>{markup}</div>")
        if "<html" not in markup[:200]
        else (lxml.html.document_fromstring(markup))
    )
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in ("script", "iframe", "object", "embed"), where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name, value)
            if name.lower() in URL_ATTRIBUTES:
                assert not bad_url(value), (where, name, value)
                assert value.startswith(SAFE_SCHEMES) or "://" not in value, (where, value)


def check_feedparser(path: Path, data: bytes) -> None:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))


def check_xml_feed(path: Path, data: bytes) -> int:
    """Strict XML (lxml) for every file; feedparser (slow: ~0.1 s per 100 KB) for the
    top-level feeds, which hold every entry, and every other feed with entries but no
    100 KB paragraph (those entries are in the top-level feeds, rendered the same way).
    An empty feed of a configured topic has a fixed title and no items."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (path, name)
            if name.lower() in URL_ATTRIBUTES:
                assert not bad_url(value), (path, value)
    if root.tag == ATOM + "feed":
        entries = root.findall(ATOM + "entry")
        if path.parent.name == "output" or (entries and len(data) < FEEDPARSER_MAX):
            check_feedparser(path, data)
        for entry in entries:
            for tag in ("content", "summary"):
                for element in entry.findall(ATOM + tag):
                    check_html(element.text or "", f"{path} {tag}")
            for link in entry.findall(ATOM + "link"):
                assert link.get("href", "").startswith(SAFE_SCHEMES), path
        return len(entries)
    if root.tag == "rss":
        items = root.find("channel").findall("item")
        if path.parent.name == "output" or (items and len(data) < FEEDPARSER_MAX):
            check_feedparser(path, data)
        for item in items:
            check_html(item.findtext("description") or "", f"{path} description")
            check_html(item.findtext(CONTENT_NS + "encoded") or "", f"{path} content")
            link = item.findtext("link")
            assert link is None or link.startswith(SAFE_SCHEMES), (path, link)
        return len(items)
    assert root.tag == "opml", path
    return -1


def check_json_feed(path: Path, data: bytes) -> int:
    assert b"<" not in data, path  # escaped as \u003c: no "<script" even when inlined
    document = json.loads(data)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert not bad_url(item.get("url")), item.get("url")
        check_html(item.get("content_html", ""), f"{path} content_html")
        for person in item.get("authors", []):
            assert not bad_url(person.get("url")), person
    return len(document["items"])


def check_output(root: Path, out: Path) -> dict[str, int]:
    """All checks; the number of entries per feed file."""
    counts: dict[str, int] = {}
    files = check_inside(root, out)
    assert files, "nothing was published"
    for path in files:
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        assert b"<script" not in data.lower(), rel
        if path.name.startswith(".feedsvc"):
            continue
        if path.suffix in (".xml", ".opml"):
            counts[rel] = check_xml_feed(path, data)
        elif path.suffix == ".json":
            counts[rel] = check_json_feed(path, data)
        elif path.suffix == ".html":
            check_html(data.decode("utf-8"), rel)
            etree.fromstring(data, etree.HTMLParser(recover=False))
        else:
            pytest.fail(f"unexpected file {rel}")
    for rel, count in counts.items():
        if rel.endswith("atom.xml"):
            folder = rel.removesuffix("atom.xml")
            assert counts[folder + "rss.xml"] == count == counts[folder + "feed.json"], rel
    return counts


def write_config(root: Path) -> Path:
    config = root / "config.toml"
    config.write_bytes((REPO / "config.toml").read_bytes())
    return config


# --- route 1: Brief objects -> archive -> run_cycle -----------------------------------------


@COMMON
@given(briefs=st.lists(brief, min_size=1, max_size=5))
def test_any_brief_fields_give_safe_well_formed_files(briefs: list[Brief]) -> None:
    briefs = [dataclasses.replace(b, position=i) for i, b in enumerate(briefs)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = write_config(root)
        settings_ = dataclasses.replace(
            load_settings(config, required=True),
            output_dir=root / "output",
            state_path=root / "state" / "s.sqlite3",
        )
        with Archive.open(settings_.state_path) as archive:
            recorded = archive.record(briefs, page_url=PAGE_URL, seen_at=SEEN_AT)
        run_cycle(settings_, sources=(), clock=lambda: SEEN_AT)
        counts = check_output(root, root / "output")
        assert counts["atom.xml"] == len({e.id for e in recorded.entries})
        # the entry ids made it into every format
        ids = {e.id for e in recorded.entries}
        top = feedparser.parse((root / "output" / "atom.xml").read_bytes())
        assert {e.id for e in top.entries} == ids


# --- route 2: a generated page -> feedsvc build --source -------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# byline authors: no digits, "/", "<", ">" or "@" (the byline pattern refuses them)
byline_author = st.one_of(
    st.sampled_from(["Ding Yi", "CON", "..", "NUL", "Zoë Ünal", "丁一", "By Han Wei", "aux"]),
    st.text(
        st.characters(
            exclude_categories=("Cs", "Nd", "Cc", "Zl", "Zp"), exclude_characters="/<>@\n\r"
        ),
        min_size=1,
        max_size=20,
    ),
)
byline_section = st.one_of(
    st.sampled_from(["Business & Tech", "World", "Economy", "Con", "Nul"]),
    st.from_regex(r"[A-Za-z][A-Za-z&,' -]{0,30}", fullmatch=True),
)
# A text page quoting an <a ...>, <p>, <br>, <!DOCTYPE ...> tag is read as HTML and loses
# every byline (see the xfail test in test_parse_fuzz.py): such paragraphs are left out here.
PAGE_NASTY = [s for s in NASTY if not s.lower().startswith(("<a ", "<!doctype"))]
page_paragraph = st.one_of(
    st.text(ANY_CHAR, min_size=1, max_size=60),
    st.text(ANY_CHAR, min_size=1, max_size=60),
    st.sampled_from(PAGE_NASTY),
    st.sampled_from(PAGE_NASTY),
    big_paragraph.filter(lambda p: not p.lower().startswith(("<a ", "<!doctype"))),
).map(lambda p: " ".join(p.splitlines()) or "x")


@st.composite
def page_brief(draw: st.DrawFn) -> str:
    authors = draw(st.lists(byline_author, min_size=0, max_size=3))
    when = datetime(2021, 1, 1, 8, 0) + timedelta(minutes=draw(st.integers(0, 200_000)))
    hour = when.hour % 12 or 12
    stamp = f"{MONTHS[when.month - 1]} {when.day}, {when.year} {hour:02d}:{when.minute:02d} " + (
        "AM" if when.hour < 12 else "PM"
    )
    byline = f"{', '.join(authors)} / {stamp} / {draw(byline_section)}"
    paragraphs = draw(st.lists(page_paragraph, min_size=1, max_size=3))
    headline = draw(st.one_of(st.none(), st.text(ANY_CHAR, min_size=1, max_size=50)))
    lines = [byline, "", *(p for para in paragraphs for p in (para, ""))]
    if headline is not None:
        lines = [" ".join(headline.splitlines()) or "Headline", "", *lines]
    return "\n".join(lines) + "\n\n"


KNOWN_GOOD = (
    "Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech\n\n"
    "Chinese display panel maker BOE Technology has announced plans to raise money.\n\n"
)


@settings(COMMON, max_examples=10)
@given(briefs=st.lists(page_brief(), min_size=1, max_size=5))
def test_generated_page_builds_bozo_free_files(briefs: list[str]) -> None:
    from feedsvc.cli import main

    page = "Caixin Global – Latest China News & Headlines\n\n" + KNOWN_GOOD + "".join(briefs)
    page += "Share this article\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        config = write_config(root)
        (root / "page.txt").write_text(page, "utf-8")
        code = main(
            [
                "build",
                "--config",
                str(config),
                "--out",
                str(root / "output"),
                "--state",
                str(root / "state" / "s.sqlite3"),
                "--source",
                str(root / "page.txt"),
            ]
        )
        assert code == 0
        counts = check_output(root, root / "output")
        assert counts["atom.xml"] >= 1
