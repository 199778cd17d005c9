"""Kind "telegram" against a local server answering like the t.me/s channel preview."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import SourceError
from flarewatch.sources.registry import build_source
from tests.sources.platform_server import PlatformServer, Reply, Request

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HEADER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Grillberry – Telegram</title>
</head><body class="widget_frame_base tgme_widget">
<div class="tgme_channel_info"><div class="tgme_channel_info_header">
<div class="tgme_channel_info_header_title"><span dir="auto">Grillberry News</span>
<i class="verified-icon"></i></div></div>
<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">
<span class="counter_value">12.5K</span> <span class="counter_type">subscribers</span></div>
<div class="tgme_channel_info_counter"><span class="counter_value">340</span>
<span class="counter_type">photos</span></div></div></div>
<main class="tgme_main"><section class="tgme_channel_history js-message_history">
"""
FOOTER = "</section></main></body></html>"


def message(number: int, inner: str, *, at: str | None = None, views: str = "950") -> str:
    stamp = at or f"2026-12-04T10:{number % 60:02d}:00+00:00"
    return f"""<div class="tgme_widget_message_wrap js-widget_message_wrap">
<div class="tgme_widget_message text_not_supported_wrap js-widget_message"
 data-post="grillberry/{number}" data-view="eyJ">
<div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name"
 href="https://t.me/grillberry"><span dir="auto">Grillberry News</span></a></div>
{inner}
<div class="tgme_widget_message_footer compact js-message_footer">
<div class="tgme_widget_message_info short js-message_info">
<span class="tgme_widget_message_views">{views}</span><span class="copyonly"> views</span>
<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"
 href="https://t.me/grillberry/{number}"><time datetime="{stamp}" class="time">10:00</time>
</a></span></div></div></div></div></div>"""


def text(body: str) -> str:
    return f'<div class="tgme_widget_message_text js-message_text" dir="auto">{body}</div>'


def page(*messages: str) -> str:
    return HEADER + "".join(messages) + FOOTER


def html(body: str, status: int = 200, **headers: str) -> Reply:
    return Reply.raw(body, status, content_type="text/html; charset=utf-8", **headers)


def source(platform: PlatformServer, *channels: str):  # noqa: ANN201
    config = SourceConfig(
        key="tg",
        kind="telegram",
        channels=list(channels or ["grillberry"]),
        endpoint=platform.url(),
    )
    return build_source(config, Path("."))


def serve_numbers(
    platform: PlatformServer, numbers: list[int], channel: str = "grillberry"
) -> None:
    """A channel whose messages are `numbers`: the newest 20 without `after`, else the 20 right
    after it, oldest first (as t.me/s does)."""

    def answer(request: Request) -> Reply:
        after = request.arg("after")
        newer = [n for n in numbers if after is not None and n > int(after)]
        shown = numbers[-20:] if after is None else newer[:20]
        return html(page(*(message(n, text(f"message {n}")) for n in shown)))

    platform.route("GET", f"/s/{channel}", answer)


def test_every_field_of_a_message_is_mapped(platform: PlatformServer) -> None:
    forwarded = (
        '<div class="tgme_widget_message_forwarded_from accent_color">Forwarded from '
        '<a class="tgme_widget_message_forwarded_from_name" href="https://t.me/acme_burgers/77">'
        '<span dir="auto">Acme Burgers</span></a></div>'
    )
    reply = (
        '<a class="tgme_widget_message_reply" href="https://t.me/grillberry/3">'
        '<div class="tgme_widget_message_author accent_color"><span class="tgme_widget_message_'
        'author_name">Grillberry News</span></div><div class="tgme_widget_message_text '
        'js-message_reply_text">the replied text</div></a>'
    )
    signed = '<span class="tgme_widget_message_from_author" dir="auto">Dana Levi</span>'
    body = page(
        message(
            4,
            forwarded
            + text(
                'Worms in the <b>burger</b>\x00!<br/>Second line <a href="?q=%23recall">#recall</a>'
            ),
            views="1.2K",
        ),
        message(5, reply + text("Replying: אנחנו בודקים") + signed),
        message(
            6,
            '<a class="tgme_widget_message_photo_wrap" href="https://t.me/grillberry/6" '
            "style=\"background-image:url('https://cdn4.telesco.pe/file/x.jpg')\"></a>",
        ),
        message(
            7,
            '<div class="tgme_widget_message_poll"><div class="tgme_widget_message_poll_question">'
            "Still buying?</div></div>",
        ),
        '<div class="tgme_widget_message_wrap"><div class="tgme_widget_message service_message '
        'js-widget_message" data-post="grillberry/8"><div class="tgme_widget_message_text">'
        "Channel photo updated</div></div></div>",
        message(
            9,
            text("Reactions")
            + '<div class="tgme_widget_message_reactions"><span class="tgme_reaction">'
            '<i class="emoji"><b>❤</b></i>1.5K</span><span class="tgme_reaction">'
            '<i class="emoji"><b>👍</b></i>12</span></div>',
            views="3.4M",
        ),
    )
    platform.route(
        "GET", "/s/grillberry", lambda r: html(body if r.arg("after") is None else page())
    )
    result = source(platform).fetch(None, now=NOW)
    assert [p.external_id for p in result.posts] == [
        "grillberry/4",
        "grillberry/5",
        "grillberry/6",
        "grillberry/7",
        "grillberry/9",
    ]
    first, second, photo, poll, liked = result.posts
    assert first.text == "Worms in the burger!\nSecond line #recall"
    assert first.links == [f"{platform.url()}/s/grillberry?q=%23recall"]
    assert first.url == f"{platform.url()}/grillberry/4"
    assert first.views == 1200 and first.repost_of == "acme_burgers/77"
    assert first.raw["forwarded_from"] == "Acme Burgers"
    assert first.author == "grillberry" and first.author_name == "Grillberry News"
    assert first.author_followers == 12500 and first.author_verified is True
    assert first.created_at == datetime(2026, 12, 4, 10, 4, tzinfo=UTC)
    assert first.platform == "telegram" and first.source_key == "tg"
    assert second.reply_to == "grillberry/3" and second.text == "Replying: אנחנו בודקים"
    assert second.author_name == "Dana Levi"  # a signed post names its author
    assert photo.text == "[photo]" and photo.raw["media"] == "photo"
    assert poll.text == "[poll] Still buying?"
    assert liked.likes == 1512 and liked.views == 3_400_000
    assert result.problems == [] and result.exhausted
    assert result.checkpoint == {"last_ids": {"grillberry": 9}}
    assert platform.requests[-1].arg("after") == "9"


