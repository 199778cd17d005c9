"""Kind "hackernews" against a local server answering like the Algolia HN Search API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.registry import build_source
from tests.sources.platform_server import PlatformServer, Reply

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _hit(item_id: int, at: int, **fields: object) -> dict[str, object]:
    return {
        "objectID": str(item_id),
        "created_at_i": at,
        "created_at": datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", ".000Z"),
        "author": "pg",
        "_tags": ["story", "author_pg", f"story_{item_id}"],
        **fields,
    }


def test_stories_comments_paging_and_resume(platform: PlatformServer) -> None:
    base = int(NOW.timestamp()) - 3600
    pages = {
        "0": {
            "hits": [
                _hit(
                    3,
                    base + 30,
                    comment_text="<p>Grillberry &amp; worms\x00</p>",
                    parent_id=1,
                    story_id=1,
                    story_title="Grillberry worm",
                    _tags=["comment"],
                ),
                _hit(2, base + 20, title="Ask HN: Grillberry?", points=5, num_comments=0),
            ],
            "nbPages": 2,
            "page": 0,
        },
        "1": {
            "hits": [
                _hit(
                    1,
                    base + 10,
                    title="Grillberry worm",
                    url="https://a.example/w",
                    points=120,
                    num_comments=40,
                ),
                {"title": "no id"},
            ],
            "nbPages": 2,
            "page": 1,
        },
    }
    platform.route("GET", "/api/v1/search_by_date", lambda r: Reply.json(pages[r.arg("page")]))
    config = SourceConfig(key="hn", kind="hackernews", query="grillberry", endpoint=platform.url())
    source = build_source(config, Path("."))
    result = source.fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == ["1", "2", "3"]
    story, _ask, comment = result.posts
    assert story.title == "Grillberry worm" and story.likes == 120 and story.replies == 40
    assert story.url == "https://news.ycombinator.com/item?id=1"
    assert comment.text == "Grillberry & worms" and comment.reply_to == "1"
    assert len(result.problems) == 1 and "objectID" in result.problems[0].message
    query = platform.requests[0].query
    assert query["tags"] == ["(story,comment)"]
    assert query["numericFilters"][0].startswith("created_at_i>=")
    again = source.fetch(result.checkpoint, now=NOW)
    assert again.posts == []
    assert platform.requests[-1].arg("numericFilters") == f"created_at_i>={base + 30}"
