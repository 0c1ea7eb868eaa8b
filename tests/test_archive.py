"""feedsvc.archive: stable ids across pages and edits, feeds, bookkeeping, schema, scale.

Every test works on a real SQLite file in ``tmp_path``; briefs are built by hand.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from feedsvc.archive import (
    CANDIDATE_QUERIES,
    MIGRATIONS,
    SCHEMA_VERSION,
    Archive,
    PageState,
)
from feedsvc.errors import ArchiveError
from feedsvc.identity import mint_id
from feedsvc.model import Brief, Contact, FeedSpec, RelatedLink, Topic

BEIJING = timezone(timedelta(hours=8))
LIVE = "https://www.caixinglobal.com/live/"
SECTION_PAGE = "https://www.caixinglobal.com/business-and-tech-live/"
T0 = datetime(2021, 1, 19, 12, 0, tzinfo=UTC)  # when the page was first scraped

BOE = (
    "Chinese display panel maker BOE Technology has announced plans to raise as much as "
    "20 billion yuan ($3 billion) by selling shares to a group of investors."
)
BOE_2 = (
    "About 35% of the capital raised from the planned share sale will be used to build a new "
    "production line in Chongqing responsible for making the sixth-generation active matrix "
    "organic light-emitting diode (AMOLED) panels used in electronic products."
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
FOXCONN_2 = (
    "The $270 million factory is projected to have an annual production capacity of eight "
    "million units, will be developed by Fukang Technology and built in the northern province "
    "of Bac Giang, Reuters reported on Monday, citing Vietnamese authorities."
)
TESLA = (
    "U.S. electric carmaker Tesla on Monday started delivering its first Shanghai-assembled "
    "Model Y sport utility vehicles to customers in China, the latest milestone in the "
    "company’s drive to deepen its localization efforts in the world’s largest auto market."
)
TESLA_2 = (
    "The Model Y is the second locally-produced model Tesla has sold in China after the Model 3 "
    "sedan, which the company started delivering locally a year ago."
)

AT_1827 = datetime(2021, 1, 19, 18, 27, tzinfo=BEIJING)
AT_1653 = datetime(2021, 1, 19, 16, 53, tzinfo=BEIJING)
AT_1317 = datetime(2021, 1, 19, 13, 17, tzinfo=BEIJING)

ALL = FeedSpec("all", "all", "CX Live", "Every brief")
TECH = FeedSpec("topic", "business-tech", "Business & Tech", "Tech briefs")
DING = FeedSpec("reporter", "ding-yi", "Ding Yi", "Briefs by Ding Yi")


def brief(
    *paragraphs: str,
    when: datetime = AT_1827,
    authors: tuple[str, ...] = ("Ding Yi",),
    position: int = 0,
    **changes: object,
) -> Brief:
    made = Brief(
        title=paragraphs[0][:50] if paragraphs else "",
        title_source="derived",
        authors=authors,
        published_at=when,
        section="Business & Tech",
        paragraphs=paragraphs,
        position=position,
        byline=f"{', '.join(authors)} / {when:%b %d, %Y %I:%M %p} / Business & Tech",
    )
    return replace(made, **changes) if changes else made


def page(*briefs: Brief) -> list[Brief]:
    """Briefs as one page shows them: positions in page order."""
    return [replace(b, position=i) for i, b in enumerate(briefs)]


def boe(**changes: object) -> Brief:
    return brief(BOE, BOE_2, BOE_3, **changes)


def foxconn(**changes: object) -> Brief:
    return brief(FOXCONN, FOXCONN_2, **{"when": AT_1653, **changes})  # type: ignore[arg-type]


def tesla(**changes: object) -> Brief:
    defaults = {"when": AT_1317, "authors": ("By Ding Yi",)}
    return brief(TESLA, TESLA_2, **{**defaults, **changes})  # type: ignore[arg-type]


def synthetic(n: int) -> Brief:
    """The n-th of many distinct briefs, one per minute, going back in time."""
    rng = random.Random(n)
    words = [f"w{rng.randrange(100_000)}" for _ in range(60)]
    return brief(
        f"Synthetic brief number {n} about " + " ".join(words[:30]) + ".",
        "And a second paragraph with " + " ".join(words[30:]) + ".",
        when=datetime(2020, 12, 31, 23, 59, tzinfo=BEIJING) - timedelta(minutes=n),
        authors=(f"Reporter {n % 37}",),
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(tmp_path / "state" / "feedsvc.sqlite3") as opened:
        yield opened


def record(archive: Archive, *briefs: Brief, url: str = SECTION_PAGE, at: datetime = T0):
    return archive.record(page(*briefs), page_url=url, seen_at=at)


def ids(archive: Archive, *briefs: Brief, **kwargs: object) -> list[str]:
    return [e.id for e in record(archive, *briefs, **kwargs).entries]  # type: ignore[arg-type]


# --- ids stay the same -------------------------------------------------------------------------


def test_new_entry_gets_the_minted_id(archive: Archive) -> None:
    assert ids(archive, boe()) == [mint_id(boe())]


def test_rerecording_the_same_page_keeps_ids_and_reports_unchanged(archive: Archive) -> None:
    first = record(archive, boe(), foxconn(), tesla())
    again = record(archive, boe(), foxconn(), tesla(), at=T0 + timedelta(minutes=15))
    assert [e.id for e in again.entries] == [e.id for e in first.entries]
    assert again.unchanged == tuple(e.id for e in first.entries)
    assert again.new == again.updated == ()
    assert archive.count() == 3


def test_new_briefs_on_top_keep_the_ids_of_the_ones_below(archive: Archive) -> None:
    before = ids(archive, foxconn(), tesla())
    after = record(archive, boe(), foxconn(), tesla(), at=T0 + timedelta(hours=1))
    assert [e.id for e in after.entries][1:] == before
    assert len(after.new) == 1
    assert [e.brief.position for e in after.entries] == [0, 1, 2]


def test_by_prefix_added_or_dropped_keeps_the_id(archive: Archive) -> None:
    (plain,) = ids(archive, tesla(authors=("Ding Yi",)))
    result = record(archive, tesla(authors=("By Ding Yi",)), at=T0 + timedelta(hours=1))
    assert [e.id for e in result.entries] == [plain]
    assert result.unchanged == (plain,)


def test_typography_and_whitespace_changes_keep_id_and_hash(archive: Archive) -> None:
    first = record(archive, boe()).entries[0]
    retyped = brief(
        BOE.replace(" ", "  ", 4), BOE_2.replace(" ", "\u00a0", 3), BOE_3.replace("’", "'")
    )
    again = record(archive, retyped, at=T0 + timedelta(hours=1))
    assert again.unchanged == (first.id,)
    assert archive.get(first.id).content_hash == first.content_hash  # type: ignore[union-attr]


def test_one_brief_on_two_pages_is_one_entry_listing_both_pages(archive: Archive) -> None:
    (on_section,) = ids(archive, boe(), url=SECTION_PAGE)
    (on_live,) = ids(archive, foxconn(), boe(), url=LIVE)[1:]
    assert on_live == on_section
    assert archive.count() == 2
    assert archive.pages_of(on_section) == (SECTION_PAGE, LIVE)
    assert archive.get(on_section).page_url == SECTION_PAGE  # type: ignore[union-attr]


def test_two_pages_with_different_markup_do_not_flip_the_entry(archive: Archive) -> None:
    # the /live/ page lost an inline link's text; the section page has it
    live = boe(paragraphs=(BOE.replace("BOE Technology", ""), BOE_2, BOE_3))
    record(archive, boe(), url=SECTION_PAGE)
    record(archive, live, url=LIVE, at=T0 + timedelta(minutes=1))
    outcomes = []
    for cycle in range(1, 4):
        at = T0 + timedelta(hours=cycle)
        outcomes.append(record(archive, boe(), url=SECTION_PAGE, at=at).updated)
        outcomes.append(record(archive, live, url=LIVE, at=at).updated)
    assert outcomes == [()] * 6


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(
            lambda b: replace(b, paragraphs=(BOE, BOE_2.replace("Chongqing", "Chongqin"), BOE_3)),
            id="typo-fix",
        ),
        pytest.param(
            lambda b: replace(b, paragraphs=(*b.paragraphs, TESLA_2)), id="paragraph-appended"
        ),
        pytest.param(lambda b: replace(b, captions=("Photo: VCG",)), id="caption-added"),
    ],
)
def test_an_edit_keeps_the_id_and_moves_updated_at(archive: Archive, edit) -> None:  # type: ignore[no-untyped-def]
    (entry_id,) = ids(archive, boe())
    seen = T0 + timedelta(hours=2)
    result = record(archive, edit(boe()), at=seen)
    assert [e.id for e in result.entries] == [entry_id]
    assert result.updated == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.updated_at == seen
    assert stored.brief == edit(boe())
    assert archive.count() == 1


def test_a_typo_fix_in_the_lead_keeps_the_id(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    fixed = boe(paragraphs=(BOE.replace("panel maker", "panel makers"), BOE_2, BOE_3))
    assert mint_id(fixed) != entry_id
    assert ids(archive, fixed, at=T0 + timedelta(hours=1)) == [entry_id]


def test_a_corrected_byline_time_keeps_the_id(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe(when=AT_1827))
    corrected = boe(when=AT_1827 + timedelta(minutes=10))  # 06:27 PM -> 06:37 PM
    result = record(archive, corrected, at=T0 + timedelta(hours=1))
    assert result.updated == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.brief.published_at == AT_1827 + timedelta(minutes=10)
    assert archive.count() == 1


def test_a_corrected_reporter_keeps_the_id(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    result = record(archive, boe(authors=("Anniek Bao",)), at=T0 + timedelta(hours=1))
    assert result.updated == (entry_id,)
    assert archive.get(entry_id).brief.authors == ("Anniek Bao",)  # type: ignore[union-attr]


def test_two_briefs_by_one_reporter_in_one_minute_get_two_ids(archive: Archive) -> None:
    same_minute = foxconn(when=AT_1827)
    got = ids(archive, boe(), same_minute)
    assert len(set(got)) == 2
    # and they stay apart when recorded again, in the other order
    assert ids(archive, same_minute, boe(), at=T0 + timedelta(hours=1)) == got[::-1]


def test_one_page_showing_a_brief_twice_keeps_two_stable_entries(archive: Archive) -> None:
    first = ids(archive, boe(), boe())
    assert len(set(first)) == 2
    assert ids(archive, boe(), boe(), at=T0 + timedelta(hours=1)) == first


def test_same_lead_same_minute_different_body_gets_a_suffixed_id(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    other = brief(BOE, FOXCONN, FOXCONN_2, TESLA, TESLA_2)  # same lead, different story
    (other_id,) = ids(archive, other, at=T0 + timedelta(hours=1))
    assert other_id != entry_id
    assert other_id.startswith(entry_id + "-")


def test_twenty_distinct_briefs_get_twenty_ids(archive: Archive) -> None:
    assert len(set(ids(archive, *(synthetic(n) for n in range(20))))) == 20


def test_fresh_archives_fed_in_different_orders_give_the_same_ids(tmp_path: Path) -> None:
    briefs = [boe(), foxconn(), tesla(), foxconn(when=AT_1827), *map(synthetic, range(8))]
    shuffled = briefs[:]
    random.Random(4).shuffle(shuffled)
    with Archive.open(tmp_path / "a.sqlite3") as a, Archive.open(tmp_path / "b.sqlite3") as b:
        got_a = dict(zip(briefs, ids(a, *briefs), strict=True))
        got_b = dict(zip(shuffled, ids(b, *shuffled), strict=True))
    assert {k.paragraphs: v for k, v in got_a.items()} == {
        k.paragraphs: v for k, v in got_b.items()
    }


# --- times and merging -----------------------------------------------------------------------


def test_new_entry_updated_at_is_published_at_and_first_seen_is_seen_at(archive: Archive) -> None:
    entry = record(archive, boe()).entries[0]
    stored = archive.get(entry.id)
    assert stored is not None
    assert stored.updated_at == AT_1827
    assert stored.updated_at.utcoffset() == timedelta(hours=8)
    assert stored.first_seen_at == T0
    assert stored == entry


def test_rerecord_without_change_leaves_updated_at_and_hash(archive: Archive) -> None:
    first = record(archive, boe()).entries[0]
    record(archive, boe(), at=T0 + timedelta(days=3))
    stored = archive.get(first.id)
    assert stored is not None
    assert (stored.updated_at, stored.content_hash) == (first.updated_at, first.content_hash)


def test_a_headline_title_is_not_replaced_by_a_derived_one(archive: Archive) -> None:
    headline = boe(title="BOE to Raise $3 Billion for New Lines", title_source="headline")
    (entry_id,) = ids(archive, headline, url=LIVE)
    result = record(archive, boe(), url=SECTION_PAGE, at=T0 + timedelta(minutes=5))
    assert result.unchanged == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert (stored.brief.title, stored.brief.title_source) == (headline.title, "headline")


def test_another_pages_headline_does_not_replace_the_entrys_own(archive: Archive) -> None:
    own = boe(title="BOE to Raise $3 Billion for New Lines", title_source="headline")
    (entry_id,) = ids(archive, own, url=SECTION_PAGE)
    other = boe(title="BOE Plans Share Sale", title_source="headline")
    result = record(archive, other, url=LIVE, at=T0 + timedelta(minutes=5))
    assert result.unchanged == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.brief.title == own.title


def test_a_headline_changed_on_the_entrys_own_page_is_an_edit(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe(title="BOE to Raise Funds", title_source="headline"))
    retitled = boe(title="BOE to Raise $3 Billion", title_source="headline")
    result = record(archive, retitled, url=SECTION_PAGE, at=T0 + timedelta(minutes=5))
    assert result.updated == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.brief.title == retitled.title


def test_a_known_email_and_urls_are_not_lost_when_the_other_page_lacks_them(
    archive: Archive,
) -> None:
    full = boe(
        contacts=(Contact("reporter", "Ding Yi", "dingyi@caixin.com"),),
        related=(
            RelatedLink("Display-Maker BOE Seals Deal", "https://www.caixinglobal.com/x.html"),
        ),
        full_story_url="https://www.caixinglobal.com/2021-01-19/boe.html",
    )
    bare = boe(
        contacts=(Contact("reporter", "Ding Yi"),),
        related=(RelatedLink("Display-Maker BOE Seals Deal"),),
    )
    (entry_id,) = ids(archive, full, url=LIVE)
    result = record(archive, bare, url=SECTION_PAGE, at=T0 + timedelta(minutes=5))
    assert result.unchanged == (entry_id,)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.brief.contacts == full.contacts
    assert stored.brief.related == full.related
    assert stored.brief.full_story_url == full.full_story_url


def test_an_email_seen_later_is_an_update(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe(contacts=(Contact("reporter", "Ding Yi"),)))
    with_email = boe(contacts=(Contact("reporter", "Ding Yi", "dingyi@caixin.com"),))
    result = record(archive, with_email, url=LIVE, at=T0 + timedelta(minutes=5))
    assert result.updated == (entry_id,)
    assert archive.get(entry_id).brief.contacts == with_email.contacts  # type: ignore[union-attr]


def test_entries_stay_after_they_scroll_off_the_page(archive: Archive) -> None:
    old = ids(archive, foxconn(), tesla())
    record(archive, boe(), at=T0 + timedelta(days=1))
    assert all(archive.get(entry_id) is not None for entry_id in old)
    assert archive.count() == 3


def test_entry_round_trips_every_brief_field(archive: Archive) -> None:
    original = Brief(
        title="China’s “Riviera” — from the air…",
        title_source="headline",
        authors=("Qian Tong", "Yuan Ruiyang", "Han Wei"),
        published_at=datetime(2021, 1, 11, 14, 45, tzinfo=BEIJING),
        section="Politics & Law",
        paragraphs=(TESLA, "What’s the story?", "Line with\u00a0nbsp and  two spaces"),
        captions=("Photo: VCG", ""),
        contacts=(
            Contact("reporter", "Qian Tong", "tongqian@caixin.com"),
            Contact("editor", "Han Wei"),
        ),
        related=(
            RelatedLink("Related headline", "https://www.caixinglobal.com/r.html"),
            RelatedLink("No link kept"),
        ),
        full_story_url="https://www.caixinglobal.com/2021-01-11/full.html",
        position=0,
        byline="Qian Tong, Yuan Ruiyang and Han Wei / Jan 11, 2021 02:45 PM / Politics & Law",
    )
    (entry_id,) = ids(archive, original)
    stored = archive.get(entry_id)
    assert stored is not None
    assert stored.brief == original
    assert stored.brief.published_at.utcoffset() == timedelta(hours=8)
    assert stored.brief.published_at.isoformat() == original.published_at.isoformat()
    assert isinstance(stored.brief.paragraphs, tuple)
    assert isinstance(stored.brief.contacts[0], Contact)
    assert isinstance(stored.brief.related[0], RelatedLink)


def test_record_refuses_a_naive_seen_at(archive: Archive) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        archive.record([boe()], page_url=LIVE, seen_at=datetime(2021, 1, 19, 12, 0))


def test_record_is_one_transaction(archive: Archive) -> None:
    with pytest.raises(RuntimeError), archive.transaction():
        record(archive, boe(), foxconn())
        raise RuntimeError("boom")
    assert archive.count() == 0


def test_iter_entries_streams_newest_first(archive: Archive) -> None:
    record(archive, *(synthetic(n) for n in range(25)))
    record(archive, boe(), foxconn(when=AT_1827), tesla())
    got = list(archive.iter_entries(batch_size=4))
    keys = [(-e.brief.published_at.timestamp(), e.id) for e in got]
    assert keys == sorted(keys)
    assert len(got) == archive.count() == 28


# --- prune --------------------------------------------------------------------------------


def test_prune_removes_only_entries_unseen_for_the_retention_and_returns_their_feeds(
    archive: Archive,
) -> None:
    (old_id,) = ids(archive, foxconn(), at=T0)
    (kept_id,) = ids(archive, boe(), at=T0 + timedelta(days=200))
    archive.set_classification(old_id, [], [ALL, DING])
    archive.set_classification(kept_id, [], [ALL, TECH])
    archive.clear_dirty(archive.dirty_feeds())
    removed_from = archive.prune(now=T0 + timedelta(days=366), retention_days=365)
    assert removed_from == ("all", "reporters/ding-yi")
    assert archive.get(old_id) is None
    assert archive.get(kept_id) is not None
    assert archive.dirty_feeds() == {"all", "reporters/ding-yi"}
    assert [e.id for e in archive.entries_for_feed("all", limit=10)] == [kept_id]


def test_prune_keeps_an_entry_seen_again_recently(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe(), at=T0)
    record(archive, boe(), at=T0 + timedelta(days=300))
    assert archive.prune(now=T0 + timedelta(days=400), retention_days=365) == ()
    assert archive.get(entry_id) is not None


# --- classification and feeds ------------------------------------------------------------------


def test_set_classification_returns_the_feeds_whose_membership_changed(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    topic = Topic("business-tech", "Business & Tech")
    added = archive.set_classification(entry_id, [topic], [ALL, TECH])
    assert added == {"all", "topics/business-tech"}
    assert archive.set_classification(entry_id, [topic], [ALL, TECH]) == set()
    assert archive.set_classification(entry_id, [topic], [ALL, DING]) == {
        "topics/business-tech",
        "reporters/ding-yi",
    }
    assert archive.get(entry_id).topics == (topic,)  # type: ignore[union-attr]


def test_set_classification_marks_changed_feeds_dirty(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    archive.set_classification(entry_id, [], [ALL])
    assert archive.dirty_feeds() == {"all"}


def _membership(archive: Archive) -> tuple[object, ...]:
    feeds = {
        spec.key: [e.id for e in archive.entries_for_feed(spec.key, limit=100)]
        for spec in archive.feed_specs()
    }
    topics = {e.id: e.topics for e in archive.iter_entries()}
    return feeds, topics, archive.feed_stats(), archive.dirty_feeds()


def test_reclassify_in_batches_stores_what_set_classification_stores(tmp_path: Path) -> None:
    tech_topic = Topic("business-tech", "Business & Tech")
    briefs = [boe(), foxconn(), tesla()]
    first = [([tech_topic], [ALL, TECH]), ([], [ALL, DING]), ([tech_topic], [ALL])]
    then = [([], [ALL, DING]), ([], [ALL, DING]), ([tech_topic], [ALL, TECH, DING])]
    states = []
    for batched in (False, True):
        with Archive.open(tmp_path / f"{batched}.sqlite3") as archive:
            entry_ids = ids(archive, *briefs)
            for entry_id, (topics, feeds) in zip(entry_ids, first, strict=True):
                archive.set_classification(entry_id, topics, feeds)
            archive.clear_dirty(archive.dirty_feeds())
            if batched:
                work = [(i, t, f) for i, (t, f) in zip(entry_ids, then, strict=True)]
                changed = archive.reclassify(iter(work), batch_size=2)
                assert changed == {"topics/business-tech", "reporters/ding-yi"}
            else:
                for entry_id, (topics, feeds) in zip(entry_ids, then, strict=True):
                    archive.set_classification(entry_id, topics, feeds)
            states.append(_membership(archive))
    assert states[0] == states[1]
    feeds, topics, _, dirty = states[1]
    assert len(feeds["topics/business-tech"]) == 1  # two entries left it, one joined it
    assert len(feeds["reporters/ding-yi"]) == 3
    assert sorted(map(len, topics.values())) == [0, 0, 1]
    assert dirty == {"all", "topics/business-tech", "reporters/ding-yi"}


def test_an_edited_entry_marks_its_feeds_dirty(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    archive.set_classification(entry_id, [], [ALL, TECH])
    archive.clear_dirty(["all", "topics/business-tech"])
    record(archive, boe(captions=("Photo: VCG",)), at=T0 + timedelta(hours=1))
    assert archive.dirty_feeds() == {"all", "topics/business-tech"}


def test_entries_for_feed_respects_limit_and_order(archive: Archive) -> None:
    got = ids(archive, boe(), foxconn(when=AT_1827), foxconn(), tesla())
    for entry_id in got:
        archive.set_classification(entry_id, [], [ALL])
    same_minute = sorted(got[:2])
    assert [e.id for e in archive.entries_for_feed("all", limit=3)] == [*same_minute, got[2]]
    assert [e.id for e in archive.entries_for_feed("all", limit=10)] == [*same_minute, *got[2:]]
    assert archive.entries_for_feed("topics/none", limit=10) == []


def test_entries_for_feed_follows_a_corrected_time(archive: Archive) -> None:
    a, b = ids(archive, boe(), foxconn())
    for entry_id in (a, b):
        archive.set_classification(entry_id, [], [ALL])
    record(archive, foxconn(when=AT_1827 + timedelta(minutes=5)), at=T0 + timedelta(hours=1))
    assert [e.id for e in archive.entries_for_feed("all", limit=2)] == [b, a]


def test_feed_stats_and_specs_include_registered_empty_feeds(archive: Archive) -> None:
    archive.register_feeds([ALL, TECH])
    (entry_id,) = ids(archive, boe())
    archive.set_classification(entry_id, [], [ALL, DING])
    assert archive.feed_stats() == {
        "all": (1, AT_1827),
        "reporters/ding-yi": (1, AT_1827),
        "topics/business-tech": (0, None),
    }
    assert archive.feed_specs() == [ALL, DING, TECH]


def test_feed_stats_newest_updated_moves_with_an_edit(archive: Archive) -> None:
    a, b = ids(archive, boe(), foxconn())
    for entry_id in (a, b):
        archive.set_classification(entry_id, [], [ALL])
    assert archive.feed_stats() == {"all": (2, AT_1827)}
    edited_at = T0 + timedelta(days=2)
    record(archive, foxconn(captions=("Photo: IC",)), at=edited_at)
    assert archive.feed_stats() == {"all": (2, edited_at)}


def _stats_by_counting(archive: Archive) -> dict[str, tuple[int, datetime | None]]:
    """feed_stats the slow way: counting entry_feeds (what the triggers must agree with)."""
    stats: dict[str, tuple[int, datetime | None]] = {}
    conn = archive._conn
    for key, registered in conn.execute("SELECT key, registered FROM feeds").fetchall():
        count = conn.execute(
            "SELECT count(*) FROM entry_feeds WHERE feed_key = ?", (key,)
        ).fetchone()[0]
        if not count:
            if registered:
                stats[key] = (0, None)
            continue
        newest = conn.execute(
            """SELECT e.updated_at FROM entry_feeds f JOIN entries e ON e.id = f.entry_id
               WHERE f.feed_key = ? ORDER BY f.updated_us DESC, f.entry_id DESC LIMIT 1""",
            (key,),
        ).fetchone()[0]
        stats[key] = (count, datetime.fromisoformat(newest))
    return stats


def test_feed_stats_follow_every_kind_of_change(archive: Archive) -> None:
    archive.register_feeds([ALL, TECH])
    a, b, c = ids(archive, boe(), foxconn(), tesla(), at=T0)
    archive.set_classification(a, [], [ALL, TECH, DING])
    archive.set_classification(b, [], [ALL, DING])
    archive.set_classification(c, [], [ALL])
    assert archive.feed_stats() == _stats_by_counting(archive)
    assert archive.feed_stats()["reporters/ding-yi"] == (2, AT_1827)
    # an edit moves the newest time of every feed the entry is in
    edited_at = T0 + timedelta(days=1)
    record(archive, foxconn(captions=("Photo: IC",)), at=edited_at)
    assert archive.feed_stats()["reporters/ding-yi"] == (2, edited_at)
    assert archive.feed_stats() == _stats_by_counting(archive)
    # leaving a feed: the newest entry leaves, the next one takes over
    archive.set_classification(b, [], [ALL])
    assert archive.feed_stats()["reporters/ding-yi"] == (1, AT_1827)
    assert archive.feed_stats() == _stats_by_counting(archive)
    # prune removes entries (and their memberships, by cascade)
    record(archive, boe(), tesla(), at=T0 + timedelta(days=300))
    archive.prune(now=T0 + timedelta(days=367), retention_days=365)
    assert archive.get(b) is None
    assert archive.feed_stats() == _stats_by_counting(archive)
    # a feed that lost its last entry and is not registered is gone
    archive.set_classification(a, [], [ALL, TECH])
    assert "reporters/ding-yi" not in archive.feed_stats()
    assert archive.feed_stats() == _stats_by_counting(archive)
    archive.drop_feeds(["topics/business-tech"])
    assert archive.feed_stats() == _stats_by_counting(archive) == {"all": (2, AT_1827)}


def test_feed_stats_are_rolled_back_with_their_transaction(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    archive.set_classification(entry_id, [], [ALL])
    with pytest.raises(RuntimeError), archive.transaction():
        archive.set_classification(entry_id, [], [ALL, DING])
        raise RuntimeError("boom")
    assert archive.feed_stats() == _stats_by_counting(archive) == {"all": (1, AT_1827)}


def test_drop_feeds_forgets_feed_membership_and_dirty_mark(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    archive.set_classification(entry_id, [], [ALL, DING])
    archive.drop_feeds(["reporters/ding-yi"])
    assert archive.feed_specs() == [ALL]
    assert "reporters/ding-yi" not in archive.dirty_feeds()


# --- bookkeeping ---------------------------------------------------------------------------


def test_dirty_feeds_survive_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "feedsvc.sqlite3"
    with Archive.open(path) as archive:
        archive.mark_dirty(["all", "topics/economy"])
        archive.clear_dirty(["all"])
    with Archive.open(path) as archive:
        assert archive.dirty_feeds() == {"topics/economy"}


def test_page_state_round_trips(archive: Archive) -> None:
    assert archive.page_state(LIVE) == PageState()
    when = datetime(2021, 1, 19, 18, 30, tzinfo=BEIJING)
    archive.save_page_state(
        LIVE,
        etag='"abc"',
        last_modified="Tue, 19 Jan 2021 10:30:00 GMT",
        body_hash="f" * 64,
        last_good_count=20,
        last_success_at=when,
    )
    archive.save_page_state(LIVE, etag='"def"')
    assert archive.page_state(LIVE) == PageState(
        '"def"', "Tue, 19 Jan 2021 10:30:00 GMT", "f" * 64, 20, when
    )
    assert archive.page_state(SECTION_PAGE) == PageState()


def test_page_state_takes_last_success_as_iso_text(archive: Archive) -> None:
    archive.save_page_state(LIVE, last_success_at="2021-01-19T18:30:00+08:00")
    assert archive.page_state(LIVE).last_success_at == datetime(2021, 1, 19, 18, 30, tzinfo=BEIJING)


def test_meta_round_trips(archive: Archive) -> None:
    assert archive.get_meta("settings") is None
    archive.set_meta("settings", "abc")
    assert archive.get_meta("settings") == "abc"


def test_a_nested_transaction_joins_the_outer_one(archive: Archive) -> None:
    with pytest.raises(RuntimeError), archive.transaction():
        archive.set_meta("a", "1")  # its own transaction() nests
        with archive.transaction():
            archive.mark_dirty(["all"])
        raise RuntimeError("boom")
    assert archive.get_meta("a") is None
    assert archive.dirty_feeds() == set()


def test_a_failed_nested_transaction_undoes_only_its_own_work(archive: Archive) -> None:
    with archive.transaction():
        archive.set_meta("outer", "1")
        with pytest.raises(RuntimeError), archive.transaction():
            archive.set_meta("inner", "1")
            raise RuntimeError("boom")
    assert (archive.get_meta("outer"), archive.get_meta("inner")) == ("1", None)


# --- schema and errors -------------------------------------------------------------------------


def test_open_creates_parent_folders_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "feedsvc.sqlite3"
    Archive.open(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_opening_a_v1_file_migrates_it_and_keeps_its_entries(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Archive.open(path) as archive:
        (entry_id,) = ids(archive, boe())
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')")
        names = {row[0] for row in rows}
        assert "entries_by_last_seen" in names
        assert "entry_feeds_stats_insert" in names
    finally:
        conn.close()
    with Archive.open(path) as archive:
        assert archive.get(entry_id) is not None


def _v2_file(path: Path) -> None:
    """An archive as feedsvc 0.1 (schema 2) left it: two entries in three feeds."""
    conn = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:2]:
        for statement in step:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    for entry_id, published, updated_at, updated_us in (
        ("tag:a", 100, "2021-01-19T18:27:00+08:00", 1_611_052_020_000_000),
        ("tag:b", 50, "2021-01-20T00:00:00+00:00", 1_611_100_800_000_000),
    ):
        conn.execute(
            """INSERT INTO entries (id, published_at, section, page_url, first_seen_at,
                   updated_at, updated_us, last_seen_us, content_hash, lead_key, brief)
               VALUES (?, ?, 'S', 'u', ?, ?, ?, 0, 'h', 'l', '{}')""",
            (entry_id, published, updated_at, updated_at, updated_us),
        )
    for key in ("all", "reporters/ding-yi", "topics/empty"):
        kind = key.split("/")[0].rstrip("s")
        conn.execute(
            "INSERT INTO feeds (key, kind, slug, title, description, registered) "
            "VALUES (?, ?, ?, 't', 'd', ?)",
            (key, kind, key.split("/")[-1], int(key == "topics/empty")),
        )
    conn.executemany(
        "INSERT INTO entry_feeds (feed_key, entry_id, published_at, updated_us) "
        "SELECT ?, id, published_at, updated_us FROM entries WHERE id = ?",
        [("all", "tag:a"), ("all", "tag:b"), ("reporters/ding-yi", "tag:a")],
    )
    conn.close()


def test_opening_a_v2_file_migrates_it_and_fills_the_feed_statistics(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    _v2_file(path)
    with Archive.open(path) as archive:
        assert archive.feed_stats() == {
            "all": (2, datetime(2021, 1, 20, tzinfo=UTC)),
            "reporters/ding-yi": (1, AT_1827),
            "topics/empty": (0, None),
        }
        assert [s.key for s in archive.feed_specs()] == ["all", "reporters/ding-yi", "topics/empty"]
        assert archive.feed_stats() == _stats_by_counting(archive)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_a_newer_schema_raises_archive_error(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ArchiveError, match="newer than this feedsvc knows"):
        Archive.open(path)


def test_a_file_that_is_no_database_raises_a_one_line_archive_error(tmp_path: Path) -> None:
    path = tmp_path / "feedsvc.sqlite3"
    path.write_bytes(b"this is not a database, it is a text file\n" * 100)
    with pytest.raises(ArchiveError) as caught:
        Archive.open(path)
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    assert "not a database" in message


def test_a_closed_archive_raises_archive_error(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "feedsvc.sqlite3")
    archive.close()
    with pytest.raises(ArchiveError):
        archive.count()


# --- scale ---------------------------------------------------------------------------------------


def _vm_steps(archive: Archive, action) -> int:  # type: ignore[no-untyped-def]
    """SQLite virtual-machine instructions spent in ``action``: work, not time."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    archive._conn.set_progress_handler(tick, 1)
    try:
        action()
    finally:
        archive._conn.set_progress_handler(None, 1)
    return steps


