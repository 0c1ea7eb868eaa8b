"""render: Entry objects in, Atom/RSS/JSON Feed/HTML/OPML bytes out.

Entries are built by hand from briefs of the seed capture (business-and-tech-live.txt).
Golden files: ``UPDATE_GOLDEN=1 pytest tests/test_render.py`` rewrites tests/fixtures/render/.
"""

from __future__ import annotations

import html
import json
import os
import re
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedgen.entry
import feedgen.feed
import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from feedsvc import render as rendering
from feedsvc.errors import RenderError
from feedsvc.model import (
    Brief,
    Contact,
    Entry,
    FeedSpec,
    FeedSummary,
    RelatedLink,
    Site,
    Topic,
)
from feedsvc.render import entry_content_html, feed_url, render_feed, render_index, render_opml

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
GOLDEN = Path(__file__).parent / "fixtures" / "render"
CST = timezone(timedelta(hours=8))
HUB = "https://pubsubhubbub.appspot.com/"
PAGE = "https://www.caixinglobal.com/business-and-tech-live/"

SITE = Site(
    title="Caixin CX Live",
    base_url="https://feeds.example.org/cx/",
    page_url=PAGE,
    hubs=(HUB,),
)
ALL = FeedSpec("all", "all", "Everything", "Every brief of the CX live page")
EV = FeedSpec("topic", "ev", "Electric vehicles", "Briefs about electric cars")
DING_YI = FeedSpec("reporter", "ding-yi", "Ding Yi", "Briefs by Ding Yi")
BIG_TECH = FeedSpec("custom", "big-tech", "big tech deals", "Deals of the tech giants")
SECTION = Topic("business-and-tech", "Business & Tech")
EV_TOPIC = Topic("ev", "Electric vehicles")


def at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2021, 1, day, hour, minute, tzinfo=CST)


def make_entry(
    key: str = "boe",
    *,
    title: str = "BOE Plans to Raise $3 Billion for New AMOLED Line",
    authors: tuple[str, ...] = ("Ding Yi",),
    published: datetime | None = None,
    updated: datetime | None = None,
    paragraphs: tuple[str, ...] = (
        "Chinese display panel maker BOE Technology has announced plans to raise as much as "
        "20 billion yuan ($3 billion) by selling shares to a group of investors.",
        "About 35% of the capital raised will be used to build a new production line in Chongqing.",
    ),
    captions: tuple[str, ...] = (),
    contacts: tuple[Contact, ...] = (Contact("reporter", "Ding Yi", "dingyi@caixin.com"),),
    related: tuple[RelatedLink, ...] = (
        RelatedLink(
            "Display-Maker BOE Seals $1.1 Billion Deal to Buy 35% of Smaller Rival",
            "https://www.caixinglobal.com/2020-12-08/boe-deal.html",
        ),
    ),
    full_story_url: str | None = None,
    topics: tuple[Topic, ...] = (SECTION,),
    page_url: str = PAGE,
    entry_id: str | None = None,
) -> Entry:
    published = published or at(19, 18, 27)
    brief = Brief(
        title=title,
        title_source="derived",
        authors=authors,
        published_at=published,
        section="Business & Tech",
        paragraphs=paragraphs,
        captions=captions,
        contacts=contacts,
        related=related,
        full_story_url=full_story_url,
        byline=f"{' and '.join(authors)} / Jan 19, 2021 / Business & Tech",
    )
    return Entry(
        id=entry_id or f"tag:feeds.example.org,2021:cx-live/{key}",
        brief=brief,
        page_url=page_url,
        first_seen_at=published,
        updated_at=updated or published,
        content_hash=f"sha256:{key}",
        topics=topics,
    )


def seed_entries() -> list[Entry]:
    """Three briefs of the seed page, newest first; the Tesla one was edited after the others."""
    return [
        make_entry(),
        make_entry(
            "kuaishou",
            title="Kuaishou Could List in Hong Kong as Early as Feb 5",
            authors=("Anniek Bao",),
            published=at(19, 15, 26),
            paragraphs=(
                "The TikTok-like Kuaishou could be preparing to list on the Hong Kong Stock "
                "Exchange as early as Feb 5, people close to the deal told Caixin.",
                "“It will be an important litmus test,” Michael Norris told Caixin.",
            ),
            contacts=(Contact("editor", "Marcus Ryder", "marcusryder@caixin.com"),),
            related=(
                RelatedLink("China’s Other TikTok-Like App Sensation Sprints Toward Hong Kong IPO"),
            ),
            full_story_url="https://www.caixinglobal.com/2021-01-19/kuaishou-ipo.html",
        ),
        make_entry(
            "tesla",
            title="Tesla Delivers First Shanghai-Made Model Y",
            published=at(19, 13, 17),
            updated=at(20, 9, 5),  # edited: newest updated_at, yet third in page order
            paragraphs=(
                "U.S. electric carmaker Tesla on Monday started delivering its first "
                "Shanghai-assembled Model Y sport utility vehicles to customers in China.",
            ),
            captions=("Photo: VCG", "Photo: VCG"),
            related=(
                RelatedLink(
                    "In Depth: Tesla Powers On as Rival Electric-Vehicle Makers Scramble",
                    "https://www.caixinglobal.com/2021-01-10/tesla.html",
                ),
            ),
            topics=(SECTION, EV_TOPIC),
        ),
    ]


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def fp(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


class _Html5Checker(HTMLParser):
    """Enough HTML5 validation for our own pages: doctype, nesting, no duplicate attributes."""

    VOID = frozenset({"meta", "link", "br", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.doctype = False
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"duplicate attribute in <{tag}>")
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack}")
        else:
            self.stack.pop()


def check_html5(data: bytes) -> _Html5Checker:
    checker = _Html5Checker()
    checker.feed(data.decode("utf-8"))
    checker.close()
    assert checker.doctype, "missing <!DOCTYPE html>"
    assert checker.errors == []
    assert checker.stack == []
    assert [t for t, _ in checker.tags][:3] == ["html", "head", "meta"]
    assert ("meta", {"charset": "utf-8"}) in checker.tags
    return checker


def all_outputs(files: dict[str, bytes]) -> bytes:
    return b"\n".join(files.values())


# --------------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "spec", "expected"),
    [
        ("https://feeds.example.org/cx/", EV, "https://feeds.example.org/cx/topics/ev/atom.xml"),
        ("https://feeds.example.org/cx", EV, "https://feeds.example.org/cx/topics/ev/atom.xml"),
        ("https://feeds.example.org/cx//", ALL, "https://feeds.example.org/cx/atom.xml"),
        (
            "https://feeds.example.org/",
            DING_YI,
            "https://feeds.example.org/reporters/ding-yi/atom.xml",
        ),
    ],
)
def test_feed_url_joins_base_folder_and_file_without_double_slashes(
    base: str, spec: FeedSpec, expected: str
) -> None:
    assert feed_url(spec, replace(SITE, base_url=base), "atom.xml") == expected