def test_the_checkpoint_resumes_forward_without_loss_or_doubles(platform: PlatformServer) -> None:
    numbers = list(range(1, 51))
    serve_numbers(platform, numbers)
    tg = source(platform)
    first = tg.fetch(None, now=NOW)
    assert [p.raw["message_id"] for p in first.posts] == list(range(31, 51))
    again = tg.fetch(first.checkpoint, now=NOW)
    assert again.posts == [] and again.checkpoint == first.checkpoint
    numbers.extend(range(51, 76))  # 25 new: more than one page of 20
    later = tg.fetch(again.checkpoint, now=NOW)
    assert [p.raw["message_id"] for p in later.posts] == list(range(51, 76))
    assert [r.arg("after") for r in platform.requests[-3:]] == ["50", "70", "75"]


def test_a_fetch_cut_by_limit_continues_where_it_stopped(platform: PlatformServer) -> None:
    numbers = [10, 11, 12, 14, 15]
    serve_numbers(platform, numbers)
    tg = source(platform)
    first = tg.fetch(None, limit=2, now=NOW)
    assert [p.raw["message_id"] for p in first.posts] == [10, 11]
    assert first.exhausted is False and first.checkpoint == {"last_ids": {"grillberry": 11}}
    second = tg.fetch(first.checkpoint, limit=2, now=NOW)
    assert [p.raw["message_id"] for p in second.posts] == [12, 14]
    third = tg.fetch(second.checkpoint, limit=2, now=NOW)
    assert [p.raw["message_id"] for p in third.posts] == [15]
    assert third.exhausted is True


def test_a_private_or_unknown_channel_is_a_problem_and_the_others_are_read(
    platform: PlatformServer,
) -> None:
    serve_numbers(platform, [1, 2])
    platform.route("GET", "/s/secretchan", Reply(302, b"", {"Location": "/secretchan"}))
    platform.route(
        "GET",
        "/secretchan",
        html("<html><body><div class='tgme_page'>Join Secret Channel</div></body></html>"),
    )
    result = source(platform, "grillberry", "@secretchan").fetch(None, now=NOW)
    assert [p.raw["message_id"] for p in result.posts] == [1, 2]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert "secretchan" in problem.where and "only public channels" in problem.message
    assert "secretchan" not in result.checkpoint["last_ids"]
    with pytest.raises(SourceError, match="'secretchan'.*only public channels"):
        source(platform, "secretchan").fetch(None, now=NOW)


