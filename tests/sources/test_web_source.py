"""Kind "web": articles by trafilatura, forum items by CSS selectors, sitemaps, conditional GET,
only new or changed items, and cut-off or malformed pages and sitemaps as problems."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import SourceError
from flarewatch.sources.registry import build_source
from flarewatch.sources.web import WebOptions, WebSource
from tests.sources.platform_server import PlatformServer, Reply, Request

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)

ARTICLE = """<!DOCTYPE html>
<html lang="en"><head><title>Acme recalls burgers | Daily News</title>
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-12-03T08:00:00+00:00">
<meta property="og:title" content="Acme recalls burgers after complaints">
</head><body><nav>Home | World | Food</nav>
<article><h1>Acme recalls burgers after complaints</h1>
<p>Acme Burgers has recalled its new burger after dozens of customers reported feeling ill
after eating it at restaurants across the country over the weekend.</p>
<p>The company said in a statement on Thursday that it was working with health authorities
and that all affected products had been withdrawn from sale while the cause is investigated.</p>
<p>Customers who bought the burger can ask for a full refund at any branch, the company said.</p>
</article><footer>Copyright Daily News</footer></body></html>"""


def forum(posts: list[tuple[str, str, str]]) -> str:
    items = "".join(
        f'<div class="post"><a class="permalink" href="/t/acme/{pid}">#</a>'
        f'<span class="user">{user}</span><time datetime="2026-12-03T10:0{i}:00Z">x</time>'
        f'<div class="body"><p>{text}</p></div></div>'
        for i, (pid, user, text) in enumerate(posts)
    )
    return f"<html><head><title>Acme thread</title></head><body>{items}</body></html>"


def with_etag(body: str) -> Any:
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:12] + '"'

    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply.raw(body, 200, "text/html; charset=utf-8", ETag=etag)

    return handler


def selectors(platform: PlatformServer, **extra: Any) -> WebSource:
    options = WebOptions(
        urls=[platform.url("/t/acme")],
        item_selector="div.post",
        text_selector=".body",
        author_selector=".user",
        link_selector="a.permalink",
        **extra,
    )
    return WebSource("forum", options)


def test_an_article_is_read_with_its_metadata(platform: PlatformServer) -> None:
    platform.route("GET", "/news/acme", Reply.raw(ARTICLE, 200, "text/html; charset=utf-8"))
    source = WebSource("news", WebOptions(urls=[platform.url("/news/acme")]))
    result = source.fetch(None, now=NOW)
    assert not result.problems
    [post] = result.posts
    assert post.external_id == platform.url("/news/acme")
    assert "recalled its new burger" in post.text and "Copyright" not in post.text
    assert post.title and "Acme recalls burgers" in post.title
    assert post.author == "Jane Reporter"
    assert post.created_at.date() == datetime(2026, 12, 3).date()
    assert post.platform == "web"
    assert source.fetch(result.checkpoint, now=NOW).posts == []


def test_forum_items_by_selectors_with_links_resolved(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        "/t/acme",
        Reply.raw(
            forum([("101", "ann", "Cold fries again"), ("102", "bob", "Mine were fine")]),
            200,
            "text/html",
        ),
    )
    result = selectors(platform).fetch(None, now=NOW)
    assert not result.problems
    first, second = result.posts
    assert first.external_id == platform.url("/t/acme/101") == first.url
    assert (first.text, first.author) == ("Cold fries again", "ann")
    assert first.created_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    assert second.author == "bob"


def test_conditional_get_and_only_new_or_changed_items(platform: PlatformServer) -> None:
    thread = [("101", "ann", "Cold fries again"), ("102", "bob", "Mine were fine")]
    platform.route("GET", "/t/acme", with_etag(forum(thread)))
    source = selectors(platform)
    first = source.fetch(None, now=NOW)
    assert len(first.posts) == 2
    again = source.fetch(json.loads(json.dumps(first.checkpoint)), now=NOW)
    assert again.posts == [] and platform.requests[-1].headers.get("if-none-match")
    thread[1] = ("102", "bob", "Mine were fine, edited: actually cold too")
    thread.append(("103", "cat", "Same here"))
    platform.route("GET", "/t/acme", with_etag(forum(thread)))
    changed = source.fetch(again.checkpoint, now=NOW)
    ids = [p.external_id for p in changed.posts]
    assert ids[1] == platform.url("/t/acme/103")
    assert ids[0].startswith(platform.url("/t/acme/102") + "#")
    assert changed.posts[0].raw["revision_of"] == platform.url("/t/acme/102")
    assert source.fetch(changed.checkpoint, now=NOW).posts == []


def test_items_without_a_link_get_a_hash_of_page_and_text(platform: PlatformServer) -> None:
    body = (
        "<html><body><ul><li class='r'>Great service</li><li class='r'>Slow</li></ul></body></html>"
    )
    platform.route("GET", "/reviews", Reply.raw(body, 200, "text/html"))
    source = WebSource("reviews", WebOptions(urls=[platform.url("/reviews")], item_selector="li.r"))
    ids = [p.external_id for p in source.fetch(None, now=NOW).posts]
    assert len(ids) == 2 and all(i.startswith("sha256:") for i in ids)
    assert ids == [p.external_id for p in source.fetch(None, now=NOW).posts]


def test_one_item_without_text_is_a_problem_and_the_rest_are_kept(
    platform: PlatformServer,
) -> None:
    platform.route(
        "GET",
        "/t/acme",
        Reply.raw(forum([("101", "ann", "Cold fries"), ("102", "bob", "")]), 200, "text/html"),
    )
    result = selectors(platform).fetch(None, now=NOW)
    assert [p.author for p in result.posts] == ["ann"]
    assert len(result.problems) == 1 and "item 2" in result.problems[0].where


def test_a_cut_off_page_is_a_problem_and_is_fetched_again(platform: PlatformServer) -> None:
    body = forum([("101", "ann", "Cold fries")]).replace("</body></html>", "")
    platform.route(
        "GET", "/t/acme", Reply.raw(body + '<div class="post"><span', 200, "text/html", ETag='"v1"')
    )
    result = selectors(platform).fetch(None, now=NOW)
    assert result.posts == [] and "cut off" in result.problems[0].message
    assert not result.checkpoint["pages"][platform.url("/t/acme")].get("etag")


def test_a_connection_cut_mid_page_is_a_problem_for_that_page(platform: PlatformServer) -> None:
    body = ARTICLE.encode()
    platform.route("GET", "/a", Reply(200, body, {"Content-Type": "text/html"}, cut_after=100))
    platform.route("GET", "/b", Reply.raw(ARTICLE, 200, "text/html"))
    source = WebSource("news", WebOptions(urls=[platform.url("/a"), platform.url("/b")]))
    result = source.fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [platform.url("/b")]
    assert "truncated" in result.problems[0].message


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{base}/news/1</loc><lastmod>2026-12-01</lastmod></url>
  <url><loc>{base}/news/2</loc><lastmod>2026-12-03T10:00:00+00:00</lastmod></url>
</urlset>"""