# --------------------------------------------------------------------------------------------
# The files of a feed
# --------------------------------------------------------------------------------------------


def test_sub_feed_gets_atom_rss_json_and_page() -> None:
    assert sorted(render_feed(EV, seed_entries(), SITE)) == [
        "atom.xml",
        "feed.json",
        "index.html",
        "rss.xml",
    ]


def test_top_feed_leaves_index_html_to_the_site_index() -> None:
    assert sorted(render_feed(ALL, seed_entries(), SITE)) == ["atom.xml", "feed.json", "rss.xml"]


def test_atom_entries_keep_the_given_newest_first_order() -> None:
    entries = seed_entries()
    parsed = fp(render_feed(EV, entries, SITE)["atom.xml"])
    assert [e.id for e in parsed.entries] == [e.id for e in entries]
    assert [e.title for e in parsed.entries] == [e.brief.title for e in entries]


def test_rss_items_keep_the_given_newest_first_order() -> None:
    entries = seed_entries()
    parsed = fp(render_feed(EV, entries, SITE)["rss.xml"])
    assert [e.id for e in parsed.entries] == [e.id for e in entries]
    assert [e.title for e in parsed.entries] == [e.brief.title for e in entries]


def test_entry_link_is_the_full_story_else_the_page_scrolled_to_the_brief() -> None:
    files = render_feed(EV, seed_entries(), SITE)
    expected = [
        PAGE + "#:~:text=Chinese%20display%20panel%20maker%20BOE%20Technology%20has%20announced",
        "https://www.caixinglobal.com/2021-01-19/kuaishou-ipo.html",
        PAGE + "#:~:text=U.S.%20electric%20carmaker%20Tesla%20on%20Monday%20started%20delivering",
    ]
    for name in ("atom.xml", "rss.xml"):
        assert [e.link for e in fp(files[name]).entries] == expected
    assert [i["url"] for i in json.loads(files["feed.json"])["items"]] == expected


def test_atom_author_has_the_reporter_contact_email() -> None:
    parsed = fp(render_feed(EV, seed_entries(), SITE)["atom.xml"])
    assert parsed.entries[0].authors == [{"name": "Ding Yi", "email": "dingyi@caixin.com"}]
    # Anniek Bao has no reporter contact; the editor's e-mail is not hers
    assert parsed.entries[1].authors == [{"name": "Anniek Bao"}]


def test_rss_names_authors_with_dc_creator_only() -> None:
    rss = render_feed(EV, seed_entries(), SITE)["rss.xml"]
    items = parse_xml(rss).findall("channel/item")
    assert [[c.text for c in i.findall(f"{DC}creator")] for i in items] == [
        ["Ding Yi"],
        ["Anniek Bao"],
        ["Ding Yi"],
    ]
    assert all(i.find("author") is None for i in items)  # RSS <author> must be an e-mail
    assert [e.author for e in fp(rss).entries] == ["Ding Yi", "Anniek Bao", "Ding Yi"]


def test_several_authors_are_listed_in_byline_order() -> None:
    entry = make_entry(authors=("Qian Tong", "Yuan Ruiyang", "Han Wei"), contacts=())
    files = render_feed(EV, [entry], SITE)
    names = ["Qian Tong", "Yuan Ruiyang", "Han Wei"]
    assert [a["name"] for a in fp(files["atom.xml"]).entries[0].authors] == names
    assert [a["name"] for a in fp(files["rss.xml"]).entries[0].authors] == names
    assert [a["name"] for a in json.loads(files["feed.json"])["items"][0]["authors"]] == names


def test_entry_without_byline_author_is_credited_to_the_site() -> None:
    files = render_feed(EV, [make_entry(authors=(), contacts=())], SITE)
    assert fp(files["atom.xml"]).entries[0].authors == [{"name": "Caixin CX Live"}]
    assert fp(files["rss.xml"]).entries[0].author == "Caixin CX Live"
    assert json.loads(files["feed.json"])["items"][0]["authors"] == [{"name": "Caixin CX Live"}]


def test_editors_are_atom_contributors() -> None:
    entry = make_entry(
        contacts=(
            Contact("reporter", "Han Wei", None),
            Contact("editor", "Bob Simison", "bobsimison@caixin.com"),
        )
    )
    parsed = fp(render_feed(EV, [entry], SITE)["atom.xml"])
    assert parsed.entries[0].contributors == [
        {"name": "Bob Simison", "email": "bobsimison@caixin.com"}
    ]


def test_categories_are_section_and_topics_in_every_format() -> None:
    files = render_feed(EV, seed_entries(), SITE)
    atom = parse_xml(files["atom.xml"])
    tesla = atom.findall(f"{ATOM}entry")[2]
    assert [(c.get("term"), c.get("label")) for c in tesla.findall(f"{ATOM}category")] == [
        ("business-and-tech", "Business & Tech"),
        ("ev", "Electric vehicles"),
    ]
    rss_tags = fp(files["rss.xml"]).entries[2].tags
    assert [t.term for t in rss_tags] == ["Business & Tech", "Electric vehicles"]
    assert json.loads(files["feed.json"])["items"][2]["tags"] == [
        "Business & Tech",
        "Electric vehicles",
    ]