def test_a_page_cut_off_is_an_error_not_an_empty_channel(platform: PlatformServer) -> None:
    body = page(message(1, text("one")), message(2, text("two")))
    platform.route("GET", "/s/grillberry", html(body[: body.index("</section>")]))
    with pytest.raises(SourceError, match=r"cut off before its end \(no </html>"):
        source(platform).fetch(None, now=NOW)
    data = body.encode()
    platform.route(
        "GET",
        "/s/grillberry",
        Reply(200, data, {"Content-Type": "text/html"}, cut_after=len(data) // 2),
    )
    with pytest.raises(SourceError, match="truncated|cut off"):
        source(platform).fetch(None, now=NOW)


def test_one_bad_message_is_a_problem_and_the_rest_are_kept(platform: PlatformServer) -> None:
    broken = message(3, text("no id")).replace('data-post="grillberry/3"', 'data-post="grillberry"')
    bad_time = message(4, text("bad time"), at="yesterday-ish")
    body = page(message(2, text("two")), broken, bad_time, message(5, text("five")))
    platform.route(
        "GET", "/s/grillberry", lambda r: html(body if r.arg("after") is None else page())
    )
    result = source(platform).fetch(None, now=NOW)
    assert [p.raw["message_id"] for p in result.posts] == [2, 5]
    assert len(result.problems) == 2
    assert any("data-post" in p.message for p in result.problems)
    assert any("created_at" in p.message and "grillberry/4" in p.where for p in result.problems)
    assert result.checkpoint == {"last_ids": {"grillberry": 5}}


def test_a_rate_limit_ends_the_poll_until_telegram_says(platform: PlatformServer) -> None:
    platform.route("GET", "/s/grillberry", html("Too Many Requests", 429, **{"Retry-After": "600"}))
    with pytest.raises(SourceError) as info:
        source(platform).fetch(None, now=NOW)
    assert "rate limited" in str(info.value)
    assert info.value.retry_at is not None and info.value.retry_at > NOW


@pytest.mark.parametrize(
    ("options", "message_part"),
    [
        ({"channels": ["grillberry"], "chanels": ["x"]}, "unknown field"),
        ({"channels": []}, "at least 1"),
        ({"channels": ["no spaces allowed"]}, "not a public channel's username"),
        ({"channels": ["grillberry", "@Grillberry"]}, "listed twice"),
        ({"channels": ["grillberry"], "endpoint": "t.me"}, "not a web address"),
    ],
)
def test_options_are_checked_with_clear_messages(options: dict, message_part: str) -> None:
    with pytest.raises(ValidationError, match=message_part):
        SourceConfig.model_validate({"key": "tg", "kind": "telegram", **options})


def test_channels_are_accepted_as_links_and_handles() -> None:
    config = SourceConfig.model_validate(
        {"key": "tg", "kind": "telegram", "channels": ["https://t.me/s/durov", "@acme_news"]}
    )
    assert config.options().channels == ["durov", "acme_news"]


def write_workspace(tmp_path: Path, platform: PlatformServer) -> Path:
    workspace = tmp_path / "acme.toml"
    workspace.write_text(
        f"""
slug = "acme"
name = "Acme"

[[topics]]
key = "brand"
query = "grillberry"

[[sources]]
key = "tg"
kind = "telegram"
channels = ["grillberry"]
endpoint = "{platform.url()}"
""",
        encoding="utf-8",
    )
    return workspace


def test_sources_test_through_the_cli_prints_the_ingest_format(
    platform: PlatformServer, tmp_path: Path
) -> None:
    serve_numbers(platform, [41, 42])
    workspace = write_workspace(tmp_path, platform)
    result = CliRunner().invoke(
        app, ["sources", "test", "tg", "--workspace", str(workspace), "--jsonl"]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["grillberry/41", "grillberry/42"]
    assert records[0]["text"] == "message 41" and records[0]["platform"] == "telegram"
    assert records[0]["url"] == f"{platform.url()}/grillberry/41"


def test_a_short_retry_after_is_waited_within_the_poll(platform: PlatformServer) -> None:
    answers = [html("Too Many Requests", 429, **{"Retry-After": "0"})]
    body = page(message(1, text("after the wait")))

    def answer(request: Request) -> Reply:
        if answers:
            return answers.pop()
        return html(body if request.arg("after") is None else page())

    platform.route("GET", "/s/grillberry", answer)
    result = source(platform).fetch(None, now=NOW)
    assert [p.text for p in result.posts] == ["after the wait"]
    assert [r.arg("after") for r in platform.requests] == [None, None, "1"]


def test_what_was_read_before_a_cut_off_page_is_kept(platform: PlatformServer) -> None:
    first = page(message(1, text("one")), message(2, text("two")))
    cut = page(message(3, text("three")))[:-30]

    def answer(request: Request) -> Reply:
        return html(first if request.arg("after") is None else cut)

    platform.route("GET", "/s/grillberry", answer)
    result = source(platform).fetch(None, now=NOW)
    assert [p.raw["message_id"] for p in result.posts] == [1, 2]
    assert len(result.problems) == 1 and "cut off" in result.problems[0].message
    assert result.checkpoint == {"last_ids": {"grillberry": 2}}


def test_sources_run_stores_once_and_the_next_run_takes_only_the_new(
    platform: PlatformServer, tmp_path: Path
) -> None:
    numbers = [41, 42]
    serve_numbers(platform, numbers)
    workspace = str(write_workspace(tmp_path, platform))
    first = CliRunner().invoke(app, ["sources", "run", "tg", "--workspace", workspace])
    assert first.exit_code == 0, first.output
    assert "acme/tg: 2 new post(s)" in first.output
    numbers.append(43)
    second = CliRunner().invoke(app, ["sources", "run", "tg", "--workspace", workspace])
    assert second.exit_code == 0, second.output
    assert "acme/tg: 1 new post(s)" in second.output
    assert platform.requests[-2].arg("after") == "42"  # the committed checkpoint
