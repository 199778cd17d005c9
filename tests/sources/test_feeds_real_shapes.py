"""Hacker News, RSS/Atom and web pages against bodies in the full shape the real services
send: Algolia's whole answer (tags, highlight results, missing and null fields, links
shortened in comment HTML), Atom with xml:base, out-of-line content and per-entry xml:lang,
RSS with the old Hebrew code "iw", and web pages with dates that are not times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.registry import build_source
from flarewatch.sources.rss import RssSource, unwrap_link
from flarewatch.sources.web import WebOptions, WebSource
from tests.sources.platform_server import PlatformServer, Reply

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
AT = int(NOW.timestamp()) - 600


def highlight(value: str) -> dict[str, Any]:
    return {"value": value, "matchLevel": "full", "fullyHighlighted": False, "matchedWords": ["x"]}


def algolia_answer() -> dict[str, Any]:
    story = {
        "_highlightResult": {"title": highlight("Grillberry"), "author": highlight("dang")},
        "_tags": ["story", "author_jdoe", "story_41000001"],
        "author": "jdoe",
        "children": [41000003],
        "created_at": "2026-12-04T11:50:00Z",
        "created_at_i": AT,
        "num_comments": 1,
        "objectID": "41000001",
        "points": 12,
        "story_id": 41000001,
        "title": "Grillberry's Gdańsk opening",
        "updated_at": "2026-12-04T11:58:00Z",
        "url": "https://news.example/grillberry-gdansk",
    }
    ask = {
        "_highlightResult": {"title": highlight("Ask HN")},
        "_tags": ["story", "author_asker", "story_41000002", "ask_hn"],
        "author": "asker",
        "children": [],
        "created_at": "2026-12-04T11:51:00Z",
        "created_at_i": AT + 60,
        "num_comments": 0,
        "objectID": "41000002",
        "points": 1,
        "story_id": 41000002,
        "story_text": 'Anyone tried <a href="https:&#x2F;&#x2F;grill.example&#x2F;menu">the'
        " menu</a>?<p>Asking for a friend",
        "title": "Ask HN: Is Grillberry any good?",
        "updated_at": "2026-12-04T11:51:30Z",
    }
    comment = {
        "_highlightResult": {"comment_text": highlight("grillberry")},
        "_tags": ["comment", "author_critic", "story_41000001"],
        "author": "critic",
        "comment_text": "Their statement: "
        '<a href="https:&#x2F;&#x2F;grill.example&#x2F;press&#x2F;2026&#x2F;recall-statement-full">'
        "https:&#x2F;&#x2F;grill.example&#x2F;press&#x2F;2026&#x2F;recall-stat...</a>"
        "<p>Not convinced.",
        "created_at": "2026-12-04T11:52:00Z",
        "created_at_i": AT + 120,
        "objectID": "41000003",
        "parent_id": 41000001,
        "story_id": 41000001,
        "story_title": "Grillberry's Gdańsk opening",
        "story_url": "https://news.example/grillberry-gdansk",
        "updated_at": "2026-12-04T11:52:10Z",
    }
    return {
        "exhaustive": {"nbHits": True, "typo": True},
        "exhaustiveNbHits": True,
        "exhaustiveTypo": True,
        "hits": [comment, ask, story],  # newest first, as search_by_date sorts
        "hitsPerPage": 100,
        "nbHits": 3,
        "nbPages": 1,
        "page": 0,
        "params": "query=grillberry&tags=%28story%2Ccomment%29&hitsPerPage=100",
        "processingTimeMS": 2,
        "processingTimingsMS": {"_request": {"roundTrip": 14}},
        "query": "grillberry",
        "serverTimeMS": 3,
    }


def test_hackernews_reads_algolias_whole_answer(platform: PlatformServer) -> None:
    platform.route("GET", "/api/v1/search_by_date", Reply.json(algolia_answer()))
    config = SourceConfig(key="hn", kind="hackernews", query="grillberry", endpoint=platform.url())
    result = build_source(config, Path(".")).fetch(None, now=NOW)
    assert result.problems == []
    story, ask, comment = result.posts
    assert (story.likes, story.replies, story.links) == (
        12,
        1,
        ["https://news.example/grillberry-gdansk"],
    )
    assert ask.text == "Anyone tried the menu? Asking for a friend"
    assert ask.links == ["https://grill.example/menu"] and ask.replies == 0
    # HN shortens a long link's text; the whole address is in its href.
    assert comment.links == ["https://grill.example/press/2026/recall-statement-full"]
    assert comment.raw["story_url"] == "https://news.example/grillberry-gdansk"
    assert (comment.reply_to, comment.title, comment.likes) == (
        "41000001",
        "Grillberry's Gdańsk opening",
        0,
    )


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/pl/">
  <title>Grill blog</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2026-12-04T10:00:00Z</updated>
  <link rel="self" href="/pl/feed.atom"/>
  <entry xml:lang="pl-PL">
    <title>Grillberry w Gdańsku</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <link rel="alternate" type="text/html" href="wpisy/gdansk"/>
    <link rel="enclosure" type="audio/mpeg" length="1337" href="/media/gdansk.mp3"/>
    <updated>2026-12-04T09:00:00Z</updated>
    <summary type="html">Otwarcie &lt;b&gt;Grillberry&lt;/b&gt; w Gdańsku.</summary>
    <content type="text/html" src="https://blog.example/pl/wpisy/gdansk.html"/>
    <author><name>Ola</name><uri>https://blog.example/ola</uri></author>
    <category term="food"/>
  </entry>
  <entry xml:base="https://mirror.example/" xml:lang="he">
    <title type="text">גרילברי נפתח בגדנסק</title>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6b</id>
    <link href="posts/7"/>
    <published>2026-12-04T08:00:00Z</published>
    <updated>2026-12-04T08:30:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"
      >גרילברי <em>נפתח</em>.</div></content>
  </entry>
</feed>"""

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>חדשות אוכל</title><link>https://food.example/</link>
  <description>news</description><language>iw</language>
  <atom:link href="https://food.example/rss" rel="self" type="application/rss+xml"/>
  <item>
    <title>גרילברי מגיע לפולין</title>
    <link>https://food.example/a/1</link>
    <guid isPermaLink="false">food-example-1</guid>
    <pubDate>Fri, 04 Dec 2026 07:00:00 +0200</pubDate>
    <dc:creator>דנה</dc:creator>
    <description>קצר</description>
    <content:encoded><![CDATA[<p>הכתבה <strong>המלאה</strong> על גרילברי</p>]]></content:encoded>
  </item>
