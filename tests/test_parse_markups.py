"""The seed page (and sibling pages) in seventy-odd markups the parser must cope with.

The pages and ``manifest.json`` in ``fixtures/markups/`` are written by
``fixtures/make_markups.py``. For pages made from the seed capture the manifest names the seed
briefs the page holds and whether its markup carries headlines, link URLs and e-mail
addresses; what those briefs hold comes from ``seed_expected.py`` and the seed text, except
for what the manifest's ``overrides`` give per brief (a /live/ page's sections, a headline a
list gives or ``null`` for a derived title, a paragraph the page changes). For the sibling
pages the manifest holds the expected briefs themselves.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from seed_expected import EMAILS, FULL_STORY_URLS, HEADLINES, RELATED_URLS, SEED_BRIEFS

from feedsvc.model import Brief, ParseResult
from feedsvc.parse import parse_page
from tests.helpers import FIXTURES, split_seed

MARKUPS = FIXTURES / "markups"
CASES: list[dict[str, Any]] = json.loads((MARKUPS / "manifest.json").read_text("utf-8"))
BEIJING = timedelta(hours=8)

per_case = pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])


@dataclass(frozen=True)
class Want:
    """One brief as the page must give it."""

    headline: str | None  # None: the markup has no headlines, the title is derived
    authors: tuple[str, ...]
    published: str
    section: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    contacts: tuple[tuple[str, str, str | None], ...]  # role, name, e-mail
    related: tuple[tuple[str, str | None], ...]  # title, URL
    full_story_url: str | None


def seed_paragraphs() -> list[tuple[str, ...]]:
    """Each seed brief's paragraphs: the lines after the byline that are not a caption, a
    contact, a related headline or the full-story line (as seed_expected.py names them)."""
    out = []
    for chunk, expected in zip(split_seed().briefs, SEED_BRIEFS, strict=True):
        lines = [line.strip() for line in chunk.splitlines()[1:]]
        out.append(
            tuple(
                line
                for line in lines
                if line
                and line not in expected["captions"]
                and line.removeprefix("Related: ") not in expected["related"]
                and not line.startswith("Contact ")
                and "full story" not in line
            )
        )
    return out


SEED_PARAGRAPHS = seed_paragraphs()


def frozen(value: Any) -> Any:
    """JSON lists as the tuples a Want holds."""
    return tuple(frozen(v) for v in value) if isinstance(value, list) else value


def wanted(case: dict[str, Any]) -> list[Want]:
    if "briefs" in case:  # a sibling page: the manifest holds its briefs
        return [
            Want(
                headline=b["headline"],
                authors=tuple(b["authors"]),
                published=b["published"],
                section=b["section"],
                paragraphs=tuple(b["paragraphs"]),
                captions=tuple(b["captions"]),
                contacts=tuple(tuple(c) for c in b["contacts"]),
                related=tuple(tuple(r) for r in b["related"]),
                full_story_url=None,
            )
            for b in case["briefs"]
        ]
    urls, emails = case["urls"], case["emails"]
    out = []
    for i in case["seed_briefs"]:
        seed = SEED_BRIEFS[i]
        out.append(
            Want(
                headline=HEADLINES[i] if case["headlines"] else None,
                authors=seed["authors"],
                published=seed["published"],
                section=seed["section"],
                paragraphs=SEED_PARAGRAPHS[i],
                captions=seed["captions"],
                contacts=tuple(
                    (role, name, EMAILS[name] if emails else None)
                    for role, name in seed["contacts"]
                ),
                related=tuple(
                    (title, RELATED_URLS[title] if urls else None) for title in seed["related"]
                ),
                full_story_url=FULL_STORY_URLS.get(i) if urls else None,
            )
        )
        over = case.get("overrides", {}).get(str(i), {})
        out[-1] = dataclasses.replace(out[-1], **{k: frozen(v) for k, v in over.items()})
    return out


@functools.cache
def parsed(case_id: str) -> ParseResult:
    case = next(c for c in CASES if c["id"] == case_id)
    return parse_page((MARKUPS / case["file"]).read_bytes(), page_url=case["page_url"])


def pairs(case: dict[str, Any]) -> list[tuple[str, Brief, Want]]:
    """Parsed briefs next to the expected ones, matched by publication time (unique per page)
    so that one lost brief does not shift the rest; the count is checked on its own."""
    by_time = {want.published: want for want in wanted(case)}
    matched = [
        (f"brief {b.position} ({b.byline!r})", b, by_time[b.published_at.isoformat()])
        for b in parsed(case["id"]).briefs
        if b.published_at.isoformat() in by_time
    ]
    assert matched, f"{case['file']}: no brief with an expected publication time"
    return matched


# ---- the fixtures themselves -----------------------------------------------------------------


def test_seed_paragraphs_agree_with_seed_expected() -> None:
    for paragraphs, expected in zip(SEED_PARAGRAPHS, SEED_BRIEFS, strict=True):
        assert len(paragraphs) == expected["paragraph_count"], paragraphs
        assert paragraphs[0] == expected["first"]
        assert paragraphs[-1] == expected["last"]


def test_manifest_lists_every_markup_page() -> None:
    on_disk = {p.name for p in MARKUPS.iterdir()} - {"manifest.json"}
    assert on_disk == {case["file"] for case in CASES}
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)) == 74


def test_markup_pages_are_what_make_markups_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("make_markups", FIXTURES / "make_markups.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up
    monkeypatch.setattr(sys, "path", list(sys.path))  # it puts tests/ on the path
    spec.loader.exec_module(module)
    for case in module.CASES:
        content = case.content()
        data = content.encode("utf-8") if isinstance(content, str) else content
        assert (MARKUPS / case.file).read_bytes() == data, f"run {spec.origin}"
    manifest = [case.manifest() for case in module.CASES]
    assert manifest == CASES, f"run {spec.origin}"


# ---- each markup -----------------------------------------------------------------------------


@per_case
def test_markup_gives_the_briefs_in_page_order(case: dict[str, Any]) -> None:
    briefs = parsed(case["id"]).briefs
    got = [(b.published_at.isoformat(), b.section) for b in briefs]
    assert got == [(want.published, want.section) for want in wanted(case)]
    assert [b.position for b in briefs] == list(range(len(briefs)))


@per_case
def test_markup_parses_without_warnings(case: dict[str, Any]) -> None:
    assert parsed(case["id"]).warnings == ()


@per_case
def test_markup_published_at_is_aware_beijing_time(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert brief.published_at.tzinfo is not None, where
        assert brief.published_at.utcoffset() == BEIJING, where
        assert brief.published_at.isoformat() == want.published, where


@per_case
def test_markup_bylines_give_authors_and_section(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert brief.authors == want.authors, where
        assert brief.section == want.section, where


@per_case
def test_markup_briefs_keep_their_paragraphs(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert brief.paragraphs == want.paragraphs, where


@per_case
def test_markup_captions_are_kept_once(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert brief.captions == want.captions, where


@per_case
def test_markup_contacts_keep_role_name_and_email(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        got = tuple((c.role, c.name, c.email) for c in brief.contacts)
        assert got == want.contacts, where


@per_case
def test_markup_related_links_keep_titles_and_urls(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert tuple((r.title, r.url) for r in brief.related) == want.related, where


@per_case
def test_markup_full_story_link_is_absolute(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        assert brief.full_story_url == want.full_story_url, where


@per_case
def test_markup_headlines_become_titles(case: dict[str, Any]) -> None:
    for where, brief, want in pairs(case):
        if want.headline is None:
            assert brief.title_source == "derived", where
        else:
            assert (brief.title, brief.title_source) == (want.headline, "headline"), where