def test_section_is_the_category_when_no_topics_were_given() -> None:
    atom = parse_xml(render_feed(EV, [make_entry(topics=())], SITE)["atom.xml"])
    category = atom.find(f"{ATOM}entry/{ATOM}category")
    assert (category.get("term"), category.get("label")) == ("business-tech", "Business & Tech")


def test_published_and_updated_come_from_the_entry() -> None:
    files = render_feed(EV, seed_entries(), SITE)
    tesla = fp(files["atom.xml"]).entries[2]
    assert (tesla.published, tesla.updated) == (
        "2021-01-19T13:17:00+08:00",
        "2021-01-20T09:05:00+08:00",
    )
    assert fp(files["rss.xml"]).entries[2].published == "Tue, 19 Jan 2021 13:17:00 +0800"
    item = json.loads(files["feed.json"])["items"][2]
    assert (item["date_published"], item["date_modified"]) == (
        "2021-01-19T13:17:00+08:00",
        "2021-01-20T09:05:00+08:00",
    )


def test_page_link_escapes_what_a_text_directive_reserves() -> None:
    link = rendering._page_link(PAGE, "Sino-U.S. talks, A&B resume in Hong Kong today")
    assert link == PAGE + (
        "#:~:text=Sino%2DU.S.%20talks%2C%20A%26B%20resume%20in%20Hong%20Kong%20today"
    )
    assert rendering._page_link(PAGE + "#top", "Lead text.") == PAGE + "#top"
    assert rendering._page_link(PAGE, "") == PAGE


def test_rss_guid_is_the_entry_id_and_not_a_permalink() -> None:
    rss = render_feed(EV, seed_entries(), SITE)["rss.xml"]
    guids = parse_xml(rss).findall("channel/item/guid")
    assert [(g.text, g.get("isPermaLink")) for g in guids] == [
        (e.id, "false") for e in seed_entries()
    ]
    assert all(e.guidislink is False for e in fp(rss).entries)


def test_summary_is_the_lead_paragraph_after_a_question_subheading() -> None:
    entry = make_entry(
        paragraphs=(
            "What’s trending?",
            "A hashtag about a Shenzhen rice noodle shop drew 300 million views on Weibo.",
            "What’s the story?",
            "The shop closed after a rent dispute.",
        )
    )
    files = render_feed(EV, [entry], SITE)
    lead = "A hashtag about a Shenzhen rice noodle shop drew 300 million views on Weibo."
    assert fp(files["atom.xml"]).entries[0].summary == lead
    assert fp(files["rss.xml"]).entries[0].summary == lead
    assert json.loads(files["feed.json"])["items"][0]["summary"] == lead


def test_content_has_paragraphs_first_caption_contacts_related_and_full_story() -> None:
    entry = make_entry(
        paragraphs=("Beijing has stepped up efforts to regulate China’s tech giants.",),
        captions=("Photo: IC", "Photo: IC"),
        contacts=(
            Contact("reporter", "Han Wei", "hanwei@caixin.com"),
            Contact("editor", "Bob Simison", None),
        ),
        related=(
            RelatedLink("China Applies Closer Scrutiny", "https://www.caixinglobal.com/a.html"),
            RelatedLink("A headline whose link was lost"),
        ),
        full_story_url="https://www.caixinglobal.com/2021-01-11/full.html",
    )
    rel = 'rel="noopener noreferrer nofollow"'
    assert entry_content_html(entry) == (
        "<p>Beijing has stepped up efforts to regulate China’s tech giants.</p>\n"
        "<p><em>Photo: IC</em></p>\n"
        f'<p>Contact reporter <a href="mailto:hanwei@caixin.com" {rel}>Han Wei</a>'
        " and editor Bob Simison</p>\n"
        "<p>Related:</p>\n"
        f'<ul><li><a href="https://www.caixinglobal.com/a.html" {rel}>China Applies Closer '
        "Scrutiny</a></li><li>A headline whose link was lost</li></ul>\n"
        f'<p><a href="https://www.caixinglobal.com/2021-01-11/full.html" {rel}>'
        "Read the full story</a></p>"
    )


def test_content_treats_page_text_as_text() -> None:
    entry = make_entry(paragraphs=("Use <b>bold</b> & <i>tags</i>",), related=(), contacts=())
    assert entry_content_html(entry) == (
        "<p>Use &lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;tags&lt;/i&gt;</p>"
    )


def test_atom_carries_every_element_rfc_4287_requires() -> None:
    atom = parse_xml(render_feed(EV, seed_entries(), SITE)["atom.xml"])
    for tag in ("id", "title", "updated"):
        assert atom.findtext(f"{ATOM}{tag}"), tag
    assert atom.find(f"{ATOM}author/{ATOM}name").text == "Caixin CX Live"
    for entry in atom.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{tag}"), tag
        assert entry.find(f"{ATOM}author/{ATOM}name") is not None
        assert entry.find(f"{ATOM}content").get("type") == "html"
        # feedgen 1.0 drops rel/type of entry links; no rel means rel="alternate" (RFC 4287)
        links = entry.findall(f"{ATOM}link")
        assert [ln.get("rel", "alternate") for ln in links] == ["alternate"]


def test_feed_id_is_the_feeds_own_atom_url() -> None:
    atom = parse_xml(render_feed(EV, seed_entries(), SITE)["atom.xml"])
    assert atom.findtext(f"{ATOM}id") == "https://feeds.example.org/cx/topics/ev/atom.xml"


@pytest.mark.parametrize(
    ("spec", "title"),
    [(ALL, "Caixin CX Live"), (EV, "Caixin CX Live — Electric vehicles")],
)
def test_feed_title_is_site_title_plus_feed_title(spec: FeedSpec, title: str) -> None:
    files = render_feed(spec, seed_entries(), SITE)
    assert fp(files["atom.xml"]).feed.title == title
    assert fp(files["rss.xml"]).feed.title == title
    assert json.loads(files["feed.json"])["title"] == title