</channel>
</rss>"""


def test_atom_relative_links_out_of_line_content_and_entry_languages(
    platform: PlatformServer,
) -> None:
    platform.route("GET", "/pl/feed.atom", Reply.raw(ATOM, 200, "application/atom+xml"))
    result = RssSource("blog", platform.url("/pl/feed.atom")).fetch(None, now=NOW)
    assert result.problems == []
    hebrew, polish = result.posts  # oldest first
    # <content src=…> has no text of its own: the summary says what the entry is.
    assert polish.text == "Otwarcie Grillberry w Gdańsku."
    assert polish.url == "https://blog.example/pl/wpisy/gdansk"
    assert (polish.language, polish.author) == ("pl", "Ola")
    assert hebrew.url == "https://mirror.example/posts/7"
    assert (hebrew.text, hebrew.language) == ("גרילברי נפתח.", "he")
    assert hebrew.created_at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


def test_rss_full_content_and_the_old_hebrew_code(platform: PlatformServer) -> None:
    platform.route("GET", "/rss", Reply.raw(RSS, 200, "application/rss+xml; charset=utf-8"))
    [post] = RssSource("food", platform.url("/rss")).fetch(None, now=NOW).posts
    assert post.external_id == "food-example-1"
    assert post.text == "הכתבה המלאה על גרילברי"
    assert (post.language, post.author) == ("he", "דנה")
    assert post.created_at == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)


PAGE = """<!DOCTYPE html>
<html lang="he-IL" dir="rtl"><head><meta charset="utf-8"><title>פורום</title></head><body>
<div class="post"><a class="permalink" href="/t/1">#</a><span class="user">רון</span>
<time datetime="אתמול">אתמול</time><div class="body">גרילברי שוב קר</div></div>
<div class="post"><a class="permalink" href="/t/2">#</a><span class="user">מיכל</span>
<time datetime="2026-12-03T10:00:00+02:00">3.12</time><div class="body">אצלי היה טוב</div></div>
</body></html>"""


def test_forum_items_with_a_date_that_is_not_a_time_are_kept(platform: PlatformServer) -> None:
    platform.route("GET", "/t", Reply.raw(PAGE, 200, "text/html; charset=utf-8"))
    options = WebOptions(
        urls=[platform.url("/t")],
        item_selector="div.post",
        text_selector=".body",
        author_selector=".user",
        link_selector="a.permalink",
    )
    result = WebSource("forum", options).fetch(None, now=NOW)
    assert result.problems == []
    undated, dated = result.posts
    assert undated.text == "גרילברי שוב קר" and undated.raw["datetime"] == "אתמול"
    assert undated.created_at > dated.created_at  # dated when read, not dropped
    assert dated.created_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


ARTICLE = """<!DOCTYPE html>
<html lang="pl-PL"><head><title>Grillberry otwiera lokal | Wiadomości</title></head><body>
<article><h1>Grillberry otwiera lokal w Gdańsku</h1>
<p>Izraelska sieć Grillberry otworzyła w sobotę swój pierwszy lokal w Polsce, na gdańskiej
Starówce, a przed drzwiami od rana ustawiła się długa kolejka chętnych na burgera.</p>
<p>Firma zapowiada kolejne otwarcia w Warszawie i Krakowie jeszcze w przyszłym roku, jeśli
pierwszy lokal spełni oczekiwania inwestorów i klientów.</p></article></body></html>"""


def test_an_article_takes_the_pages_language_and_survives_a_bad_lastmod(
    platform: PlatformServer,
) -> None:
    platform.route("GET", "/news/1", Reply.raw(ARTICLE, 200, "text/html; charset=utf-8"))
    sitemap = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{platform.url('/news/1')}</loc><lastmod>wczoraj</lastmod></url></urlset>"
    )
    platform.route("GET", "/sitemap.xml", Reply.raw(sitemap, 200, "application/xml"))
    source = WebSource("news", WebOptions(sitemap=platform.url("/sitemap.xml")))
    result = source.fetch(None, now=NOW)
    assert result.problems == []
    [post] = result.posts
    assert post.language == "pl" and "Starówce" in post.text
    assert post.raw["page_date"] == "wczoraj"


def test_google_redirects_are_unwrapped_on_country_sites_but_only_to_web_addresses() -> None:
    israeli = "https://www.google.co.il/url?rct=j&sa=t&url=https://news.example/a%3Fb%3D1&ct=ga"
    assert unwrap_link(israeli) == "https://news.example/a?b=1"
    hostile = "https://www.google.com/url?url=javascript:alert(1)"
    assert unwrap_link(hostile) == hostile
    lookalike = "https://google.com.evil.example/url?url=https://x.example"
    assert unwrap_link(lookalike) == lookalike


def test_a_byline_longer_than_the_author_columns_is_cut_not_a_failed_batch(
    platform: PlatformServer,
) -> None:
    names = ", ".join(f"Reporter Number {n} of the Newsroom" for n in range(12))
    feed = RSS.replace("<dc:creator>דנה</dc:creator>", f"<dc:creator>{names}</dc:creator>")
    platform.route("GET", "/rss", Reply.raw(feed, 200, "application/rss+xml; charset=utf-8"))
    [post] = RssSource("food", platform.url("/rss")).fetch(None, now=NOW).posts
    assert post.author == names[:200] and post.author_name == names[:300]
    assert post.raw["byline"] == names
