"""Facebook and Instagram against answers in the full shape the Graph API really sends: Page
feeds paged by time (no cursors), `paging.next` naming Meta's own host, attachments instead of
a message, sticker comments, commenters who did not grant the app, unknown extra fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flarewatch.sources.facebook import FacebookSource, unshim
from flarewatch.sources.graph_api import GraphClient
from flarewatch.sources.instagram import InstagramSource
from tests.sources.platform_server import PlatformServer, Reply, Request

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PAGE = "271828182845904"
POST_LINK = f"{PAGE}_100000000000001"
POST_PHOTO = f"{PAGE}_100000000000002"
POST_BARE = f"{PAGE}_100000000000003"
META = "https://graph.facebook.com/v21.0"


def meta_next(path: str, **query: str) -> str:
    """A `paging.next` as Meta writes it: its own host, a version, a (here redacted) token."""
    return f"{META}/{path}?{urlencode({'access_token': 'REDACTED', **query})}"


def feed_post(post_id: str, when: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": post_id,
        "created_time": when,
        "updated_time": when,
        "permalink_url": f"https://www.facebook.com/{PAGE}/posts/{post_id.split('_')[1]}",
        "from": {"name": "Grillberry Israel", "id": PAGE},
        "status_type": "added_photos",
        "is_published": True,
        "comments": {
            "data": [],
            "summary": {"order": "chronological", "total_count": 0, "can_comment": True},
        },
        "reactions": {"data": [], "summary": {"total_count": 0, "viewer_reaction": "NONE"}},
        **fields,
    }


def photo_attachment(description: str | None) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "media_type": "photo",
        "type": "photo",
        "title": "Timeline photos",
        "url": f"https://www.facebook.com/photo.php?fbid=31415926&set=a.{PAGE}",
        "media": {"image": {"height": 720, "src": "https://scontent.example/p.jpg", "width": 960}},
        "target": {"id": "31415926", "url": "https://www.facebook.com/photo.php?fbid=31415926"},
    }
    if description is not None:
        attachment["description"] = description
    return attachment


def comment(number: int, when: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"100000000000001_{number}",
        "created_time": when,
        "is_hidden": False,
        "like_count": 0,
        "comment_count": 0,
        "permalink_url": f"https://www.facebook.com/{PAGE}/posts/100000000000001?comment_id={number}",
        "can_remove": True,
        **fields,
    }


def serve_feed(platform: PlatformServer) -> None:
    first = {
        "data": [
            feed_post(
                POST_LINK,
                "2026-12-03T18:40:11+0000",
                message="אנחנו בחדשות! Read the story:",
                status_type="shared_story",
                shares={"count": 12},
                reactions={"data": [], "summary": {"total_count": 431}},
                comments={"data": [], "summary": {"order": "ranked", "total_count": 4}},
                attachments={
                    "data": [
                        {
                            "media_type": "link",
                            "type": "share",
                            "title": "Grillberry opens in Gdańsk",
                            "description": "The chain's first branch outside Israel.",
                            "url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.example"
                            "%2Fgrillberry-gdansk%3Fref%3Dfb&h=AT1x2y",
                            "unshimmed_url": "https://news.example/grillberry-gdansk?ref=fb",
                            "media": {
                                "image": {"height": 630, "src": "https://x/y", "width": 1200}
                            },
                            "target": {"url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fx"},
                        }
                    ]
                },
            )
        ],
        # A Page feed pages by time: no cursors, and `next` on Meta's host.
        "paging": {
            "previous": meta_next(f"{PAGE}/posts", since="1796323211", __previous="1"),
            "next": meta_next(f"{PAGE}/posts", until="1796320000", __paging_token="enc_AdBx"),
        },
    }
    second = {
        "data": [
            feed_post(
                POST_PHOTO,
                "2026-12-02T08:00:00+0000",
                attachments={"data": [photo_attachment("Nowy burger w menu — smacznego!")]},
            ),
            feed_post(
                POST_BARE,
                "2026-12-01T08:00:00+0000",
                attachments={"data": [photo_attachment(None)]},
            ),
        ],
        "paging": {"previous": meta_next(f"{PAGE}/posts", since="1796200000")},
    }

    def posts(request: Request) -> Reply:
        return Reply.json(second if request.arg("__paging_token") else first)

    platform.route("GET", f"/v21.0/{PAGE}/posts", posts)
    platform.route(
        "GET",
        f"/v21.0/{POST_LINK}/comments",
        Reply.json(
            {
                "data": [
                    comment(
                        1,
                        "2026-12-03T19:00:00+0000",
                        message="Finally in Poland!",
                        # `from` is left out: this person did not grant the app.
                    ),
                    comment(
                        2,
                        "2026-12-03T19:05:00+0000",
                        message="",
                        **{"from": {"name": "Dana Levi", "id": "5550001"}},
                        attachment={
                            "type": "sticker",
                            "url": "https://www.facebook.com/sticker/1",
                            "media": {"image": {"height": 240, "src": "https://s", "width": 240}},
                            "target": {"id": "126362100881920"},
                        },
                    ),
                    comment(
                        3,
                        "2026-12-03T19:10:00+0000",
                        message="Same story here",
                        parent={"id": f"{POST_LINK.split('_')[1]}_1"},
                        **{"from": {"name": "Jan Kowalski", "id": "5550002"}},
                        attachment={
                            "media_type": "link",
                            "type": "share",
                            "title": "Other report",
                            "url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fblog.example%2Fr",
                        },
                    ),
                ],
                "paging": {
                    "cursors": {"before": "WTI5dGJXVnVkRjlqZAFhKemIzSTZANVEk", "after": "WTI5dA"}
                },
            }
        ),
    )
    for post_id in (POST_PHOTO, POST_BARE):
        platform.route("GET", f"/v21.0/{post_id}/comments", Reply.json({"data": []}))


def test_a_page_feed_paged_by_time_on_metas_host_is_read_from_the_endpoint(
    platform: PlatformServer,
) -> None:
    serve_feed(platform)
    source = FacebookSource(
        "fb", page_id=PAGE, token="EAAB-ours", token_env="FB_TOKEN", endpoint=platform.url("/v21.0")
    )
    result = source.fetch(None, now=NOW)

    feed_calls = [r for r in platform.requests if r.path == f"/v21.0/{PAGE}/posts"]
    assert len(feed_calls) == 2
    follow = feed_calls[1]
    assert follow.arg("until") == "1796320000" and follow.arg("__paging_token") == "enc_AdBx"
    assert follow.arg("access_token") == "EAAB-ours"  # ours, never the captured one
    by_id = {p.external_id: p for p in result.posts}
    shared = by_id[POST_LINK]
    assert shared.text == "אנחנו בחדשות! Read the story:"
    assert (shared.likes, shared.shares, shared.replies) == (431, 12, 4)
    assert "https://news.example/grillberry-gdansk?ref=fb" in shared.links
    # A photo post without a message is its photo's description, not the album's name.
    assert by_id[POST_PHOTO].text == "Nowy burger w menu — smacznego!"
    assert POST_BARE not in by_id  # nothing to read, and no problem for it
    assert by_id[POST_PHOTO].shares == 0 and by_id[POST_PHOTO].author_name == "Grillberry Israel"

    ungranted = by_id["100000000000001_1"]
    assert ungranted.author is None and ungranted.text == "Finally in Poland!"
    assert "100000000000001_2" not in by_id  # a sticker says nothing; not a problem either
    reply = by_id["100000000000001_3"]
    assert reply.reply_to == "100000000000001_1" and reply.raw["type"] == "reply"
    assert reply.links == ["https://blog.example/r"]
    assert result.problems == []
    assert set(result.checkpoint["posts"]) == {POST_LINK, POST_PHOTO, POST_BARE}


def test_unshim_only_unwraps_facebooks_redirect() -> None:
    wrapped = "https://l.facebook.com/l.php?u=https%3A%2F%2Fa.example%2Fx%3Fy%3D1&h=AT0"
    assert unshim(wrapped) == "https://a.example/x?y=1"
    assert unshim("https://a.example/l.php?u=https%3A%2F%2Fb.example") == (
        "https://a.example/l.php?u=https%3A%2F%2Fb.example"
    )
    assert unshim("https://l.facebook.com/l.php?u=javascript%3Aalert(1)").startswith(
        "https://l.facebook.com/"
    )


ACCOUNT = "17841400000000001"
MEDIA = "17900000000000001"


def test_instagram_reply_pages_on_metas_host_are_read_from_the_endpoint(
    platform: PlatformServer,
) -> None:
    def reply(number: int) -> dict[str, Any]:
        return {
            "id": f"1791000000000{number:04d}",
            "text": f"@grillberry odpowiedź {number}",
            "timestamp": f"2026-12-03T10:{number:02d}:00+0000",
            "username": f"fan_{number}",
            "from": {"id": f"1784100000{number:04d}", "username": f"fan_{number}"},
            "like_count": 0,
            "hidden": False,
        }

    top = {
        "id": "17920000000000001",
        "text": "Where is the Haifa branch?",
        "timestamp": "2026-12-03T09:30:00+0000",
        "username": "haifa_foodie",
        "like_count": 3,
        "hidden": False,
        "replies": {
            "data": [reply(1), reply(2)],
            "paging": {
                "cursors": {"before": "QVFIUmx", "after": "QVFIUnA"},
                "next": f"{META}/17920000000000001/replies?"
                + urlencode({"access_token": "REDACTED", "after": "QVFIUnA", "limit": "2"}),
            },
        },
    }
    platform.route(
        "GET",
        f"/v21.0/{ACCOUNT}/media",
        Reply.json(
            {
                "data": [
                    {
                        "id": MEDIA,
                        "caption": "Grillberry Haifa 🍔",
                        "media_type": "CAROUSEL_ALBUM",
                        "media_product_type": "FEED",
                        "media_url": "https://scontent.cdninstagram.example/m.jpg",
                        "permalink": "https://www.instagram.com/p/DAbCdEf/",
                        "timestamp": "2026-12-03T09:00:00+0000",
                        "username": "grillberry",
                        "comments_count": 4,
                        # like_count left out: the owner hid it.
                    }
                ],
                "paging": {"cursors": {"before": "QVFIUk", "after": "QVFIUl"}},
            }
        ),
    )
    platform.route(
        "GET",
        f"/v21.0/{MEDIA}/comments",
        Reply.json({"data": [top], "paging": {"cursors": {"before": "a", "after": "b"}}}),
    )
    platform.route(
        "GET",
        "/v21.0/17920000000000001/replies",
        lambda request: (
            Reply.json({"data": [reply(3)]})
            if request.arg("after") == "QVFIUnA"
            else Reply.json({"error": {"message": "no cursor", "code": 100}}, 400)
        ),
    )
    platform.route("GET", f"/v21.0/{ACCOUNT}/tags", Reply.json({"data": []}))
    source = InstagramSource(
        "ig",
        account_id=ACCOUNT,
        token="IG-ours",
        token_env="IG_TOKEN",
        endpoint=platform.url("/v21.0"),
    )
    result = source.fetch(None, now=NOW)

    assert result.problems == []
    texts = {p.external_id: p.text for p in result.posts}
    assert texts[MEDIA] == "Grillberry Haifa 🍔"
    assert [texts.get(f"1791000000000{n:04d}") for n in (1, 2, 3)] == [
        f"@grillberry odpowiedź {n}" for n in (1, 2, 3)
    ]
    follow = next(r for r in platform.requests if r.path.endswith("/replies"))
    assert follow.arg("access_token") == "IG-ours" and follow.arg("after") == "QVFIUnA"
    media_post = next(p for p in result.posts if p.external_id == MEDIA)
    assert media_post.likes == 0 and media_post.replies == 4


def test_next_addresses_move_onto_the_endpoint_without_the_captured_token() -> None:
    def on(endpoint: str, url: str) -> str:
        graph = GraphClient(
            None,  # type: ignore[arg-type]  # on_endpoint makes no call
            endpoint=endpoint,
            token="ours",
            token_env="T",
            token_help="",
            what="",
        )
        return graph.on_endpoint(url)

    meta = "https://graph.intern.facebook.com/v11.0/1/feed?access_token=theirs&until=9&since"
    assert on("http://127.0.0.1:9/v21.0", meta) == "http://127.0.0.1:9/v21.0/1/feed?until=9&since="
    assert on("http://127.0.0.1:9", meta) == "http://127.0.0.1:9/1/feed?until=9&since="
    same = "https://graph.facebook.com/v21.0/1/feed?access_token=ours&after=A"
    assert on(META, same) == same