def test_feed_description_language_and_generator() -> None:
    files = render_feed(EV, seed_entries(), SITE)
    atom = fp(files["atom.xml"]).feed
    rss = fp(files["rss.xml"]).feed
    assert atom.subtitle == rss.description == "Briefs about electric cars"
    assert atom.language == rss.language == "en"
    assert atom.generator == rss.generator == "feedsvc"


def test_rss_channel_link_is_the_page_not_the_self_url() -> None:
    channel = parse_xml(render_feed(EV, seed_entries(), SITE)["rss.xml"]).find("channel")
    assert channel.findtext("link") == PAGE


def test_atom_has_self_hub_and_alternate_links() -> None:
    atom = parse_xml(render_feed(EV, seed_entries(), SITE)["atom.xml"])
    links = [(ln.get("rel"), ln.get("href")) for ln in atom.findall(f"{ATOM}link")]
    assert links == [
        ("self", "https://feeds.example.org/cx/topics/ev/atom.xml"),
        ("hub", HUB),
        ("alternate", PAGE),
    ]


def test_rss_has_atom_self_and_hub_links() -> None:
    channel = parse_xml(render_feed(EV, seed_entries(), SITE)["rss.xml"]).find("channel")
    links = [(ln.get("rel"), ln.get("href")) for ln in channel.findall(f"{ATOM}link")]
    assert links == [("self", "https://feeds.example.org/cx/topics/ev/atom.xml"), ("hub", HUB)]


def test_no_hub_links_without_hubs() -> None:
    files = render_feed(EV, seed_entries(), replace(SITE, hubs=()))
    assert b'rel="hub"' not in files["atom.xml"] + files["rss.xml"]
    assert "hubs" not in json.loads(files["feed.json"])


def test_feed_updated_is_the_newest_entry_update_not_the_first_entry() -> None:
    files = render_feed(EV, seed_entries(), SITE)  # the third entry was edited last
    assert fp(files["atom.xml"]).feed.updated == "2021-01-20T09:05:00+08:00"
    channel = parse_xml(files["rss.xml"]).find("channel")
    assert channel.findtext("lastBuildDate") == "Wed, 20 Jan 2021 09:05:00 +0800"
    assert channel.findtext("pubDate") == "Wed, 20 Jan 2021 09:05:00 +0800"


def test_empty_feed_is_dated_empty_updated() -> None:
    files = render_feed(EV, [], SITE, empty_updated=at(18, 6, 0))
    atom = fp(files["atom.xml"])
    assert (atom.feed.updated, len(atom.entries)) == ("2021-01-18T06:00:00+08:00", 0)
    assert parse_xml(files["rss.xml"]).findtext("channel/lastBuildDate") == (
        "Mon, 18 Jan 2021 06:00:00 +0800"
    )
    assert json.loads(files["feed.json"])["items"] == []


def test_empty_feed_without_empty_updated_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="topics/ev"):
        render_feed(EV, [], SITE)


def test_naive_datetime_is_a_render_error() -> None:
    entry = make_entry(updated=datetime(2021, 1, 19, 18, 27))
    with pytest.raises(RenderError, match="aware"):
        render_feed(EV, [entry], SITE)


def test_rendering_twice_gives_identical_bytes() -> None:
    assert render_feed(EV, seed_entries(), SITE) == render_feed(EV, seed_entries(), SITE)


class _FutureClockMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, datetime)


class _FutureClock(metaclass=_FutureClockMeta):
    """Stands in for feedgen's ``datetime``: ``now()`` is far in the future."""

    @staticmethod
    def now(tz: Any = None) -> datetime:
        return datetime(2099, 12, 31, 23, 59, tzinfo=tz or UTC)


@pytest.mark.parametrize("entries", [seed_entries(), []], ids=["entries", "empty"])
def test_output_does_not_depend_on_the_wall_clock(
    monkeypatch: pytest.MonkeyPatch, entries: list[Entry]
) -> None:
    before = render_feed(EV, entries, SITE, empty_updated=at(18, 6, 0))
    monkeypatch.setattr(feedgen.feed, "datetime", _FutureClock)
    monkeypatch.setattr(feedgen.entry, "datetime", _FutureClock)
    after = render_feed(EV, entries, SITE, empty_updated=at(18, 6, 0))
    assert after == before
    assert b"2099" not in all_outputs(after)


def test_equal_entries_in_other_utc_offsets_keep_their_own_offsets() -> None:
    beijing = make_entry()
    utc = replace(
        beijing,
        brief=replace(beijing.brief, published_at=beijing.brief.published_at.astimezone(UTC)),
        updated_at=beijing.updated_at.astimezone(UTC),
    )
    assert utc == beijing  # same instants: equal, yet rendered in their own offsets
    render_feed(EV, [beijing], SITE)
    item = json.loads(render_feed(EV, [utc], SITE)["feed.json"])["items"][0]
    assert item["date_published"] == "2021-01-19T10:27:00+00:00"


# --------------------------------------------------------------------------------------------
# JSON Feed
# --------------------------------------------------------------------------------------------


def test_json_feed_has_the_top_level_fields_in_a_stable_order() -> None:
    document = json.loads(render_feed(EV, seed_entries(), SITE)["feed.json"])
    assert list(document) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "language",
        "authors",
        "hubs",
        "items",
    ]
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["home_page_url"] == PAGE
    assert document["feed_url"] == "https://feeds.example.org/cx/topics/ev/feed.json"
    assert document["hubs"] == [{"type": "WebSub", "url": HUB}]


def test_json_feed_items_have_id_content_and_the_documented_keys() -> None:
    items = json.loads(render_feed(EV, seed_entries(), SITE)["feed.json"])["items"]
    assert list(items[0]) == [
        "id",
        "url",
        "title",
        "content_html",
        "summary",
        "date_published",
        "date_modified",
        "authors",
        "tags",
    ]
    assert all(item["id"] and item["content_html"] for item in items)
    assert items[0]["authors"] == [{"name": "Ding Yi", "url": "mailto:dingyi@caixin.com"}]