def test_a_sitemap_index_lists_pages_and_lastmod_decides_what_is_read(
    platform: PlatformServer,
) -> None:
    index = (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
        f"{platform.url('/sitemap-news.xml')}</loc><lastmod>2026-12-03</lastmod></sitemap>"
        "</sitemapindex>"
    )
    sitemap = {"body": SITEMAP.format(base=platform.url())}
    platform.route("GET", "/sitemap.xml", Reply.raw(index, 200, "application/xml"))
    platform.route(
        "GET", "/sitemap-news.xml", lambda req: Reply.raw(sitemap["body"], 200, "application/xml")
    )
    platform.route("GET", "/news/1", Reply.raw(ARTICLE, 200, "text/html"))
    platform.route(
        "GET", "/news/2", Reply.raw(ARTICLE.replace("weekend", "holiday"), 200, "text/html")
    )
    source = WebSource("news", WebOptions(sitemap=platform.url("/sitemap.xml")))
    first = source.fetch(None, now=NOW)
    assert [p.external_id for p in first.posts] == [
        platform.url("/news/1"),
        platform.url("/news/2"),
    ]
    again = source.fetch(first.checkpoint, now=NOW)
    assert again.posts == [] and "/news/1" not in platform.paths()[-2:]
    sitemap["body"] = sitemap["body"].replace("2026-12-01", "2026-12-04")
    platform.route(
        "GET", "/news/1", Reply.raw(ARTICLE.replace("refund", "voucher"), 200, "text/html")
    )
    changed = source.fetch(again.checkpoint, now=NOW)
    assert len(changed.posts) == 1 and changed.posts[0].raw["revision_of"].endswith("/news/1")


