"""YouTube Data API v3 bodies in the documented shapes (developers.google.com/youtube/v3/docs:
search, commentThreads, comments, videos and the error body), with the tests' own content."""

from __future__ import annotations

from typing import Any

VIDEO = "dQw4w9WgXcQ"
OTHER_VIDEO = "9bZkp7q19f0"
CHANNEL = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
CHANNEL_URL_BASE = "http://www.youtube.com/channel/"


def author(number: int) -> dict[str, Any]:
    channel = f"UCauthor{number:016d}"
    return {
        "authorDisplayName": f"@person{number}",
        "authorProfileImageUrl": f"https://yt3.ggpht.com/ytc/p{number}=s48-c-k-c0x00ffffff-no-rj",
        "authorChannelUrl": f"http://www.youtube.com/@person{number}",
        "authorChannelId": {"value": channel},
    }


def comment(
    comment_id: str,
    when: str,
    text: str | None = None,
    *,
    video: str | None = VIDEO,
    parent: str | None = None,
    likes: int = 0,
    number: int = 1,
) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "channelId": CHANNEL,
        **({"videoId": video} if video else {}),
        "textDisplay": text if text is not None else f"comment {comment_id}",
        "textOriginal": text if text is not None else f"comment {comment_id}",
        **author(number),
        "canRate": True,
        "viewerRating": "none",
        "likeCount": likes,
        "publishedAt": when,
        "updatedAt": when,
    }
    if parent:
        snippet["parentId"] = parent
    return {
        "kind": "youtube#comment",
        "etag": f"e-{comment_id}",
        "id": comment_id,
        "snippet": snippet,
    }


def thread(
    thread_id: str,
    when: str,
    text: str | None = None,
    *,
    video: str | None = VIDEO,
    replies: list[dict[str, Any]] | None = None,
    total: int | None = None,
    likes: int = 0,
    number: int = 1,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "youtube#commentThread",
        "etag": f"t-{thread_id}",
        "id": thread_id,
        "snippet": {
            "channelId": CHANNEL,
            **({"videoId": video} if video else {}),
            "topLevelComment": comment(
                thread_id, when, text, video=video, likes=likes, number=number
            ),
            "canReply": True,
            "totalReplyCount": total if total is not None else len(replies or []),
            "isPublic": True,
        },
    }
    if replies:
        item["replies"] = {"comments": replies}
    return item


def thread_list(items: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#commentThreadListResponse",
        "etag": "list-etag",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 100},
        "items": items,
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def comment_list(items: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#commentListResponse",
        "etag": "comments-etag",
        "pageInfo": {"resultsPerPage": 100},
        "items": items,
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def search_result(video_id: str, when: str, title: str, description: str = "") -> dict[str, Any]:
    return {
        "kind": "youtube#searchResult",
        "etag": f"s-{video_id}",
        "id": {"kind": "youtube#video", "videoId": video_id},
        "snippet": {
            "publishedAt": when,
            "channelId": CHANNEL,
            "title": title,
            "description": description,
            "thumbnails": {"default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}},
            "channelTitle": "Acme Burgers",
            "liveBroadcastContent": "none",
            "publishTime": when,
        },
    }


def search_list(items: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "youtube#searchListResponse",
        "etag": "search-etag",
        "regionCode": "IL",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
        "items": items,
    }
    if next_token:
        body["nextPageToken"] = next_token
    return body


def video(video_id: str, when: str, title: str, description: str, **stats: str) -> dict[str, Any]:
    return {
        "kind": "youtube#video",
        "etag": f"v-{video_id}",
        "id": video_id,
        "snippet": {
            "publishedAt": when,
            "channelId": CHANNEL,
            "title": title,
            "description": description,
            "channelTitle": "Acme Burgers",
            "tags": ["acme"],
            "categoryId": "22",
            "liveBroadcastContent": "none",
            "defaultLanguage": "he",
            "defaultAudioLanguage": "he-IL",
        },
        "statistics": {"viewCount": "0", "likeCount": "0", "commentCount": "0", **stats},
    }


def video_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "youtube#videoListResponse",
        "etag": "videos-etag",
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
        "items": items,
    }


def error(code: int, reason: str, message: str, domain: str = "youtube.commentThread") -> dict:
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