def test_json_feed_is_indented_utf8_with_a_trailing_newline() -> None:
    data = render_feed(EV, seed_entries(), SITE)["feed.json"]
    assert data.startswith(b'{\n  "version": ')
    assert data.endswith(b"}\n")
    assert "China’s".encode() in data  # not \u2019
    assert b"<" not in data  # written as \u003c, so the file is inert if inlined into HTML


# --------------------------------------------------------------------------------------------
# Hostile input
# --------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTR = '" onmouseover="x'
CONTROLS = "".join(chr(c) for c in range(0x20) if c not in (9, 10, 13))
NASTY_TEXT = f"{SCRIPT}{ATTR} ]]> {CONTROLS}\ufffe\uffff\ud800 \u202eRTL\u200f 🚀 end"


def hostile_entry() -> Entry:
    return make_entry(
        "hostile",
        title=NASTY_TEXT,
        authors=(f"Ding{ATTR}", "\x00"),
        paragraphs=(NASTY_TEXT, "x" * 100_000, "<iframe src=//evil></iframe><style>*{}</style>"),
        captions=(NASTY_TEXT,),
        contacts=(
            Contact("reporter", f"Ding{ATTR}", 'x@y.com" onmouseover="x'),
            Contact("editor", SCRIPT, "javascript:alert(1)"),
        ),
        related=(
            RelatedLink(NASTY_TEXT, "javascript:alert(1)"),
            RelatedLink("data", "data:text/html;base64,PHNjcmlwdD4="),
            RelatedLink("attr", f"https://example.com/{ATTR}"),
            RelatedLink("spaced", " JaVaScRiPt:alert(1)"),
        ),
        full_story_url="javascript:alert(1)",
        page_url="javascript:alert(1)",
        topics=(Topic(f"ev{ATTR}", NASTY_TEXT),),
        entry_id=f"tag:example.org,2021:{NASTY_TEXT}",
    )


def hostile_site() -> Site:
    return replace(SITE, hubs=(HUB, "javascript:alert(1)"), title=f"CX {SCRIPT}")


@pytest.fixture(scope="module")
def hostile_files() -> dict[str, bytes]:
    return render_feed(EV, [hostile_entry()], hostile_site())


def test_hostile_input_gives_well_formed_feeds(hostile_files: dict[str, bytes]) -> None:
    for name in ("atom.xml", "rss.xml"):
        parse_xml(hostile_files[name])
        assert len(fp(hostile_files[name]).entries) == 1
    assert json.loads(hostile_files["feed.json"])["items"][0]["id"]
    check_html5(hostile_files["index.html"])


def test_hostile_input_publishes_no_script_or_javascript_url(
    hostile_files: dict[str, bytes],
) -> None:
    data = all_outputs(hostile_files).lower()
    assert b"<script" not in data
    assert b"javascript:" not in data
    assert b"data:text" not in data


def _embedded_html(files: dict[str, bytes]) -> list[str]:
    """Every HTML document or fragment inside the outputs, unescaped once."""
    atom = parse_xml(files["atom.xml"])
    rss = parse_xml(files["rss.xml"])
    fragments = [el.text or "" for el in atom.iter(f"{ATOM}content", f"{ATOM}summary")]
    fragments += [el.text or "" for el in rss.iter("description", "{*}encoded")]
    for item in json.loads(files["feed.json"])["items"]:
        fragments.append(item["content_html"])
    fragments.append(files["index.html"].decode("utf-8"))
    return fragments


def test_hostile_input_publishes_no_active_markup(hostile_files: dict[str, bytes]) -> None:
    for fragment in _embedded_html(hostile_files):
        if not fragment.strip():
            continue
        if fragment.startswith("<!DOCTYPE html>"):
            tree = lxml_html.document_fromstring(fragment)
        else:
            tree = lxml_html.fragment_fromstring(fragment, create_parent="div")
        for element in tree.iter():
            if element.tag == "style" and element.getparent().tag == "head":
                continue  # our own page's CSS
            assert element.tag not in ("script", "style", "iframe", "form", "object", "embed")
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (element.tag, name)
                if name in ("href", "src"):
                    assert value.startswith(("https://", "http://", "mailto:")) or not re.match(
                        r"^[a-z][a-z0-9+.-]*:", value
                    ), value


def test_hostile_urls_are_dropped(hostile_files: dict[str, bytes]) -> None:
    item = json.loads(hostile_files["feed.json"])["items"][0]
    # full story and page URL both refused: the site's page, the lead quoted percent-encoded
    assert item["url"].startswith(PAGE + "#:~:text=%3Cscript%3Ealert")
    assert set(item["url"][len(PAGE) :]) <= set(string.ascii_letters + string.digits + "#:~=%._")
    assert "href" not in item["content_html"].split("Related:")[1]
    hubs = parse_xml(hostile_files["rss.xml"]).findall(f"channel/{ATOM}link[@rel='hub']")
    assert [h.get("href") for h in hubs] == [HUB]


def test_xml_invalid_characters_are_removed_and_the_rest_kept(
    hostile_files: dict[str, bytes],
) -> None:
    title = fp(hostile_files["atom.xml"]).entries[0].title
    assert not set(title) & set(CONTROLS + "\ufffe\uffff")
    assert title == f'{SCRIPT}" onmouseover="x ]]> \u202eRTL\u200f 🚀 end'
    assert json.loads(hostile_files["feed.json"])["items"][0]["title"] == title


def test_cdata_terminator_in_text_survives_as_text() -> None:
    entry = make_entry(title="a ]]> b", paragraphs=("x ]]> y",))
    files = render_feed(EV, [entry], SITE)
    for name in ("atom.xml", "rss.xml"):
        parsed = fp(files[name])
        assert parsed.entries[0].title == "a ]]> b"
        assert html.unescape(parsed.entries[0].summary) == "x ]]> y"  # summary is HTML


def test_a_100_kb_paragraph_is_kept_whole() -> None:
    paragraph = "word " * 20_000
    entry = make_entry(paragraphs=(paragraph,))
    parsed = fp(render_feed(EV, [entry], SITE)["atom.xml"])
    assert parsed.entries[0].summary == paragraph.strip()


