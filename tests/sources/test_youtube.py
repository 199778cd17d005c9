"""Kind "youtube" against a local server answering like the YouTube Data API v3."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import CredentialError, SourceError
from flarewatch.sources.registry import build_source
from flarewatch.sources.secrets import EnvironmentSecrets
from flarewatch.sources.youtube import YouTubeOptions, YouTubeSource
from tests.sources.platform_server import PlatformServer, Reply, Request
from tests.sources.youtube_payloads import (
    CHANNEL,
    OTHER_VIDEO,
    VIDEO,
    comment,
    comment_list,
    error,
    search_list,
    search_result,
    thread,
    thread_list,
    video,
    video_list,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # 04:00 in Los Angeles (PST)
NEXT_PACIFIC_MIDNIGHT = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
API = "/youtube/v3"


def source(platform: PlatformServer, **options: Any) -> YouTubeSource:
    settings = {"api_key_env": "YT_KEY", "endpoint": platform.url(API), **options}
    return YouTubeSource("acme-yt", YouTubeOptions(**settings), api_key="AIza-test-key")


def calls(platform: PlatformServer, method: str) -> list[Request]:
    return [r for r in platform.requests if r.path == f"{API}/{method}"]


def test_search_maps_new_videos_with_their_statistics(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"{API}/search",
        Reply.json(
            search_list(
                [
                    search_result(OTHER_VIDEO, "2026-12-04T10:00:00Z", "Acme &amp; the worm"),
                    search_result(VIDEO, "2026-12-03T09:30:00.000Z", "Acme&#39;s burger", "..."),
                ]
            )
        ),
    )
    platform.route(
        "GET",
        f"{API}/videos",
        Reply.json(
            video_list(
                [
                    video(
                        VIDEO,
                        "2026-12-03T09:30:00Z",
                        "Acme's burger",
                        "A worm\x00 in the bun",
                        viewCount="15230",
                        likeCount="412",
                        commentCount="87",
                    )
                ]
            )
        ),
    )
    result = source(platform, query="acme burger").fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [VIDEO, OTHER_VIDEO]  # oldest first
    first, second = result.posts
    assert first.title == "Acme's burger" and first.text == "Acme's burger\n\nA worm in the bun"
    assert (first.views, first.likes, first.replies) == (15230, 412, 87)
    assert first.author == CHANNEL and first.author_name == "Acme Burgers"
    assert first.url == f"https://www.youtube.com/watch?v={VIDEO}"
    assert first.created_at == datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    assert first.language == "he" and first.platform == "youtube"
    assert first.raw["youtube_type"] == "video" and first.raw["tags"] == ["acme"]
    # Not in videos.list's answer: the search result alone, unescaped.
    assert second.title == "Acme & the worm" and second.views == 0
    search = calls(platform, "search")[0]
    assert search.arg("q") == "acme burger" and search.arg("type") == "video"
    assert search.arg("order") == "date" and search.arg("maxResults") == "50"
    assert search.arg("part") == "snippet" and search.arg("key") == "AIza-test-key"
    assert search.arg("publishedAfter") == "2026-11-27T12:00:00Z"  # history_days = 7
    listed = calls(platform, "videos")[0]
    assert listed.arg("part") == "snippet,statistics"
    assert listed.arg("id") == f"{VIDEO},{OTHER_VIDEO}"
    assert result.quota == {
        "remaining": 10_000 - 101,
        "limit": 10_000,
        "unit": "units",
        "reset_at": NEXT_PACIFIC_MIDNIGHT.isoformat(),
    }
    again = source(platform, query="acme burger").fetch(result.checkpoint, now=NOW)
    assert again.posts == [] and again.exhausted
    assert calls(platform, "search")[-1].arg("publishedAfter") == "2026-12-04T10:00:00Z"
    assert again.quota is not None and again.quota["remaining"] == 10_000 - 201
    assert len(calls(platform, "videos")) == 1  # nothing new: no videos.list


def test_search_pages_until_the_boundary(platform: PlatformServer) -> None:
    def answer(request: Request) -> Reply:
        if request.arg("pageToken") == "CDIQAA":
            return Reply.json(search_list([search_result(VIDEO, "2026-11-20T00:00:00Z", "old")]))
        return Reply.json(
            search_list([search_result(OTHER_VIDEO, "2026-12-01T00:00:00Z", "new")], "CDIQAA")
        )

    platform.route("GET", f"{API}/search", answer)
    platform.route("GET", f"{API}/videos", Reply.json(video_list([])))
    result = source(platform, query="acme").fetch(None, now=NOW)
    # The second page's video is before publishedAfter (a server that ignores it): dropped.
    assert [p.external_id for p in result.posts] == [OTHER_VIDEO]
    assert [r.arg("pageToken") for r in calls(platform, "search")] == [None, "CDIQAA"]


def serve_threads(platform: PlatformServer, pages: dict[str | None, dict]) -> None:
    platform.route("GET", f"{API}/commentThreads", lambda r: Reply.json(pages[r.arg("pageToken")]))


def test_comment_threads_and_replies_are_mapped(platform: PlatformServer) -> None:
    embedded = comment("T1.r1", "2026-12-04T09:05:00Z", "me too", parent="T1", likes=2, number=3)
    more = [
        comment(f"T2.r{i}", f"2026-12-04T10:0{i}:00Z", f"reply {i}", parent="T2", number=i)
        for i in range(1, 8)
    ]
    serve_threads(
        platform,
        {
            None: thread_list(
                [
                    thread(
                        "T2",
                        "2026-12-04T10:00:00Z",
                        "Where is my refund?",
                        replies=more[:5],
                        total=7,
                    ),
                    thread(
                        "T1",
                        "2026-12-04T09:00:00Z",
                        "Found a worm\x07 in my Acme burger",
                        replies=[embedded],
                        likes=31,
                    ),
                ]
            )
        },
    )
    platform.route(
        "GET",
        f"{API}/comments",
        lambda r: Reply.json(
            comment_list(more[4:], None) if r.arg("pageToken") else comment_list(more[:4], "p2")
        ),
    )
    result = source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    ids = [p.external_id for p in result.posts]
    assert ids == ["T1", "T1.r1", "T2", *[f"T2.r{i}" for i in range(1, 8)]]
    top, reply = result.posts[:2]
    assert top.text == "Found a worm in my Acme burger" and top.likes == 31 and top.replies == 1
    assert top.author == "UCauthor0000000000000001" and top.author_name == "@person1"
    assert top.reply_to == VIDEO and top.created_at == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert top.url == f"https://www.youtube.com/watch?v={VIDEO}&lc=T1"
    assert top.raw["youtube_type"] == "comment" and top.raw["video_id"] == VIDEO
    assert reply.reply_to == "T1" and reply.likes == 2 and reply.author_name == "@person3"
    assert reply.url == f"https://www.youtube.com/watch?v={VIDEO}&lc=T1.r1"
    assert reply.raw["youtube_type"] == "reply"
    threads = calls(platform, "commentThreads")[0]
    assert threads.arg("videoId") == VIDEO and threads.arg("order") == "time"
    assert threads.arg("part") == "snippet,replies" and threads.arg("textFormat") == "plainText"
    assert threads.arg("maxResults") == "100"
    replies = calls(platform, "comments")
    assert [r.arg("parentId") for r in replies] == ["T2", "T2"]
    assert [r.arg("pageToken") for r in replies] == [None, "p2"]
    assert result.quota is not None and result.quota["remaining"] == 10_000 - 3


def test_channel_threads_use_the_channel_selector(platform: PlatformServer) -> None:
    serve_threads(
        platform,
        {None: thread_list([thread("C1", "2026-12-04T08:00:00Z", "hello", video=None)])},
    )
    result = source(platform, channels=[CHANNEL]).fetch(None, now=NOW)
    assert calls(platform, "commentThreads")[0].arg("allThreadsRelatedToChannelId") == CHANNEL
    (post,) = result.posts
    assert post.reply_to == CHANNEL and post.url == f"https://www.youtube.com/channel/{CHANNEL}"


def test_paging_stops_at_the_boundary_and_resumes_without_doubles(
    platform: PlatformServer,
) -> None:
    older = thread_list(
        [thread("T2", "2026-12-03T10:00:00Z"), thread("T1", "2026-12-03T09:00:00Z")]
    )
    pages: dict[str | None, dict] = {
        None: thread_list(
            [thread("T4", "2026-12-04T10:00:00Z"), thread("T3", "2026-12-04T10:00:00Z")], "n2"
        ),
        "n2": older,
    }
    serve_threads(platform, pages)
    yt = source(platform, videos=[VIDEO])
    first = yt.fetch(None, now=NOW)
    assert [p.external_id for p in first.posts] == ["T1", "T2", "T3", "T4"]
    assert first.checkpoint["threads"][f"video:{VIDEO}"]["ids"] == ["T3", "T4"]
    # A new comment at the same second as the boundary and one after it.
    pages[None] = thread_list(
        [
            thread("T6", "2026-12-04T11:00:00Z"),
            thread("T5", "2026-12-04T10:00:00Z"),
            thread("T4", "2026-12-04T10:00:00Z"),
            thread("T3", "2026-12-04T10:00:00Z"),
            thread("T2", "2026-12-03T10:00:00Z"),
        ],
        "n2",
    )
    before = len(calls(platform, "commentThreads"))
    second = yt.fetch(first.checkpoint, now=NOW)
    assert [p.external_id for p in second.posts] == ["T5", "T6"]
    assert len(calls(platform, "commentThreads")) == before + 1  # page 1 reached the boundary


def test_a_limit_leaves_the_rest_for_the_next_call_even_inside_a_thread(
    platform: PlatformServer,
) -> None:
    replies = [comment(f"T2.r{i}", f"2026-12-04T10:0{i}:00Z", parent="T2") for i in range(1, 4)]
    serve_threads(
        platform,
        {
            None: thread_list(
                [
                    thread("T3", "2026-12-04T11:00:00Z"),
                    thread("T2", "2026-12-04T10:00:00Z", replies=replies),
                    thread("T1", "2026-12-04T09:00:00Z"),
                ]
            )
        },
    )
    yt = source(platform, videos=[VIDEO])
    checkpoint: dict[str, Any] | None = None
    seen: list[str] = []
    rounds = 0
    while True:
        rounds += 1
        result = yt.fetch(checkpoint, limit=2, now=NOW)
        assert len(result.posts) <= 2
        seen += [p.external_id for p in result.posts]
        checkpoint = json.loads(json.dumps(result.checkpoint))  # as the runner stores it
        if result.exhausted:
            break
        assert rounds < 10
    assert seen == ["T1", "T2", "T2.r1", "T2.r2", "T2.r3", "T3"]
    assert checkpoint is not None
    assert "partial" not in checkpoint["threads"][f"video:{VIDEO}"]
    assert yt.fetch(checkpoint, limit=2, now=NOW).posts == []


def test_a_search_cut_by_limit_continues(platform: PlatformServer) -> None:
    results = [
        search_result(f"vid{i:08d}", f"2026-12-0{i}T00:00:00Z", f"video {i}") for i in (3, 2, 1)
    ]
    platform.route("GET", f"{API}/search", Reply.json(search_list(results)))
    platform.route("GET", f"{API}/videos", Reply.json(video_list([])))
    yt = source(platform, query="acme")
    first = yt.fetch(None, limit=2, now=NOW)
    assert [p.external_id for p in first.posts] == ["vid00000001", "vid00000002"]
    assert not first.exhausted
    second = yt.fetch(first.checkpoint, limit=2, now=NOW)
    assert [p.external_id for p in second.posts] == ["vid00000003"] and second.exhausted


def test_quota_exceeded_ends_the_poll_until_pacific_midnight(platform: PlatformServer) -> None:
    body = error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "youtube.quota",
    )
    platform.route("GET", f"{API}/search", Reply.json(body, status=403))
    with pytest.raises(SourceError) as caught:
        source(platform, query="acme").fetch(None, now=NOW)
    assert caught.value.retry_at == NEXT_PACIFIC_MIDNIGHT
    assert not isinstance(caught.value, CredentialError)
    assert "quota" in str(caught.value) and "acme-yt" in str(caught.value)


def test_the_daily_budget_is_counted_and_not_overrun(platform: PlatformServer) -> None:
    platform.route("GET", f"{API}/search", Reply.json(search_list([])))
    serve_threads(platform, {None: thread_list([thread("T1", "2026-12-04T09:00:00Z")])})
    yt = source(platform, query="acme", videos=[VIDEO], daily_units=150)
    stale = {"quota": {"day": "2026-12-03", "used": 150}}  # NOW is 2026-12-04 in Los Angeles
    first = yt.fetch(stale, now=NOW)  # yesterday's count does not carry over
    assert first.quota is not None and first.quota["remaining"] == 150 - 101
    assert first.checkpoint["quota"] == {"day": "2026-12-04", "used": 101}
    second = yt.fetch(first.checkpoint, now=NOW)  # 49 units: no search, comments still read
    assert len(calls(platform, "search")) == 1
    assert any("search" in p.where and "units" in p.message for p in second.problems)
    assert second.quota is not None and second.quota["remaining"] == 48
    spent = {**second.checkpoint, "quota": {"day": "2026-12-04", "used": 150}}
    before = len(platform.requests)
    with pytest.raises(SourceError, match="daily_units") as caught:
        yt.fetch(spent, now=NOW)
    assert caught.value.retry_at == NEXT_PACIFIC_MIDNIGHT
    assert len(platform.requests) == before  # not a single call


def test_a_429_with_retry_after_sets_retry_at(platform: PlatformServer) -> None:
    platform.route(
        "GET",
        f"{API}/commentThreads",
        Reply.json(
            error(429, "rateLimitExceeded", "Too many requests"),
            status=429,
            **{"Retry-After": "3600"},
        ),
    )
    with pytest.raises(SourceError) as caught:
        source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    assert caught.value.retry_at == NOW + timedelta(hours=1)


def test_a_per_minute_rate_limit_waits_a_few_minutes(platform: PlatformServer) -> None:
    body = error(403, "rateLimitExceeded", "The request rate is too high.", "youtube.quota")
    platform.route("GET", f"{API}/commentThreads", Reply.json(body, status=403))
    with pytest.raises(SourceError) as caught:
        source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    assert caught.value.retry_at == NOW + timedelta(minutes=5)


@pytest.mark.parametrize(
    "body",
    [
        # The older shape (reason keyInvalid) and today's (details[].reason API_KEY_INVALID).
        error(400, "keyInvalid", "Bad Request", "usageLimits"),
        {
            "error": {
                "code": 400,
                "message": "API key not valid. Please pass a valid API key.",
                "errors": [
                    {"message": "API key not valid.", "domain": "global", "reason": "badRequest"}
                ],
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "API_KEY_INVALID",
                        "domain": "googleapis.com",
                    }
                ],
            }
        },
    ],
)
def test_a_rejected_key_is_one_line_naming_the_variable(
    platform: PlatformServer, body: dict
) -> None:
    platform.route("GET", f"{API}/commentThreads", Reply.json(body, status=400))
    with pytest.raises(CredentialError) as caught:
        source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    message = str(caught.value)
    assert "\n" not in message and "acme-yt" in message and "YT_KEY" in message
    assert "API key" in message and "AIza-test-key" not in message


def test_a_missing_key_variable_is_one_clear_line() -> None:
    config = SourceConfig.model_validate(
        {"key": "acme-yt", "kind": "youtube", "videos": [VIDEO], "api_key_env": "YT_KEY"}
    )
    built = build_source(config, Path("."), EnvironmentSecrets({"YT_KEY": "AIza-x"}))
    assert isinstance(built, YouTubeSource) and built.api_key == "AIza-x"
    with pytest.raises(CredentialError, match="YT_KEY") as caught:
        build_source(config, Path("."), EnvironmentSecrets({}))
    assert "acme-yt" in str(caught.value) and "api_key_env" in str(caught.value)


def test_comments_off_or_a_missing_video_is_a_problem_and_the_others_go_on(
    platform: PlatformServer,
) -> None:
    gone = "AAAAAAAAAAA"

    def answer(request: Request) -> Reply:
        if request.arg("videoId") == OTHER_VIDEO:
            return Reply.json(
                error(403, "commentsDisabled", "The video has disabled comments."), status=403
            )
        if request.arg("videoId") == gone:
            return Reply.json(
                error(404, "videoNotFound", "The video could not be found."), status=404
            )
        return Reply.json(thread_list([thread("T1", "2026-12-04T09:00:00Z")]))

    platform.route("GET", f"{API}/commentThreads", answer)
    result = source(platform, videos=[OTHER_VIDEO, gone, VIDEO]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == ["T1"]
    problems = {p.where: p.message for p in result.problems}
    assert "turned off" in problems[f"youtube video {OTHER_VIDEO}"]
    assert "not found" in problems[f"youtube video {gone}"]


def test_one_bad_item_is_a_problem_and_the_rest_are_kept(platform: PlatformServer) -> None:
    broken = thread("T2", "2026-12-04T10:00:00Z")
    del broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
    serve_threads(
        platform,
        {
            None: thread_list(
                [
                    broken,
                    thread("T3", "2026-12-04T10:30:00Z", "   "),  # no text at all
                    thread("T1", "2026-12-04T09:00:00Z", "fine"),
                    "not an object",  # type: ignore[list-item]
                ]
            )
        },
    )
    result = source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == ["T1"]
    assert len(result.problems) == 3
    unreadable = {p.where for p in result.problems if "publishedAt" in p.message}
    assert unreadable == {f"youtube video {VIDEO} page 1 thread {n}" for n in (1, 4)}
    assert any("text" in p.message and "T3" in p.where for p in result.problems)


@pytest.mark.parametrize("broken", ["truncated", "not json", "no items"])
def test_truncated_or_malformed_answers_store_nothing(
    platform: PlatformServer, broken: str
) -> None:
    body = json.dumps(thread_list([thread("T1", "2026-12-04T09:00:00Z")])).encode()
    reply = {
        "truncated": Reply(
            200, body, {"Content-Type": "application/json"}, cut_after=len(body) // 2
        ),
        "not json": Reply.raw(body[: len(body) // 2], content_type="application/json"),
        "no items": Reply.json({"kind": "youtube#commentThreadListResponse"}),
    }[broken]
    platform.route("GET", f"{API}/commentThreads", reply)
    with pytest.raises(SourceError) as caught:
        source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    assert "acme-yt" in str(caught.value) and "AIza" not in str(caught.value)


def test_an_error_status_without_googles_error_object_says_what_came(
    platform: PlatformServer,
) -> None:
    refused = Reply.json({"message": "blocked by the office proxy"}, status=403)
    platform.route("GET", f"{API}/commentThreads", refused)
    with pytest.raises(SourceError) as caught:
        source(platform, videos=[VIDEO]).fetch(None, now=NOW)
    said = str(caught.value)
    assert f"{API}/commentThreads: HTTP 403" in said and "blocked by the office proxy" in said
    assert "AIza" not in said and not isinstance(caught.value, CredentialError)


def options_error(**options: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        SourceConfig.model_validate({"key": "yt", "kind": "youtube", "api_key_env": "K", **options})
    return str(caught.value)


def test_options_are_checked_with_clear_messages() -> None:
    assert "unknown field" in options_error(videos=[VIDEO], vidoes=[VIDEO])
    assert "11 characters" in options_error(videos=["not-a-video-id"])
    assert "channel id" in options_error(channels=["@acmeburgers"])
    assert "at least one of" in options_error()
    assert "daily_units" in options_error(videos=[VIDEO], daily_units=0)
    parsed = YouTubeOptions(
        api_key_env="K",
        videos=[f"https://www.youtube.com/watch?v={VIDEO}&t=10", f"https://youtu.be/{VIDEO}"],
        channels=[f"https://www.youtube.com/channel/{CHANNEL}"],
    )
    assert parsed.videos == [VIDEO] and parsed.channels == [CHANNEL]


def test_a_search_result_without_a_video_id_is_a_problem(platform: PlatformServer) -> None:
    channel_result = search_result(VIDEO, "2026-12-04T08:00:00Z", "a channel")
    channel_result["id"] = {"kind": "youtube#channel", "channelId": CHANNEL}
    bad_stats = video(OTHER_VIDEO, "2026-12-04T09:00:00Z", "t", "d", viewCount="many")
    platform.route(
        "GET",
        f"{API}/search",
        Reply.json(
            search_list(
                [
                    search_result("vid00000003", "2026-12-04T10:00:00Z", "kept"),
                    search_result(OTHER_VIDEO, "2026-12-04T09:00:00Z", "bad counts"),
                    channel_result,
                ]
            )
        ),
    )
    platform.route("GET", f"{API}/videos", Reply.json(video_list([bad_stats])))
    result = source(platform, query="acme").fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == ["vid00000003"]
    assert len(result.problems) == 2
    assert any(
        p.where == "youtube search 'acme' page 1 item 3" and "videoId" in p.message
        for p in result.problems
    )
    assert any(
        p.where == f"youtube video {OTHER_VIDEO}" and "views" in p.message for p in result.problems
    )
    # The bad video was handled (a problem), so the boundary moves past it.
    assert result.checkpoint["search"]["ids"] == ["vid00000003"]


def test_out_of_time_after_a_video_keeps_it_and_goes_on_next_call(
    platform: PlatformServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    real = time.monotonic
    late = {"by": 0.0}
    monkeypatch.setattr(time, "monotonic", lambda: real() + late["by"])

    def answer(request: Request) -> Reply:
        if request.arg("videoId") == OTHER_VIDEO and not late["by"] and len(platform.requests) < 3:
            late["by"] = 3600.0  # the poll's deadline passes while this video is read
        video_id = request.arg("videoId")
        return Reply.json(thread_list([thread(f"T-{video_id}", "2026-12-04T09:00:00Z")]))

    platform.route("GET", f"{API}/commentThreads", answer)
    yt = source(platform, videos=[VIDEO, OTHER_VIDEO])
    first = yt.fetch(None, now=NOW, deadline=real() + 60)
    assert [p.external_id for p in first.posts] == [f"T-{VIDEO}"] and not first.exhausted
    assert "deadline" in first.problems[0].message and OTHER_VIDEO in first.problems[0].where
    late["by"] = 0.0
    second = yt.fetch(first.checkpoint, now=NOW, deadline=real() + 60)
    assert [p.external_id for p in second.posts] == [f"T-{OTHER_VIDEO}"] and second.exhausted
