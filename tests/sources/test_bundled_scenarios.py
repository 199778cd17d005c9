from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import flarewatch.demo
from flarewatch.config import load_workspace_file
from flarewatch.mentions.post import Post
from flarewatch.sources.registry import build_source
from flarewatch.sources.scenario import generate_posts, load_scenario
from flarewatch.sources.scenario_format import parse_scenario

DEMO = Path(flarewatch.demo.__file__).parent
ANCHOR = datetime(2024, 6, 11, 9, 0, tzinfo=UTC)  # a Tuesday, noon in Israel


def _window(posts: list[Post], start_min: float, end_min: float) -> list[Post]:
    start, end = ANCHOR + timedelta(minutes=start_min), ANCHOR + timedelta(minutes=end_min)
    return [p for p in posts if start <= p.created_at < end]


def _negative_share(posts: list[Post]) -> float:
    tones = Counter(p.raw.get("tone") for p in posts)
    return tones["negative"] / max(1, sum(tones.values()))


@pytest.mark.parametrize("name", ["burger.toml", "outage.toml"])
def test_bundled_scenarios_spike_after_the_trigger(name: str) -> None:
    scenario = load_scenario(DEMO / "scenarios" / name)
    posts = generate_posts(scenario, ANCHOR)
    assert {p.language for p in posts} == {"he", "en"}
    before = [p for p in posts if p.created_at < ANCHOR]
    after = [p for p in posts if p.created_at >= ANCHOR]
    assert len({p.platform for p in before}) >= 2 and len({p.platform for p in after}) >= 2
    # Same hour of the week one week earlier vs the first half hour of the crisis.
    usual = _window(posts, -24 * 60, -24 * 60 + 30)
    first_half_hour = _window(posts, 0, 30)
    assert len(first_half_hour) > 2 * len(usual)
    assert _negative_share(first_half_hour) > _negative_share(before) + 0.3
    # It keeps growing: the second hour is busier than the first half hour.
    assert len(_window(posts, 60, 90)) > 2 * len(first_half_hour)


def test_burger_scenario_has_the_story_beats() -> None:
    posts = generate_posts(load_scenario(DEMO / "scenarios" / "burger.toml"), ANCHOR)
    events: dict[str, Post] = {}
    for post in posts:  # the first post of each event; a translation may follow it
        if "event" in post.raw:
            events.setdefault(post.raw["event"], post)
    assert events["trigger"].platform == "facebook" and events["trigger"].language == "he"
    assert any(p.author_followers and p.author_followers > 50_000 for p in events.values())
    assert any(p.platform == "news" and p.title for p in events.values())
    assert events["brand-reply"].reply_to == events["trigger"].external_id
    texts = " ".join(p.text.lower() for p in posts if p.created_at >= ANCHOR)
    for term in ("boycott", "refund", "lawsuit", "חרם", "החזר כספי", "תביעה"):
        assert term in texts
    # Israel's weekend: Saturdays are quieter than Tuesdays in the history.
    local = [p.created_at.astimezone(ANCHOR.tzinfo) for p in posts if p.created_at < ANCHOR]
    per_day = Counter(t.weekday() for t in local)
    assert per_day[5] < 0.8 * per_day[0]


def test_outage_scenario_facebook_goes_silent() -> None:
    posts = generate_posts(load_scenario(DEMO / "scenarios" / "outage.toml"), ANCHOR)
    assert _window(posts, 20, 30) and any(p.platform == "facebook" for p in _window(posts, 20, 30))
    assert not [p for p in _window(posts, 30, 90) if p.platform == "facebook"]


def test_demo_workspace_loads_and_replays_at_once() -> None:
    config = load_workspace_file(DEMO / "workspace.toml")
    assert config.slug == "demo" and set(config.languages) == {"en", "he"}
    (source_config,) = [s for s in config.sources if s.kind == "scenario"]
    source_config.speed = None
    source = build_source(source_config, DEMO)
    result = source.fetch(None, limit=1_000_000)
    assert result.exhausted and len(result.posts) > 5000


def test_the_documented_example_is_a_valid_scenario() -> None:
    docs = Path(__file__).parents[2] / "docs" / "scenarios.md"
    example = docs.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(example, "docs/scenarios.md")
    posts = generate_posts(scenario, ANCHOR)
    assert any(p.raw.get("event") == "brand-reply" for p in posts)
