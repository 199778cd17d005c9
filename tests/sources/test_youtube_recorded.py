"""Kind "youtube" replaying real recorded API answers (tests/sources/recorded/youtube), and a
`flarewatch sources test` run through the command line against the local server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.sources.base import CredentialError
from flarewatch.sources.youtube import YouTubeOptions, YouTubeSource
from tests.sources.platform_server import PlatformServer, Reply
from tests.sources.youtube_payloads import VIDEO, comment, thread, thread_list

RECORDED = Path(__file__).parent / "recorded" / "youtube"
API = "/youtube/v3"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def source(platform: PlatformServer, **options: Any) -> YouTubeSource:
    settings = {"api_key_env": "YT_KEY", "endpoint": platform.url(API), **options}
    return YouTubeSource("surf", YouTubeOptions(**settings), api_key="AIza-test")


def test_a_recorded_search_answer(platform: PlatformServer) -> None:
    platform.route("GET", f"{API}/search", Reply.json(recorded("search_by_keywords.json")))
    yt = source(platform, query="surfing", statistics=False)
    result = yt.fetch(None, now=datetime(2019, 12, 6, 12, 0, tzinfo=UTC))
    assert [p.external_id for p in result.posts] == ["i2hewkFijuY", "gQ_1zX-F_No", "_Z56nIAQj7Q"]
    first = result.posts[0]
    assert first.title == "SURFING PERFECT PIPE & BACKDOOR || SUNRISE SHACK!"
    assert first.text.startswith(first.title + "\n\nThis is Livin' Movie")
    assert first.author == "UC_F4Iy5korq2mEWZDQhG07w" and first.author_name == "Koa Rothman"
    assert first.created_at == datetime(2019, 12, 4, 16, 0, 8, tzinfo=UTC)
    assert first.url == "https://www.youtube.com/watch?v=i2hewkFijuY"
    assert result.posts[1].title == "SURFING HAWAII\u2019S BEST WAVE WITH MY GIRLFRIEND (PIPELINE)"
    # The page's oldest result is before the boundary: no second page, one search's units.
    assert len(platform.requests) == 1 and result.quota and result.quota["remaining"] == 9_900


def test_recorded_comment_threads(platform: PlatformServer) -> None:
    answer = recorded("comment_threads_by_video.json")
    platform.route("GET", f"{API}/commentThreads", Reply.json(answer))
    yt = source(platform, videos=["D-lhorsDlUQ"], history_days=365)
    result = yt.fetch(None, now=datetime(2019, 7, 21, tzinfo=UTC))
    thread_id = "UgydxWWoeA7F1OdqypJ4AaABAg"
    assert [p.external_id for p in result.posts] == [
        "UgyrVQaFfEdvaSzstj14AaABAg",
        "UgxKREWxIgDrw8w2e_Z4AaABAg",
        thread_id,
        f"{thread_id}.8wWQ3tdHcFx8xcDheui-qb",
    ]
    multiline, top, reply = result.posts[1:]
    assert multiline.text.startswith("Super video !!!\nWith full power skil")
    assert top.text == "Actions.ai" and top.replies == 1 and top.reply_to == "D-lhorsDlUQ"
    assert top.author == "UCe9i1nJCcevTa6KJa55KYog" and top.author_name == "Loren Robilio"
    assert top.url == f"https://www.youtube.com/watch?v=D-lhorsDlUQ&lc={thread_id}"
    assert reply.reply_to == thread_id and reply.likes == 1 and reply.text == "#"
    assert reply.created_at == datetime(2019, 7, 20, 20, 22, 27, tzinfo=UTC)
    assert result.problems == [] and not platform.paths().count(f"{API}/comments")


def test_a_recorded_key_error_names_the_variable(platform: PlatformServer) -> None:
    body = recorded("error_key_invalid.json")
    platform.route("GET", f"{API}/commentThreads", Reply.json(body, status=400))
    with pytest.raises(CredentialError, match="YT_KEY") as caught:
        source(platform, videos=["D-lhorsDlUQ"]).fetch(None)
    assert "keyInvalid" in str(caught.value) and "'surf'" in str(caught.value)


WORKSPACE = """
slug = "acme"
name = "Acme Burgers"

[[sources]]
key = "acme-yt"
kind = "youtube"
videos = ["https://youtu.be/{video}"]
api_key_env = "ACME_YT_KEY"
endpoint = "{endpoint}"
"""


def test_sources_test_through_the_command_line(
    platform: PlatformServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Times near the real clock, which the command uses: the first poll reads 7 days back.
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    when = hour_ago.strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (hour_ago + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    reply = comment("T1.r1", later, "\u05d2\u05dd \u05d0\u05e6\u05dc\u05d9", parent="T1")
    page = thread_list([thread("T1", when, "Worm in my Acme burger", replies=[reply])])
    platform.route("GET", f"{API}/commentThreads", Reply.json(page))
    path = tmp_path / "acme.toml"
    path.write_text(WORKSPACE.format(video=VIDEO, endpoint=platform.url(API)), encoding="utf-8")
    monkeypatch.setenv("ACME_YT_KEY", "AIza-from-env")
    result = CliRunner().invoke(
        app, ["sources", "test", "acme-yt", "--workspace", str(path), "--jsonl"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["T1", "T1.r1"]
    assert records[0]["platform"] == "youtube" and records[0]["reply_to"] == VIDEO
    assert (
        records[1]["text"] == "\u05d2\u05dd \u05d0\u05e6\u05dc\u05d9"
        and records[1]["reply_to"] == "T1"
    )
    assert platform.requests[0].arg("key") == "AIza-from-env"
    monkeypatch.delenv("ACME_YT_KEY")
    missing = CliRunner().invoke(app, ["sources", "test", "acme-yt", "--workspace", str(path)])
    assert missing.exit_code != 0 and "ACME_YT_KEY" in missing.output
