"""The scenario file format (TOML): what a crisis replay or a drill is made of.

A scenario describes volumes, timing and text templates, never the posts themselves; posts are
generated from it with a fixed seed (see `flarewatch.sources.scenario`). docs/scenarios.md
documents every field. Errors name the file, the field and the fix, because drills are written by
communicators who will copy a bundled scenario and change it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from flarewatch.config.workspace import describe_validation_error

Tone = Literal["positive", "neutral", "negative"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT_RE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
LANG_RE = re.compile(r"^[a-z]{2}$")
# Social chatter peaks at lunch and in the evening and almost stops at night (local time).
DEFAULT_DAILY_SHAPE = [
    0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.4, 0.7, 0.9, 1.0, 1.05, 1.2,
    1.5, 1.45, 1.2, 1.1, 1.15, 1.3, 1.6, 1.8, 1.75, 1.5, 1.0, 0.6,
]  # fmt: skip


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed, with every problem found in it."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: invalid scenario\n{lines}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _weights(value: dict[str, float], what: str) -> dict[str, float]:
    if any(weight < 0 for weight in value.values()):
        raise ValueError(f"{what} weights must be 0 or more")
    if not value or sum(value.values()) <= 0:
        raise ValueError(f"give at least one {what} a weight above 0, e.g. {{ en = 1 }}")
    return value


def _all_neutral() -> dict[Tone, float]:
    return {"neutral": 1.0}


class Stream(_Strict):
    """Posts that arrive at a rate on one platform, with texts drawn from a template pool."""

    platform: str
    texts: str = Field(description="name of a [texts.NAME] pool")
    languages: dict[str, float] = Field(description="language → share, e.g. { he = 0.6, en = 0.4 }")
    tone: dict[Tone, float] = Field(default_factory=_all_neutral)
    followers: tuple[int, int] = (20, 3000)
    authors: int | None = Field(default=None, ge=1, description="distinct authors (default: many)")

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value, "language")

    @field_validator("tone")
    @classmethod
    def _tone(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value, "tone")

    @field_validator("followers")
    @classmethod
    def _followers(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if low < 0 or high < low:
            raise ValueError("write [least, most] with 0 <= least <= most, e.g. [20, 3000]")
        return value


class Baseline(Stream):
    """Normal chatter: `posts_per_hour` on an average hour, shaped by the daily/weekly shapes."""

    posts_per_hour: float = Field(ge=0)


class Growth(Stream):
    """Crisis posts on one platform: a rate that starts at `start_minutes` and grows."""

    start_minutes: float = Field(ge=0)
    end_minutes: float | None = Field(default=None, gt=0)
    posts_per_10min: float = Field(gt=0)
    growth_factor: float = Field(default=1.5, ge=0, description="rate multiplier per 10 minutes")
    max_per_10min: float | None = Field(default=None, gt=0)
    reply_share: float = Field(default=0.0, ge=0, le=1)
    repost_share: float = Field(default=0.0, ge=0, le=1)
    reply_to: str = "trigger"

    @model_validator(mode="after")
    def _shares(self) -> Growth:
        if self.reply_share + self.repost_share > 1:
            raise ValueError("reply_share + repost_share must be at most 1")
        if self.end_minutes is not None and self.end_minutes <= self.start_minutes:
            raise ValueError("end_minutes must be later than start_minutes")
        return self


class Event(_Strict):
    """One scripted post (or one per language given): the trigger, an influencer, an article."""

    key: str
    at_minutes: float = Field(default=0, ge=0)
    platform: str
    author: str
    author_name: str | None = None
    followers: int = Field(default=0, ge=0)
    verified: bool = False
    title: dict[str, str] | None = None
    text: dict[str, str] = Field(description="language → text; one post per language")
    url: str | None = None
    reply_to: str | None = None
    repost_of: str | None = None
    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    views: int = Field(default=0, ge=0)

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", value):
            raise ValueError("use lower-case letters, digits, '-' and '_', e.g. 'news-article'")
        return value

    @field_validator("text")
    @classmethod
    def _text(cls, value: dict[str, str]) -> dict[str, str]:
        if not value or any(not text for text in value.values()):
            raise ValueError('give the text per language, e.g. text = { he = "...", en = "..." }')
        return value


class Trigger(Event):
    key: str = "trigger"
    at_minutes: float = 0


class TakeDown(_Strict):
    """The brand removes its page on a platform: generated posts there stop arriving."""

    platform: str
    at_minutes: float = Field(ge=0)
    until_minutes: float | None = None


class Scenario(_Strict):
    name: str
    description: str = ""
    seed: int = 1
    languages: list[str]
    platforms: list[str]
    timezone: str = "UTC"
    history_days: float = Field(default=7, ge=0, le=60)
    duration_minutes: float = Field(default=120, gt=0, le=7 * 24 * 60)
    daily_shape: list[float] = Field(default_factory=lambda: list(DEFAULT_DAILY_SHAPE))
    weekly_shape: dict[str, float] = Field(default_factory=dict)
    slots: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    people: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    texts: dict[str, dict[str, dict[Tone, list[str]]]]
    baseline: list[Baseline] = Field(default_factory=list)
    trigger: Trigger
    growth: list[Growth] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    take_down: TakeDown | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not LANG_RE.match(code)]
        if bad or not value:
            raise ValueError(f"use two-letter ISO 639-1 codes such as 'en', 'he' (got {value})")
        return value

    @field_validator("daily_shape")
    @classmethod
    def _daily(cls, value: list[float]) -> list[float]:
        if len(value) != 24 or any(v < 0 for v in value) or sum(value) <= 0:
            raise ValueError("give 24 weights of 0 or more, one per local hour from 00:00")
        return value

    @field_validator("weekly_shape")
    @classmethod
    def _weekly(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown day names {unknown}; use {list(WEEKDAYS)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("weights must be 0 or more")
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        problems = _reference_problems(self)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def all_events(self) -> list[Event]:
        return [self.trigger, *self.events]


def _reference_problems(scenario: Scenario) -> list[str]:
    """Cross-field checks: every name used is defined, every template slot can be filled."""
    problems: list[str] = []
    try:
        ZoneInfo(scenario.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: unknown {scenario.timezone!r}; use e.g. 'Asia/Jerusalem'")
    platforms, languages = set(scenario.platforms), set(scenario.languages)
    streams: list[tuple[str, Stream]] = [
        *((f"baseline[{i}]", s) for i, s in enumerate(scenario.baseline)),
        *((f"growth[{i}]", s) for i, s in enumerate(scenario.growth)),
    ]
    event_keys = [e.key for e in scenario.all_events()]
    if len(set(event_keys)) != len(event_keys):
        problems.append("events: two events use the same key; keys must be unique")
    for where, stream in streams:
        if stream.platform not in platforms:
            problems.append(f"{where}.platform: {stream.platform!r} is not in platforms")
        pool = scenario.texts.get(stream.texts)
        if pool is None:
            problems.append(f"{where}.texts: no [texts.{stream.texts}] pool; add it or fix it")
            continue
        for lang, share in stream.languages.items():
            if lang not in languages:
                problems.append(f"{where}.languages: {lang!r} is not in languages")
            for tone, tone_share in stream.tone.items():
                if share > 0 and tone_share > 0 and not pool.get(lang, {}).get(tone):
                    problems.append(
                        f"{where}: [texts.{stream.texts}.{lang}] has no {tone} templates; "
                        f"add {tone} = [...] or set that tone's weight to 0"
                    )
        if (
            isinstance(stream, Growth)
            and stream.reply_share + stream.repost_share > 0
            and stream.reply_to not in event_keys
        ):
            problems.append(f"{where}.reply_to: no event with key {stream.reply_to!r}")
    for index, event in enumerate(scenario.all_events()):
        where = "trigger" if index == 0 else f"events[{index - 1}]"
        if event.platform not in platforms:
            problems.append(f"{where}.platform: {event.platform!r} is not in platforms")
        for lang, text in event.text.items():
            if lang not in languages:
                problems.append(f"{where}.text: language {lang!r} is not in languages")
            slot = SLOT_RE.search(text)
            if slot:
                problems.append(
                    f"{where}.text.{lang}: event texts are posted as written and "
                    f"{slot.group(0)} is not filled in; write the words out"
                )
        for field in ("reply_to", "repost_of"):
            target = getattr(event, field)
            if target is not None and target not in event_keys:
                problems.append(f"{where}.{field}: no event with key {target!r}")
    if scenario.take_down and scenario.take_down.platform not in platforms:
        problems.append(f"take_down.platform: {scenario.take_down.platform!r} is not in platforms")
    for name, pool in scenario.texts.items():
        for lang, tones in pool.items():
            fillers = {**scenario.slots.get("all", {}), **scenario.slots.get(lang, {})}
            for tone, templates in tones.items():
                for template in templates:
                    for slot in SLOT_RE.findall(template):
                        if not fillers.get(slot):
                            problems.append(
                                f"texts.{name}.{lang}.{tone}: no fillers for {{{slot}}}; "
                                f"add {slot} = [...] under [slots.{lang}] or [slots.all]"
                            )
    return sorted(set(problems), key=problems.index)


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [f"not valid TOML: {err}"]) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        problems: list[str] = []
        for error in err.errors():
            # Cross-reference problems arrive joined in one message; list them one per line.
            if error["type"] == "value_error" and not error["loc"]:
                problems += error["msg"].removeprefix("Value error, ").split("\n")
            else:
                problems.append(describe_validation_error(error, "docs/scenarios.md"))
        raise ScenarioError(source, problems) from None


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; raises ScenarioError naming the file, field and fix."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(path), ["file not found; check the path"]) from None
    except UnicodeDecodeError:
        raise ScenarioError(str(path), ["file is not UTF-8 text; save it as UTF-8"]) from None
    return parse_scenario(text, str(path))
