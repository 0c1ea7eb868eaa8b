"""The parser against variants of the real page and captures of sibling pages, from red-team
rounds five to ten.

``tests/fixtures/variants/`` holds 202 cases, each the seed page with one thing changed as a
mirror, a capture tool or a markup redesign would change it: credit lines and slogans
ending a body, related links whose ``Related:`` prefix a stylesheet draws, acronyms and
numbers in bodies and captions, html2text quotes, wrapped headings and ``<br>`` paragraphs,
w3m and lynx dumps whose wrapping starts a line with ``200.`` or ``- ``, copyright and
newsletter sentences, title-case section tags between cards, headline lists ending in
``U.S.`` or shown as ``<div>`` lines (fifth round); card captures whose headlines are
questions or two words, Trending cards with pictures over the sub-heading, company lists
ending in ``Ltd.``, model names in captions, w3m at 60 and 120 columns, Chinese characters
and long web addresses in wrapped lines, captures quoted in an e-mail, section names as
sub-headings or list items (sixth round, ``r6-``); HTML markups: server-rendered Next.js
pages, Wayback Machine captures, bylines whose slashes a stylesheet draws or that show
``<time>`` elements in other formats, ``<address>`` authors, ``<picture>``, lazy images,
embeds, print copies, upper-case tags, unclosed elements, windows-1252 without a charset, an
MHTML file (seventh round, ``r7-``); sidebars and headline lists with date lines, tables of
times, bylines with dots or bars, ``<time>`` in running text, ``Updated`` stamps, author
blocks apart from their date line, promos and staff credits between briefs (eighth round,
``r8-``); sibling pages with new briefs (world, economy, finance, politics, society,
trending, three ``/live/`` pages, 2018 to 2021) combining the variants NOTES lists, as text
copies, five markups and real ``lynx``, ``w3m`` and ``html2text`` output (ninth round,
``r9-``, every brief checked); captures made with real tools from the seed's markups and
sibling pages: lynx, w3m, elinks and links at 60 to 132 columns, html2text with its
options, pandoc's plain text, chromium's innerText (tenth round, ``r10-``).
``NAME.expect.json`` holds what a careful
reader takes from the page: the number of briefs, and for the briefs the change touches,
the fields it touches (``note`` says what was changed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from feedsvc.model import Brief
from feedsvc.parse import parse_page

VARIANTS = Path(__file__).parent / "fixtures" / "variants"
NAMES = sorted(p.name.removesuffix(".expect.json") for p in VARIANTS.glob("*.expect.json"))


def fields(brief: Brief) -> dict[str, Any]:
    return {
        "authors": list(brief.authors),
        "published_at": brief.published_at.isoformat(),
        "section": brief.section,
        "paragraphs": list(brief.paragraphs),
        "captions": list(brief.captions),
        "contacts": [[c.role, c.name, c.email] for c in brief.contacts],
        "related": [r.title for r in brief.related],
        "related_urls": [r.url for r in brief.related],
        "full_story_url": brief.full_story_url,
        "title": brief.title,
        "title_source": brief.title_source,
    }


def mismatches(want: dict[str, Any], brief: Brief) -> list[str]:
    got = fields(brief)
    found = []
    for key, value in want.items():
        if key == "paragraphs_contains":
            found += [f"lost paragraph {p[:60]!r}" for p in value if p not in got["paragraphs"]]
        elif key == "text_contains":
            body = " ".join(got["paragraphs"])
            found += [f"body lacks {t!r}" for t in value if t not in body]
        elif key == "n_paragraphs":
            if len(got["paragraphs"]) != value:
                found.append(f"{len(got['paragraphs'])} paragraphs, want {value}")
        elif key == "no_backslash":
            texts = [*got["paragraphs"], *got["related"], got["title"]]
            found += [f"Markdown escape left in {t[:60]!r}" for t in texts if "\\" in t]
        elif got[key] != value:
            found.append(f"{key}: want {value!r}, got {got[key]!r}")
    return found


def test_there_are_202_variants() -> None:
    assert len(NAMES) == 202


@pytest.mark.parametrize("name", NAMES)
def test_a_variant_reads_as_a_careful_reader_reads_it(name: str) -> None:
    case = json.loads((VARIANTS / f"{name}.expect.json").read_text(encoding="utf-8"))
    briefs = parse_page((VARIANTS / case["file"]).read_bytes(), page_url=case["page_url"]).briefs
    assert len(briefs) == case["count"], case["note"]
    problems = [
        f"brief {k}: {problem}"
        for k, brief in enumerate(briefs)
        for problem in mismatches(case.get("all", {}), brief)
    ]
    for k, want in case["briefs"].items():
        problems += [f"brief {k}: {problem}" for problem in mismatches(want, briefs[int(k)])]
    assert problems == [], case["note"]