def _fill(archive: Archive, n: int) -> None:
    with archive.transaction():
        for start in range(0, n, 1000):
            record(archive, *(synthetic(i) for i in range(start, min(n, start + 1000))))


def test_candidate_queries_use_indexes(archive: Archive) -> None:
    args = {"id": ("x",), "minute": (0, 60), "paragraph": ("k", 51), "lead": ("k", 51)}
    for name, sql in CANDIDATE_QUERIES.items():
        rows = archive._conn.execute(f"EXPLAIN QUERY PLAN {sql}", args[name])
        plan = " | ".join(row[3] for row in rows)
        assert "SEARCH" in plan and "SCAN" not in plan, (name, plan)


def test_entries_for_feed_query_uses_the_feed_time_index(archive: Archive) -> None:
    plan = " | ".join(
        row[3]
        for row in archive._conn.execute(
            "EXPLAIN QUERY PLAN SELECT e.id FROM entry_feeds f JOIN entries e ON e.id = f.entry_id "
            "WHERE f.feed_key = ? ORDER BY f.published_at DESC, f.entry_id ASC LIMIT ?",
            ("all", 50),
        )
    )
    assert "entry_feeds_by_time" in plan and "TEMP B-TREE" not in plan, plan


def test_recording_one_brief_into_20000_entries_does_the_same_work_as_into_1000(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    costs = {}
    for size in (1_000, 20_000):
        with Archive.open(tmp_path / f"{size}.sqlite3") as archive:
            started = time.perf_counter()
            _fill(archive, size)
            filled = time.perf_counter() - started
            assert archive.count() == size
            started = time.perf_counter()
            costs[size] = _vm_steps(archive, functools.partial(record, archive, boe()))
            one = time.perf_counter() - started
            with capsys.disabled():
                print(
                    f"\n[scale] {size} entries: fill {filled:.1f}s, "
                    f"record 1 brief {one * 1000:.2f} ms, {costs[size]} VM instructions"
                )
    assert 0 < costs[20_000] <= costs[1_000] * 1.5


# --- bulk insert ---------------------------------------------------------------------------------


def test_bulk_insert_stores_what_record_and_set_classification_would(tmp_path: Path) -> None:
    topic = Topic("business-tech", "Business & Tech")
    briefs = [boe(), foxconn(), tesla(), *(synthetic(n) for n in range(5))]
    with Archive.open(tmp_path / "one-by-one.sqlite3") as slow:
        for made in briefs:
            (entry_id,) = ids(slow, made)
            slow.set_classification(entry_id, [topic], [ALL, TECH, DING])
        expected = [slow.get(i) for i in [e.id for e in slow.iter_entries()]]
        expected_stats, expected_dirty = slow.feed_stats(), slow.dirty_feeds()
    with Archive.open(tmp_path / "bulk.sqlite3") as bulk:
        items = [(made, [topic], [ALL, TECH, DING]) for made in briefs]
        assert bulk.bulk_insert(items, page_url=SECTION_PAGE, seen_at=T0, batch_size=3) == 8
        got = [bulk.get(e.id) for e in bulk.iter_entries()]
        # positions are page order in record(); bulk_insert keeps each brief's own
        assert [replace(e, brief=replace(e.brief, position=0)) for e in got if e] == [
            replace(e, brief=replace(e.brief, position=0)) for e in expected if e
        ]
        assert bulk.feed_stats() == expected_stats == _stats_by_counting(bulk)
        assert bulk.dirty_feeds() == expected_dirty
        assert bulk.pages_of(got[0].id) == (SECTION_PAGE,)  # type: ignore[union-attr]
        # and record() finds them: the same page again is no change
        again = record(bulk, boe(), foxconn(), tesla(), at=T0 + timedelta(hours=1))
        assert again.new == again.updated == ()


def test_bulk_insert_gives_a_taken_id_the_body_suffix(archive: Archive) -> None:
    (first,) = ids(archive, boe())
    other = boe(paragraphs=(BOE, "A different body, with its own words and numbers 1 2 3."))
    assert mint_id(other) == first
    archive.bulk_insert([(other, [], [ALL])], page_url=LIVE, seen_at=T0)
    assert archive.count() == 2
    (bulk_id,) = [e.id for e in archive.iter_entries() if e.id != first]
    assert bulk_id.startswith(first + "-")


def test_feed_statistics_cost_the_same_however_large_the_archive(tmp_path: Path) -> None:
    costs = {}
    for size in (200, 4_000):
        with Archive.open(tmp_path / f"{size}.sqlite3") as archive:
            items = []
            for n in range(size):
                made = synthetic(n)
                reporter = FeedSpec("reporter", f"r{n % 37}", made.authors[0], "")
                items.append((made, [], [ALL, reporter]))
            archive.bulk_insert(items, page_url=SECTION_PAGE, seen_at=T0)
            stats = archive.feed_stats()
            assert len(stats) == 38 and stats["all"][0] == size
            assert stats == _stats_by_counting(archive)
            costs[size] = _vm_steps(archive, lambda a=archive: (a.feed_stats(), a.feed_specs()))
    assert 0 < costs[4_000] <= costs[200] * 1.2, costs


def test_briefs_are_stored_compressed_and_v2_text_rows_still_read(tmp_path: Path) -> None:
    from feedsvc.archive import _brief_to_json

    path = tmp_path / "v2.sqlite3"
    _v2_file(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE entries SET brief = ? WHERE id = 'tag:a'", (_brief_to_json(boe()),))
    conn.close()
    with Archive.open(path) as archive:
        assert archive.get("tag:a").brief == boe()  # type: ignore[union-attr]
        (new_id,) = ids(archive, tesla())
        assert archive.get(new_id).brief == page(tesla())[0]  # type: ignore[union-attr]
        stored = archive._conn.execute(
            "SELECT brief FROM entries WHERE id = ?", (new_id,)
        ).fetchone()[0]
        assert isinstance(stored, bytes) and len(stored) < len(_brief_to_json(tesla()))


def test_rendered_parts_are_found_only_under_their_render_key(archive: Archive) -> None:
    (entry_id,) = ids(archive, boe())
    archive.save_parts([(entry_id, "key-1", b"parts")])
    assert archive.load_parts({entry_id: "key-1"}) == {entry_id: b"parts"}
    assert archive.load_parts({entry_id: "key-2"}) == {}
    archive.save_parts([(entry_id, "key-2", b"newer")])
    assert archive.load_parts({entry_id: "key-2"}) == {entry_id: b"newer"}


def test_rendered_parts_of_unknown_or_pruned_entries_are_not_kept(archive: Archive) -> None:
    archive.save_parts([("tag:nowhere,2021:x", "k", b"parts")])
    assert archive.load_parts({"tag:nowhere,2021:x": "k"}) == {}
    (entry_id,) = ids(archive, boe())
    archive.save_parts([(entry_id, "k", b"parts")])
    archive.prune(now=T0 + timedelta(days=400), retention_days=365)
    assert archive.get(entry_id) is None
    assert archive._conn.execute("SELECT count(*) FROM rendered_parts").fetchone()[0] == 0