def test_empty_title_falls_back_to_the_lead() -> None:
    entry = make_entry(title="\x00 \n", paragraphs=("Tesla cut its prices " * 10,))
    title = fp(render_feed(EV, [entry], SITE)["atom.xml"]).entries[0].title
    assert title.startswith("Tesla cut its prices")
    assert title.endswith("…")
    assert len(title) <= 81


_any_text = st.text(st.characters(exclude_categories=()), max_size=60)


@settings(max_examples=50, derandomize=True, deadline=None)
@given(
    title=_any_text,
    paragraph=_any_text,
    author=_any_text,
    caption=_any_text,
    related=_any_text,
)
def test_any_text_gives_well_formed_outputs(
    title: str, paragraph: str, author: str, caption: str, related: str
) -> None:
    entry = make_entry(
        title=title,
        authors=(author,),
        paragraphs=(paragraph,),
        captions=(caption,),
        contacts=(Contact("reporter", author, None),),
        related=(RelatedLink(related, "https://www.caixinglobal.com/r.html"),),
    )
    files = render_feed(EV, [entry], SITE)
    for name in ("atom.xml", "rss.xml"):
        parse_xml(files[name])
        assert len(fp(files[name]).entries) == 1
    assert json.loads(files["feed.json"])["items"][0]["title"]
    check_html5(files["index.html"])


# --------------------------------------------------------------------------------------------
# The feed's own page
# --------------------------------------------------------------------------------------------


def test_feed_page_has_autodiscovery_links_with_absolute_urls() -> None:
    checker = check_html5(render_feed(EV, seed_entries(), SITE)["index.html"])
    alternates = [
        (a["type"], a["href"])
        for tag, a in checker.tags
        if tag == "link" and a.get("rel") == "alternate"
    ]
    assert alternates == [
        ("application/atom+xml", "https://feeds.example.org/cx/topics/ev/atom.xml"),
        ("application/rss+xml", "https://feeds.example.org/cx/topics/ev/rss.xml"),
        ("application/feed+json", "https://feeds.example.org/cx/topics/ev/feed.json"),
    ]


def test_feed_page_has_relative_subscribe_links_and_a_way_back() -> None:
    page = lxml_html.fromstring(render_feed(EV, seed_entries(), SITE)["index.html"])
    hrefs = page.xpath("//header//a/@href")
    assert hrefs == ["../../index.html", "atom.xml", "rss.xml", "feed.json"]
    assert page.findtext(".//title") == "Caixin CX Live — Electric vehicles"
    assert page.findtext(".//h1") == "Caixin CX Live — Electric vehicles"
    assert "Briefs about electric cars" in page.xpath("string(//header)")


def test_feed_page_lists_the_entries() -> None:
    page = lxml_html.fromstring(render_feed(EV, seed_entries(), SITE)["index.html"])
    articles = page.findall(".//article")
    assert [a.xpath("string(h2)") for a in articles] == [e.brief.title for e in seed_entries()]
    first = articles[0]
    assert first.find("h2/a").get("href") == PAGE + (
        "#:~:text=Chinese%20display%20panel%20maker%20BOE%20Technology%20has%20announced"
    )
    time = first.find(".//time")
    assert time.get("datetime") == "2021-01-19T18:27:00+08:00"
    assert time.text == "Jan 19, 2021 06:27 PM Beijing time"
    assert "Ding Yi" in first.xpath("string(p[@class='meta'])")
    assert first.findall("p")[1].text.startswith("Chinese display panel maker BOE")


def test_feed_page_does_not_repeat_a_title_made_from_the_lead() -> None:
    title = "Chinese display panel maker BOE Technology has announced plans to raise as much…"
    entry = make_entry(title=title)
    page = lxml_html.fromstring(render_feed(EV, [entry], SITE)["index.html"])
    (article,) = page.findall(".//article")
    assert article.xpath("string(h2)") == title
    assert article.findall("p")[1].text == (
        "…as 20 billion yuan ($3 billion) by selling shares to a group of investors."
    )


def test_feed_page_of_an_empty_feed_says_so() -> None:
    page = render_feed(EV, [], SITE, empty_updated=at(18, 6, 0))["index.html"]
    check_html5(page)
    assert b"No entries yet." in page


# --------------------------------------------------------------------------------------------
# Site index and OPML
# --------------------------------------------------------------------------------------------


def summaries() -> list[FeedSummary]:
    return [
        FeedSummary(EV, 1, at(20, 9, 5)),
        FeedSummary(BIG_TECH, 0, None),
        FeedSummary(DING_YI, 2, at(20, 9, 5)),
        FeedSummary(ALL, 3, at(20, 9, 5)),
        FeedSummary(FeedSpec("topic", "ai", "AI", "Artificial intelligence"), 5, at(19, 1, 2)),
        FeedSummary(
            FeedSpec("topic", "batteries", "batteries", "Cells and packs"), 2, at(19, 8, 0)
        ),
        FeedSummary(FeedSpec("reporter", "anniek-bao", "Anniek Bao", "By her"), 1, at(19, 15, 26)),
    ]


def test_index_lists_every_feed_by_kind_and_title() -> None:
    page = lxml_html.fromstring(render_index(summaries(), SITE))
    groups = [
        (s.findtext("h2"), [li.xpath("string(h3)") for li in s.findall(".//li")])
        for s in page.findall(".//section")
    ]
    assert groups == [
        ("All", ["Everything"]),
        ("Topics", ["AI", "batteries", "Electric vehicles"]),  # case-insensitive
        ("Reporters", ["Anniek Bao", "Ding Yi"]),
        ("Custom feeds", ["big tech deals"]),
    ]