def test_max_pages_leaves_the_rest_for_the_next_call(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        "/sitemap.xml",
        Reply.raw(SITEMAP.format(base=platform.url()), 200, "application/xml"),
    )
    platform.route("GET", "/news/1", Reply.raw(ARTICLE, 200, "text/html"))
    platform.route(
        "GET", "/news/2", Reply.raw(ARTICLE.replace("weekend", "week"), 200, "text/html")
    )
    source = WebSource("news", WebOptions(sitemap=platform.url("/sitemap.xml"), max_pages=1))
    first = source.fetch(None, now=NOW)
    assert len(first.posts) == 1 and not first.exhausted
    second = source.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in second.posts] == [platform.url("/news/2")]
    assert second.exhausted


def test_a_malformed_or_truncated_sitemap_is_a_problem(platform: PlatformServer) -> None:
    whole = SITEMAP.format(base=platform.url())
    platform.route(
        "GET", "/sitemap.xml", Reply.raw(whole[: len(whole) // 2], 200, "application/xml")
    )
    source = WebSource("news", WebOptions(sitemap=platform.url("/sitemap.xml")))
    result = source.fetch(None, now=NOW)
    assert result.posts == [] and "not well-formed XML" in result.problems[0].message
    platform.route(
        "GET", "/sitemap.xml", Reply.raw("<html><body>hi</body></html>", 200, "text/html")
    )
    assert "not a sitemap" in source.fetch(None, now=NOW).problems[0].message


def test_a_rate_limited_site_ends_the_poll_with_its_retry_time(platform: PlatformServer) -> None:
    platform.route(
        "GET", "/t/acme", Reply.raw("slow down", 429, "text/plain", **{"Retry-After": "3600"})
    )
    with pytest.raises(SourceError, match="rate limited") as info:
        selectors(platform).fetch(None, now=NOW)
    assert info.value.retry_at is not None


def test_options_are_checked(platform: PlatformServer) -> None:
    with pytest.raises(ValueError, match="either urls"):
        WebOptions()
    with pytest.raises(ValueError, match="item_selector"):
        WebOptions(urls=["https://example.com"], text_selector=".x")
    with pytest.raises(ValueError, match="not a CSS selector"):
        WebOptions(urls=["https://example.com"], item_selector="div[")
    config = SourceConfig.model_validate(
        {
            "key": "forum",
            "kind": "web",
            "urls": [platform.url("/t/acme")],
            "item_selector": "div.post",
        }
    )
    assert isinstance(build_source(config, Path(".")), WebSource)


def test_a_page_that_leaves_out_the_closing_tags_is_read(platform: PlatformServer) -> None:
    body = forum([("101", "ann", "Cold fries")]).replace("</body></html>", "")
    platform.route("GET", "/t/acme", Reply.raw(body, 200, "text/html"))
    result = selectors(platform).fetch(None, now=NOW)
    assert [p.author for p in result.posts] == ["ann"] and not result.problems
