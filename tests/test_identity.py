"""feedsvc.identity: ids, hashes and likeness of briefs, built by hand from the seed text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from feedsvc.identity import (
    content_hash,
    lead_fingerprint,
    mint_id,
    normalize_author,
    normalize_text,
    paragraph_keys,
    similarity,
)
from feedsvc.model import Brief, Contact, RelatedLink

BEIJING = timezone(timedelta(hours=8))
SEED_TXT = Path(__file__).parent / "fixtures" / "business-and-tech-live.txt"

# RFC 4151: "tag:" taggingEntity ":" specific [ "#" fragment ], taggingEntity = authorityName
# "," date; authorityName = DNSname / emailAddress; specific = *( pchar / "/" / "?" ).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DNS = rf"{_LABEL}(?:\.{_LABEL})*"
_DATE = r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?"
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
TAG_URI = re.compile(
    rf"^tag:(?:{_DNS}|[A-Za-z0-9._-]+@{_DNS}),{_DATE}:(?:{_PCHAR}|[/?])*(?:#(?:{_PCHAR}|[/?])*)?$"
)

BOE = (
    "Chinese display panel maker BOE Technology has announced plans to raise as much as "
    "20 billion yuan ($3 billion) by selling shares to a group of investors."
)
BOE_2 = (
    "About 35% of the capital raised from the planned share sale will be used to build a new "
    "production line in Chongqing responsible for making the sixth-generation active matrix "
    "organic light-emitting diode (AMOLED) panels used in electronic products from smartphones "
    "to laptops."
)
BOE_3 = (
    "AMOLED manufacturing has been listed by the Chinese government as one of the country’s "
    "strategic emerging industries as an increasing number of makers of smartphones, virtual "
    "reality devices and intelligent wearables use AMOLED display panels."
)
FOXCONN = (
    "Apple supplier Foxconn has reportedly obtained a license for one of its units to build a "
    "plant to make laptops and tablets in Vietnam, as the Taiwanese company moves some of its "
    "production lines to Southeast Asia and other regions."
)


def brief(
    *paragraphs: str,
    when: datetime = datetime(2021, 1, 19, 18, 27, tzinfo=BEIJING),
    authors: tuple[str, ...] = ("Ding Yi",),
    **changes: object,
) -> Brief:
    made = Brief(
        title=normalize_text(paragraphs[0])[:60] if paragraphs else "",
        title_source="derived",
        authors=authors,
        published_at=when,
        section="Business & Tech",
        paragraphs=paragraphs,
        byline=f"{', '.join(authors)} / {when:%b %d, %Y %I:%M %p} / Business & Tech",
    )
    return replace(made, **changes) if changes else made


def seed_briefs() -> list[Brief]:
    """The 20 briefs of the seed capture: byline fields and body paragraphs, by hand."""
    byline = re.compile(r"^(.*?) ?/ (\w{3} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M) / (.+)$")
    briefs: list[Brief] = []
    for line in SEED_TXT.read_text("utf-8").splitlines():
        if m := byline.match(line):
            when = datetime.strptime(m[2], "%b %d, %Y %I:%M %p").replace(tzinfo=BEIJING)
            authors = tuple(a for a in re.split(r", | and ", m[1].removeprefix("By ")) if a)
            briefs.append(brief(when=when, authors=authors, byline=line, section=m[3]))
        elif briefs and line.strip() and not line.startswith(("Photo:", "Contact ", "Related:")):
            if line.startswith("Share this article"):
                break
            last = briefs[-1]
            briefs[-1] = replace(last, paragraphs=(*last.paragraphs, line.strip()))
    return briefs


# --- normalize_text / normalize_author --------------------------------------------------------


def test_normalize_text_straightens_curly_quotes_and_apostrophes() -> None:
    assert normalize_text("China’s “Riviera” ‘quoted’") == "china's \"riviera\" 'quoted'"


@pytest.mark.parametrize(
    "dash",
    ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe58", "\uff0d"],
)
def test_normalize_text_turns_every_dash_into_hyphen_minus(dash: str) -> None:
    assert normalize_text(f"TikTok{dash}like") == "tiktok-like"


def test_normalize_text_spells_out_ellipsis() -> None:
    assert normalize_text("Read more…") == "read more..."


def test_normalize_text_turns_odd_spaces_into_one_space_and_strips() -> None:
    assert normalize_text("\u00a0 20\u202fbillion\u2009yuan \t\n($3\u3000billion) ") == (
        "20 billion yuan ($3 billion)"
    )


def test_normalize_text_drops_zero_width_characters() -> None:
    assert normalize_text("Kuai\u200bshou\u00ad\ufeff") == "kuaishou"


def test_normalize_text_casefolds() -> None:
    assert normalize_text("BOE Technology") == "boe technology"


def test_normalize_author_strips_a_leading_by() -> None:
    assert normalize_author("By Ding Yi") == normalize_author("by  Ding\u00a0Yi") == "ding yi"


def test_normalize_author_keeps_names_that_start_with_by() -> None:
    assert normalize_author("Byron Li") == "byron li"


# --- mint_id ------------------------------------------------------------------------------------


def test_mint_id_is_a_valid_rfc4151_tag_uri() -> None:
    minted = mint_id(brief(BOE))
    assert TAG_URI.match(minted), minted


def test_mint_id_holds_the_local_date_and_minute() -> None:
    minted = mint_id(brief(BOE))
    assert re.fullmatch(r"tag:caixinglobal\.com,2021-01-19:cx-live/1827-[0-9a-f]{12}", minted)


def test_mint_id_uses_the_briefs_own_zone_for_the_date() -> None:
    # 00:30 in Beijing is still the previous day in UTC; the tag carries the Beijing date
    minted = mint_id(brief(BOE, when=datetime(2021, 1, 20, 0, 30, tzinfo=BEIJING)))
    assert minted.startswith("tag:caixinglobal.com,2021-01-20:cx-live/0030-")


def test_mint_id_takes_another_authority() -> None:
    assert mint_id(brief(BOE), authority="feeds.example.org").startswith("tag:feeds.example.org,")


def test_mint_id_refuses_an_authority_that_is_no_dns_name() -> None:
    with pytest.raises(ValueError, match="DNS name"):
        mint_id(brief(BOE), authority="https://caixinglobal.com/")


def test_mint_id_refuses_a_naive_published_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mint_id(brief(BOE, when=datetime(2021, 1, 19, 18, 27)))


def test_mint_id_ignores_title_authors_byline_and_position() -> None:
    a = brief(BOE, BOE_2)
    b = replace(
        a,
        title="BOE to Raise $3 Billion",
        title_source="headline",
        authors=("By Ding Yi",),
        byline="By Ding Yi / Jan 19, 2021 06:27 PM / Business & Tech",
        position=7,
    )
    assert mint_id(a) == mint_id(b)


def test_mint_id_ignores_typography_and_whitespace() -> None:
    a = brief(BOE_3)
    b = brief(BOE_3.replace("’", "'").replace(" ", "  ", 3).replace("as ", "as\u00a0"))
    assert mint_id(a) == mint_id(b)


def test_mint_id_ignores_a_changed_later_paragraph() -> None:
    assert mint_id(brief(BOE, BOE_2)) == mint_id(brief(BOE, BOE_3))


def test_mint_id_differs_for_two_briefs_by_one_reporter_in_one_minute() -> None:
    assert mint_id(brief(BOE)) != mint_id(brief(FOXCONN))


def test_mint_id_gives_the_twenty_seed_briefs_twenty_ids() -> None:
    briefs = seed_briefs()
    assert len(briefs) == 20
    assert len({mint_id(b) for b in briefs}) == 20


def test_lead_skips_a_short_subheading_question() -> None:
    story = "Chinese netizens are debating a viral video of a courier in Beijing."
    with_heading = brief("What’s trending?", story, section="Trending Stories")
    assert lead_fingerprint(with_heading) == lead_fingerprint(brief(story))


def test_lead_falls_back_to_captions_without_paragraphs() -> None:
    a = brief(captions=("Geely owns a number of international brands",))
    b = brief(captions=("Photo: VCG",))
    assert lead_fingerprint(a).startswith("c:geely owns")
    assert mint_id(a) != mint_id(b)


def test_lead_falls_back_to_authors_and_section_without_any_text() -> None:
    assert lead_fingerprint(brief(authors=("By Ding Yi",))) == "a:ding yi/business & tech"


# --- content_hash -----------------------------------------------------------------------------


def test_content_hash_ignores_typography_and_whitespace() -> None:
    a = brief(BOE, BOE_3, captions=("Photo: VCG",))
    b = brief(
        BOE.replace(" ", "\u00a0", 2) + "  ", BOE_3.replace("’", "'"), captions=("Photo:  VCG",)
    )
    assert content_hash(a) == content_hash(b)


def test_content_hash_ignores_position_byline_and_a_by_prefix() -> None:
    a = brief(BOE)
    b = replace(a, position=3, byline="By Ding Yi / ...", authors=("By Ding Yi",))
    assert content_hash(a) == content_hash(b)


def test_content_hash_ignores_a_derived_title_but_not_a_headline() -> None:
    a = brief(BOE)
    assert content_hash(a) == content_hash(replace(a, title="something else"))
    assert content_hash(a) != content_hash(replace(a, title="BOE Raises", title_source="headline"))


@pytest.mark.parametrize(
    "change",
    [
        {"paragraphs": (BOE.replace("investors", "investers"),)},
        {"paragraphs": (BOE, BOE_2)},
        {"captions": ("Photo: VCG",)},
        {"authors": ("Anniek Bao",)},
        {"published_at": datetime(2021, 1, 19, 18, 37, tzinfo=BEIJING)},
        {"section": "Economy"},
        {"contacts": (Contact("reporter", "Ding Yi", "dingyi@caixin.com"),)},
        {"related": (RelatedLink("Display-Maker BOE Seals $1.1 Billion Deal"),)},
        {"full_story_url": "https://www.caixinglobal.com/2021-01-19/boe.html"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_content_hash_changes_with_content(change: dict[str, object]) -> None:
    a = brief(BOE)
    assert content_hash(a) != content_hash(replace(a, **change))


def test_content_hash_sees_an_email_added_to_a_contact() -> None:
    a = brief(BOE, contacts=(Contact("reporter", "Ding Yi"),))
    b = brief(BOE, contacts=(Contact("reporter", "Ding Yi", "dingyi@caixin.com"),))
    assert content_hash(a) != content_hash(b)


def test_content_hash_same_instant_in_another_zone_is_same() -> None:
    a = brief(BOE)
    in_utc = replace(a, published_at=a.published_at.astimezone(UTC))
    assert content_hash(a) == content_hash(in_utc)


# --- paragraph_keys -------------------------------------------------------------------------


def test_paragraph_keys_skip_short_paragraphs() -> None:
    keys = paragraph_keys(brief("What’s trending?", BOE, "Photo: VCG", BOE_2))
    assert keys == paragraph_keys(brief(BOE, BOE_2))
    assert len(keys) == 2


def test_paragraph_keys_ignore_typography() -> None:
    assert paragraph_keys(brief(BOE_3)) == paragraph_keys(brief(BOE_3.replace("’", "'")))


def test_paragraph_keys_drop_duplicates() -> None:
    assert len(paragraph_keys(brief(BOE, BOE))) == 1


# --- similarity -----------------------------------------------------------------------------


def test_similarity_of_a_brief_with_itself_is_one() -> None:
    assert similarity(brief(BOE, BOE_2), brief(BOE, BOE_2)) == 1.0


def test_similarity_with_an_appended_paragraph_is_one() -> None:
    assert similarity(brief(BOE, BOE_2), brief(BOE, BOE_2, BOE_3)) == 1.0


def test_similarity_after_a_typo_fix_stays_high() -> None:
    fixed = BOE_2.replace("Chongqing", "Chongqin")
    assert similarity(brief(BOE, BOE_2), brief(BOE, fixed)) >= 0.8


def test_similarity_of_different_briefs_is_low() -> None:
    assert similarity(brief(BOE, BOE_2), brief(FOXCONN)) < 0.1


def test_similarity_ignores_typography() -> None:
    assert similarity(brief(BOE_3), brief(BOE_3.replace("’", "'"))) == 1.0


def test_similarity_of_empty_bodies() -> None:
    assert similarity(brief(), brief()) == 1.0
    assert similarity(brief(), brief(BOE)) == 0.0


# --- the same brief in every markup -------------------------------------------------------------

MARKUPS = Path(__file__).parent / "fixtures" / "markups"


def _seed_markups() -> list[dict[str, object]]:
    manifest = json.loads((MARKUPS / "manifest.json").read_text("utf-8"))
    return [case for case in manifest if isinstance(case.get("seed_briefs"), list)]


@pytest.mark.parametrize("case", _seed_markups(), ids=lambda case: str(case["id"]))
def test_a_brief_gets_the_same_id_from_every_markup_of_the_page(case: dict[str, object]) -> None:
    """What a redesign of the page must not change: the id each brief is first archived with."""
    from feedsvc.parse import parse_page

    seed = parse_page(SEED_TXT.read_bytes(), page_url=str(case["page_url"])).briefs
    page = parse_page((MARKUPS / str(case["file"])).read_bytes(), page_url=str(case["page_url"]))
    indices = case["seed_briefs"]
    assert isinstance(indices, list)
    assert [mint_id(b) for b in page.briefs] == [mint_id(seed[i]) for i in indices]