def test_index_links_are_relative() -> None:
    page = lxml_html.fromstring(render_index(summaries(), SITE))
    ev = next(li for li in page.iter("li") if li.xpath("string(h3)") == "Electric vehicles")
    assert ev.xpath(".//a/@href") == [
        "topics/ev/index.html",
        "topics/ev/atom.xml",
        "topics/ev/rss.xml",
        "topics/ev/feed.json",
    ]
    top = next(li for li in page.iter("li") if li.xpath("string(h3)") == "Everything")
    assert top.xpath(".//a/@href") == ["atom.xml", "rss.xml", "feed.json"]
    assert "feeds.opml" in page.xpath("//a/@href")


def test_index_shows_counts_and_last_update() -> None:
    page = lxml_html.fromstring(render_index(summaries(), SITE))
    counts = {
        li.xpath("string(h3)"): li.xpath("string(p[@class='count'])") for li in page.iter("li")
    }
    assert counts["Ding Yi"] == "2 entries · last update Jan 20, 2021 09:05 AM Beijing time"
    assert counts["Electric vehicles"].startswith("1 entry · ")
    assert counts["big tech deals"] == "0 entries · no entries yet"
    times = page.xpath("//li[h3='Ding Yi']//time/@datetime")
    assert times == ["2021-01-20T09:05:00+08:00"]


def test_index_has_autodiscovery_for_the_main_feed() -> None:
    checker = check_html5(render_index(summaries(), SITE))
    alternates = [a["href"] for t, a in checker.tags if t == "link" and a["rel"] == "alternate"]
    assert alternates == [
        "https://feeds.example.org/cx/atom.xml",
        "https://feeds.example.org/cx/rss.xml",
        "https://feeds.example.org/cx/feed.json",
    ]


def test_index_is_deterministic() -> None:
    assert render_index(summaries(), SITE) == render_index(list(reversed(summaries())), SITE)


def test_opml_lists_every_feed_with_absolute_urls() -> None:
    root = parse_xml(render_opml(summaries(), SITE))
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Caixin CX Live"
    groups = root.findall("body/outline")
    assert [g.get("text") for g in groups] == ["All", "Topics", "Reporters", "Custom feeds"]
    feeds = [o for g in groups for o in g.findall("outline")]
    assert len(feeds) == len(summaries())
    assert all(o.get("type") == "rss" for o in feeds)
    ev = next(o for o in feeds if o.get("title") == "Caixin CX Live — Electric vehicles")
    assert ev.get("text") == ev.get("title")
    assert ev.get("xmlUrl") == "https://feeds.example.org/cx/topics/ev/atom.xml"
    assert ev.get("htmlUrl") == "https://feeds.example.org/cx/topics/ev/index.html"


def test_opml_date_modified_is_the_newest_update_or_absent() -> None:
    root = parse_xml(render_opml(summaries(), SITE))
    assert root.findtext("head/dateModified") == "Wed, 20 Jan 2021 09:05:00 +0800"
    empty = parse_xml(render_opml([FeedSummary(BIG_TECH, 0, None)], SITE))
    assert empty.find("head/dateModified") is None


# --------------------------------------------------------------------------------------------
# Per-entry output, made once per process and spliced into every feed the entry is in
# --------------------------------------------------------------------------------------------


def feedgen_documents(spec: FeedSpec, entries: list[Entry], site: Site) -> tuple[bytes, bytes]:
    """What feedgen itself writes with every entry added to the generator: the reference the
    spliced documents must equal byte for byte."""
    hubs = tuple(dict.fromkeys(h for h in (rendering.safe_url(h) for h in site.hubs) if h))
    fg = rendering._feed_generator(spec, site, max(e.updated_at for e in entries), hubs)
    for entry in entries:
        item = rendering._build_item(entry, site.title, site.page_url)
        fg.add_entry(rendering._feed_entry(item), order="append")
    return fg.atom_str(pretty=True), fg.rss_str(pretty=True)


def json_dumps_reference(data: bytes) -> bytes:
    """feed.json as ``json.dumps(indent=2)`` writes the same document, plus the HTML-safe
    escapes: the reference for the hand-indented JSON."""
    text = json.dumps(json.loads(data), ensure_ascii=False, indent=2)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (text + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("entries", "site"),
    [
        (seed_entries(), SITE),
        ([hostile_entry(), *seed_entries()], hostile_site()),
        ([make_entry(paragraphs=("Line one\nline two\n", "  spaced  "))], replace(SITE, hubs=())),
    ],
    ids=["seed", "hostile", "newlines"],
)
def test_spliced_feeds_are_what_feedgen_writes_with_the_entries_added(
    entries: list[Entry], site: Site
) -> None:
    rendering._PARTS.clear()
    files = render_feed(EV, entries, site)
    assert (files["atom.xml"], files["rss.xml"]) == feedgen_documents(EV, entries, site)
    assert files["feed.json"] == json_dumps_reference(files["feed.json"])


@settings(max_examples=40, derandomize=True, deadline=None)
@given(title=_any_text, paragraph=_any_text, author=_any_text, related=_any_text)
def test_any_text_splices_to_what_feedgen_and_json_dumps_write(
    title: str, paragraph: str, author: str, related: str
) -> None:
    entry = make_entry(
        title=title,
        authors=(author,),
        paragraphs=(paragraph, "second paragraph"),
        contacts=(Contact("reporter", author, "a@b.cn"), Contact("editor", related, None)),
        related=(RelatedLink(related, "https://www.caixinglobal.com/r.html"),),
        topics=(Topic("t", title), SECTION),
    )
    entries = [entry, *seed_entries()[:2]]
    files = render_feed(EV, entries, SITE)
    assert (files["atom.xml"], files["rss.xml"]) == feedgen_documents(EV, entries, SITE)
    assert files["feed.json"] == json_dumps_reference(files["feed.json"])


def test_empty_feed_json_matches_json_dumps() -> None:
    data = render_feed(EV, [], SITE, empty_updated=at(18, 6, 0))["feed.json"]
    assert data == json_dumps_reference(data)
    assert b'"items": []' in data


