from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import SourceError
from flarewatch.sources.registry import build_source
from flarewatch.sources.scenario import ScenarioSource, generate_posts, load_scenario
from flarewatch.sources.scenario_format import ScenarioError, parse_scenario

ANCHOR = datetime(2024, 6, 11, 9, 0, tzinfo=UTC)

SMALL = """
name = "Small test"
seed = 3
languages = ["en", "he"]
platforms = ["twitter", "facebook"]
timezone = "Asia/Jerusalem"
history_days = 1
duration_minutes = 60

[slots.en]
brand = ["Acme"]
[slots.he]
brand = ["אקמי"]

[texts.chat.en]
neutral = ["{brand} is fine", "lunch at {brand}"]
positive = ["love {brand}"]
[texts.chat.he]
neutral = ["{brand} בסדר"]
positive = ["אוהבת את {brand}"]
[texts.angry.en]
negative = ["{brand} is awful"]
[texts.angry.he]
negative = ["{brand} נוראי"]

[[baseline]]
platform = "twitter"
posts_per_hour = 20
texts = "chat"
languages = { en = 0.5, he = 0.5 }
tone = { neutral = 0.7, positive = 0.3 }

[trigger]
platform = "facebook"
author = "first"
followers = 500
text.he = "משהו נורא קרה באקמי"
text.en = "Something awful happened at Acme"

[[growth]]
platform = "twitter"
start_minutes = 5
posts_per_10min = 10
growth_factor = 2
max_per_10min = 80
texts = "angry"
languages = { en = 1 }
tone = { negative = 1 }
reply_share = 0.5

[[events]]
key = "reply"
at_minutes = 20
platform = "facebook"
author = "acme"
reply_to = "trigger"
text.en = "We are looking into it"

[take_down]
platform = "facebook"
at_minutes = 30
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_generation_is_deterministic_and_anchored(small: Path) -> None:
    scenario = load_scenario(small)
    first = generate_posts(scenario, ANCHOR)
    again = generate_posts(scenario, ANCHOR)
    assert [(p.external_id, p.created_at, p.text) for p in first] == [
        (p.external_id, p.created_at, p.text) for p in again
    ]
    assert [p.created_at for p in first] == sorted(p.created_at for p in first)
    assert all(p.created_at.tzinfo is not None for p in first)
    assert len({p.external_id for p in first}) == len(first)

    trigger = next(p for p in first if p.external_id.endswith("-trigger"))
    assert trigger.created_at == ANCHOR and trigger.language == "he"
    assert first[0].created_at >= ANCHOR - timedelta(days=1)
    assert first[-1].created_at < ANCHOR + timedelta(minutes=60)

    later = generate_posts(scenario, ANCHOR + timedelta(days=2))
    assert not {p.external_id for p in first} & {p.external_id for p in later}
    moved = next(p for p in later if p.external_id.endswith("-trigger"))
    assert moved.created_at == ANCHOR + timedelta(days=2)


def test_generated_content_follows_the_file(small: Path) -> None:
    posts = generate_posts(load_scenario(small), ANCHOR)
    before = [p for p in posts if p.created_at < ANCHOR]
    after = [p for p in posts if p.created_at >= ANCHOR]
    assert {p.platform for p in before} == {"twitter"}
    assert all("{" not in p.text for p in posts)
    angry = [p for p in after if p.raw.get("stream") == "g0"]
    assert angry and all(p.text == "Acme is awful" and p.language == "en" for p in angry)
    trigger_id = next(p.external_id for p in posts if p.external_id.endswith("-trigger"))
    # English replies answer the trigger's English version.
    assert any(p.reply_to == trigger_id + "-en" for p in angry)
    reply = next(p for p in posts if p.raw.get("event") == "reply")
    # The trigger's English version is the post in the reply's language.
    assert reply.reply_to == trigger_id + "-en"
    # The take-down ends generated Facebook posts; scripted ones are not generated.
    late_fb = [p for p in after if p.platform == "facebook" and "stream" in p.raw]
    assert all(p.created_at < ANCHOR + timedelta(minutes=30) for p in late_fb)
    # The crisis stream grows: more posts in the last ten minutes than in its first ten.
    first10 = [p for p in angry if p.created_at < ANCHOR + timedelta(minutes=15)]
    last10 = [p for p in angry if p.created_at >= ANCHOR + timedelta(minutes=50)]
    assert len(last10) > 2 * len(first10)


def test_replay_clock_releases_posts_in_batches_and_resumes(small: Path) -> None:
    source = ScenarioSource("replay", small, speed=60)  # one scenario minute per wall second
    wall = datetime(2030, 1, 1, tzinfo=UTC)
    first = source.fetch(None, limit=10, now=wall)
    assert len(first.posts) == 10 and not first.exhausted
    assert first.checkpoint["anchor"] == wall.isoformat()

    seen = list(first.posts)
    checkpoint = first.checkpoint
    while True:
        result = source.fetch(checkpoint, limit=10, now=wall)
        seen += result.posts
        checkpoint = result.checkpoint
        if result.exhausted:
            break
    # At replay start: all history and the trigger, nothing later.
    assert seen[-1].created_at <= wall and any(p.raw.get("event") == "trigger" for p in seen)
    assert source.clock(checkpoint, wall) == wall

    # A restart (a new source object, the stored checkpoint) goes on where it stopped.
    restarted = ScenarioSource("replay", small, speed=60)
    ten_minutes = restarted.fetch(checkpoint, limit=10_000, now=wall + timedelta(seconds=10))
    assert ten_minutes.posts and all(
        wall < p.created_at <= wall + timedelta(minutes=10) for p in ten_minutes.posts
    )
    seen += ten_minutes.posts
    rest = restarted.fetch(ten_minutes.checkpoint, limit=10_000, now=wall + timedelta(hours=1))
    seen += rest.posts
    assert rest.checkpoint["done"] is True

    everything = generate_posts(load_scenario(small), wall, id_prefix="small-20300101T000000Z")
    assert [p.external_id for p in seen] == [p.external_id for p in everything]
    assert all(p.source_key == "replay" for p in seen)


def test_as_fast_as_possible_and_configured_start(small: Path) -> None:
    start = datetime(2024, 6, 11, 12, 0, tzinfo=UTC)
    config = SourceConfig(
        key="drill", kind="scenario", path=small.name, speed=0, start=start, history_days=0
    )
    source = build_source(config, small.parent)
    result = source.fetch(None, limit=100_000)
    assert result.exhausted and result.checkpoint["done"]
    assert result.posts[0].created_at == start  # no history: the trigger comes first
    assert source.fetch(result.checkpoint).posts == []


def test_changed_file_resumes_from_the_time_reached(small: Path) -> None:
    wall = datetime(2030, 1, 1, tzinfo=UTC)
    source = ScenarioSource("replay", small, speed=60)
    checkpoint = source.fetch(None, limit=100_000, now=wall).checkpoint
    small.write_text(SMALL.replace("posts_per_10min = 10", "posts_per_10min = 12"), "utf-8")
    edited = ScenarioSource("replay", small, speed=60)
    later = edited.fetch(checkpoint, limit=100_000, now=wall + timedelta(minutes=1))
    assert later.posts and all(p.created_at >= wall for p in later.posts)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('languages = ["en", "he"]', 'languages = ["english"]'),
        ('texts = "angry"', 'texts = "furious"'),
        ('platform = "twitter"\nstart_minutes', 'platform = "tiktok"\nstart_minutes'),
        ('neutral = ["{brand} is fine"', 'neutral = ["{brand} at {place}"'),
        ("posts_per_10min = 10", "posts_per_10min = -1"),
        ('reply_to = "trigger"', 'reply_to = "nothing"'),
        ("seed = 3", "seed = 3\ncolour = 'red'"),
    ],
)
def test_validation_names_field_and_fix(change: str, expected: str) -> None:
    assert change in SMALL
    with pytest.raises(ScenarioError) as info:
        parse_scenario(SMALL.replace(change, expected, 1), "drill.toml")
    message = str(info.value)
    assert message.startswith("drill.toml: invalid scenario")
    hints = {
        'languages = ["english"]': "two-letter",
        'texts = "furious"': "no [texts.furious] pool",
        'platform = "tiktok"\nstart_minutes': "'tiktok' is not in platforms",
        'neutral = ["{brand} at {place}"': "no fillers for {place}; add place = [...]",
        "posts_per_10min = -1": "growth[0].posts_per_10min",
        'reply_to = "nothing"': "no event with key 'nothing'",
        "seed = 3\ncolour = 'red'": "colour: unknown field",
    }
    assert hints[expected] in message


def test_broken_scenario_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = [", encoding="utf-8")
    with pytest.raises(SourceError, match="not valid TOML"):
        ScenarioSource("x", path)
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "missing.toml")