def test_cached_entries_give_the_same_bytes_as_fresh_ones() -> None:
    entries = seed_entries()
    rendering._PARTS.clear()
    fresh = {spec.key: render_feed(spec, entries, SITE) for spec in (EV, DING_YI)}
    assert len(rendering._PARTS) == len(entries)  # each entry made once for both feeds
    cached = {spec.key: render_feed(spec, entries[::-1], SITE) for spec in (DING_YI, EV)}
    rendering._PARTS.clear()
    fresh_reversed = {spec.key: render_feed(spec, entries[::-1], SITE) for spec in (DING_YI, EV)}
    assert cached == fresh_reversed
    assert fresh != cached  # (the order did change)


def test_entry_cache_is_bounded_by_count_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [make_entry(f"e{i}", paragraphs=(f"Paragraph {i}. " * 20,)) for i in range(12)]
    small = rendering._LruCache(max_entries=5, max_bytes=10**9)
    monkeypatch.setattr(rendering, "_PARTS", small)
    files = render_feed(EV, entries, SITE)
    assert len(small) == 5
    assert render_feed(EV, entries, SITE) == files
    tight = rendering._LruCache(max_entries=100, max_bytes=30_000, max_item_bytes=10_000)
    monkeypatch.setattr(rendering, "_PARTS", tight)
    render_feed(EV, entries, SITE)
    assert 0 < len(tight) < len(entries)
    assert tight.bytes <= tight.max_bytes
    before = (len(tight), tight.bytes)
    render_feed(EV, [make_entry("huge", paragraphs=("word " * 20_000,))], SITE)
    assert (len(tight), tight.bytes) == before  # too big to keep: rebuilt when needed


# --------------------------------------------------------------------------------------------
# Golden files: the whole output of a small build, byte for byte
# --------------------------------------------------------------------------------------------


def golden_outputs() -> dict[str, bytes]:
    outputs = {f"ev.{name}": data for name, data in render_feed(EV, seed_entries(), SITE).items()}
    outputs["index.html"] = render_index(summaries(), SITE)
    outputs["feeds.opml"] = render_opml(summaries(), SITE)
    return outputs


@pytest.mark.parametrize("name", sorted(golden_outputs()))
def test_output_matches_golden_file(name: str) -> None:
    path = GOLDEN / name
    data = golden_outputs()[name]
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes()


# --------------------------------------------------------------------------------------------
# Fast paths: the same output as the general code they skip
# --------------------------------------------------------------------------------------------

_LINE_CHARS = st.sampled_from(
    ["a", "中", " ", "  ", "\t", "\n", "\r", "\xa0", "\u3000", "\u2028", "\x85", "\x00", "\ufffe"]
)


@given(st.lists(_LINE_CHARS, max_size=12).map("".join))
@settings(max_examples=500, deadline=None)
def test_clean_line_fast_path_matches_split_join(value: str) -> None:
    assert rendering.clean_line(value) == " ".join(rendering.clean_text(value).split())


@pytest.mark.parametrize(
    "entry",
    [
        make_entry(),
        make_entry(authors=(), topics=(), contacts=()),
        make_entry(
            "two",
            authors=("Ding Yi", "Han Wei"),
            title='<script>"quoted"</script>\u2028',
            topics=(SECTION, EV_TOPIC),
            contacts=(Contact("editor", "Han Wei", "hanwei@caixin.com"),),
        ),
    ],
)
def test_json_item_matches_generic_json_writer(entry: Entry) -> None:
    item = rendering._build_item(entry, SITE.title, SITE.page_url)
    generic: dict[str, Any] = {"id": item.id}
    if item.link:
        generic["url"] = item.link
    generic["title"] = item.title
    generic["content_html"] = item.content_html
    if item.summary:
        generic["summary"] = item.summary
    generic["date_published"] = item.published.isoformat()
    generic["date_modified"] = item.updated.isoformat()
    generic["authors"] = [
        {"name": a.name, "url": f"mailto:{a.email}"} if a.email else {"name": a.name}
        for a in item.authors
    ]
    if item.categories:
        generic["tags"] = list(dict.fromkeys(label for _, label in item.categories))
    assert rendering._json_item(item) == rendering._json_text(generic, 2).encode("utf-8")


class _DictStore:
    """A PartsStore in a dict, counting what it is asked."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, bytes]] = {}
        self.saved = 0

    def load_parts(self, keys: Any) -> dict[str, bytes]:
        return {i: row[1] for i, row in self.rows.items() if i in keys and keys[i] == row[0]}

    def save_parts(self, items: Any) -> None:
        for entry_id, key, blob in items:
            self.rows[entry_id] = (key, blob)
            self.saved += 1


def _no_building(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("an entry was rebuilt although its stored parts were valid")


def test_stored_parts_give_the_same_bytes_in_a_new_process_without_rebuilding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _DictStore()
    rendering._PARTS.clear()
    first = render_feed(EV, seed_entries(), SITE, parts_store=store)
    assert store.saved == len(seed_entries())
    rendering._PARTS.clear()  # what a new process starts with
    monkeypatch.setattr(rendering, "_build_item", _no_building)
    assert render_feed(EV, seed_entries(), SITE, parts_store=store) == first


def test_an_edited_entry_is_rebuilt_despite_its_stored_parts() -> None:
    store = _DictStore()
    rendering._PARTS.clear()
    entries = seed_entries()
    render_feed(EV, entries, SITE, parts_store=store)
    edited = replace(entries[0], brief=replace(entries[0].brief, paragraphs=("A corrected lead.",)))
    rendering._PARTS.clear()
    files = render_feed(EV, [edited, *entries[1:]], SITE, parts_store=store)
    assert b"A corrected lead." in files["atom.xml"]
    assert files == render_feed(EV, [edited, *entries[1:]], SITE)


def test_damaged_stored_parts_are_rebuilt() -> None:
    store = _DictStore()
    rendering._PARTS.clear()
    expected = render_feed(EV, seed_entries(), SITE, parts_store=store)
    for entry_id, (key, _) in list(store.rows.items()):
        store.rows[entry_id] = (key, b"not zlib")
    rendering._PARTS.clear()
    assert render_feed(EV, seed_entries(), SITE, parts_store=store) == expected
