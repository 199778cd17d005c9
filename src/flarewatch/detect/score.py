"""Risk score 0–100, severity and the plain-language explanation, from one window's evidence.

The score is a sum of points, each traceable to one factor (Factor.weight holds its points):

* core — the strongest of volume, negative volume and new-story growth, as a σ-equivalent z:
  15 points per σ above 2σ (so watch from 4σ on its own), at most 60. Core alone therefore
  tops out at "warning";
* amplifiers — only when there is a core signal: negative share, crisis-lexicon hits,
  influential or watched authors, cross-platform spread, reach and engagement velocity.

A crisis (≥ 80 at balanced sensitivity) thus needs a large anomaly *and* something that makes
it dangerous, which is what a communicator means by the word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flarewatch.detect.baseline import Baseline
from flarewatch.detect.stats import binom_z, nb_z
from flarewatch.detect.types import Factor

CORE_MAX = 60.0
CORE_PER_SIGMA = 15.0
SEVERITY_CUTOFFS = {"watch": 30.0, "warning": 55.0, "crisis": 80.0}
SENSITIVITY_SHIFT = {"fewer": 10.0, "balanced": 0.0, "more": -8.0}
NOISE_STEP = 4.0  # points added to every cut-off per alert marked "this was noise"
NOISE_CAP = 16.0
MIN_COUNT = 5  # absolute floor: fewer posts than this in the window never fire on volume
MIN_COUNT_COLD = 10
STORY_NEW_MINUTES = 6 * 60
INFLUENCER_FOLLOWERS = 50_000


@dataclass(frozen=True, slots=True)
class Thresholds:
    watch: float
    warning: float
    crisis: float

    def severity(self, risk: float) -> str | None:
        if risk >= self.crisis:
            return "crisis"
        if risk >= self.warning:
            return "warning"
        if risk >= self.watch:
            return "watch"
        return None


def thresholds_for(sensitivity: str = "balanced", noise_marks: int = 0) -> Thresholds:
    """Cut-offs for a workspace's sensitivity, raised for a topic by its recent noise marks.

    Each alert people marked "this was noise" lifts that topic's cut-offs by NOISE_STEP points,
    up to NOISE_CAP, so a topic that keeps crying wolf needs clearer evidence next time.
    """
    shift = SENSITIVITY_SHIFT.get(sensitivity, 0.0) + min(NOISE_CAP, NOISE_STEP * noise_marks)
    return Thresholds(
        watch=SEVERITY_CUTOFFS["watch"] + shift,
        warning=SEVERITY_CUTOFFS["warning"] + shift,
        crisis=min(97.0, SEVERITY_CUTOFFS["crisis"] + shift),
    )


@dataclass(slots=True)
class StorySignal:
    """One story's last 30 minutes, as the story tracker sees them."""

    key: str
    label: str
    recent: int  # posts in the last 30 min
    previous: int  # posts in the 30 min before
    authors: int  # distinct authors in the last 30 min
    platforms: list[str]  # in order of first appearance
    originator: str | None
    age_minutes: float
    top_authors: list[str] = field(default_factory=list)
    acceleration: float = 0.0  # change in posts per 30 min, this half hour vs the last


@dataclass(slots=True)
class Influencer:
    handle: str
    followers: int | None
    watched: bool


@dataclass(slots=True)
class Evidence:
    """Everything known about a topic's current window; built by the detector."""

    baseline: Baseline
    window_minutes: int
    count: float
    expected: float
    z_volume: float
    negative: float
    expected_negative: float
    z_negative: float
    reach: float = 0.0
    expected_reach: float = 0.0
    engagement: float = 0.0
    expected_engagement: float = 0.0
    unique_authors: int | None = None
    platforms: list[str] = field(default_factory=list)
    crisis_terms: dict[str, int] = field(default_factory=dict)
    influencers: list[Influencer] = field(default_factory=list)
    story: StorySignal | None = None
    story_expected: float = 2.0
    has_negative: bool = True


@dataclass(slots=True)
class Assessment:
    risk: float
    severity: str | None
    factors: list[Factor]
    lead: str = "volume"  # which core factor drove it: volume, negative, story

    @property
    def explanation(self) -> str:
        return "; ".join(f.text for f in self.factors)


def _core_points(z: float) -> float:
    return max(0.0, min(CORE_MAX, CORE_PER_SIGMA * (z - 2.0)))


def _fmt_count(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _fmt_big(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}"


def story_z(ev: Evidence) -> float:
    story = ev.story
    if story is None or story.age_minutes > STORY_NEW_MINUTES:
        return 0.0
    if story.recent < 4 or story.authors < 3:
        return 0.0
    return nb_z(story.recent, ev.story_expected, 0.3)


def assess(ev: Evidence, thresholds: Thresholds) -> Assessment:
    """Score one window. Pure: same evidence, same verdict, live or in a backtest."""
    floor = MIN_COUNT_COLD if ev.baseline.level == "prior" else MIN_COUNT
    z_vol = ev.z_volume if ev.count >= floor and ev.count - ev.expected >= 3 else 0.0
    z_neg = ev.z_negative if ev.negative >= floor else 0.0
    if ev.baseline.level == "prior":
        # Warm-up: under 6 hours of history any busy hour looks unusual, so volume and
        # negative volume are held back; a new story (its own baseline) can still fire.
        z_vol = z_neg = 0.0
    z_story = story_z(ev)
    leads = {"volume": z_vol, "negative": z_neg, "story": z_story}
    lead = max(leads, key=lambda k: leads[k])
    core = _core_points(leads[lead])
    if core <= 0.0:
        return Assessment(0.0, None, [], lead)

    factors: list[Factor] = []
    # One person posting forty times is a spammer, not a snowball.
    damp = 1.0
    if ev.unique_authors is not None and ev.unique_authors < 3:
        damp = 0.5
    span = f"{ev.window_minutes} min"
    if lead == "story" and ev.story is not None:
        s = ev.story
        growth = s.recent / max(1, s.previous)
        text = (
            f"story '{s.label}' ×{growth:.1f} in 30 min ({s.recent} posts, {s.authors} authors"
            f"{', started by @' + s.originator if s.originator else ''})"
        )
        factors.append(Factor("story_growth", text, s.recent, ev.story_expected, core * damp))
    elif lead == "negative":
        text = (
            f"{_fmt_count(ev.negative)} negative posts in {span}, {z_neg:.1f}σ above the "
            f"{ev.baseline.label} ({_fmt_count(ev.expected_negative)} expected)"
        )
        factors.append(
            Factor("negative_volume", text, ev.negative, ev.expected_negative, core * damp)
        )
    else:
        text = (
            f"volume {z_vol:.1f}σ above the {ev.baseline.label} "
            f"({_fmt_count(ev.count)} posts in {span} vs {_fmt_count(ev.expected)} expected)"
        )
        factors.append(Factor("volume", text, ev.count, ev.expected, core * damp))
    if damp < 1.0:
        n_authors = ev.unique_authors
        plural = "" if n_authors == 1 else "s"
        factors.append(
            Factor(
                "few_authors",
                f"only {n_authors} distinct author{plural}",
                ev.unique_authors,
                3.0,
                -core * (1 - damp),
            )
        )

    if lead != "story" and ev.story is not None and ev.story.recent >= 4:
        s = ev.story
        growth = s.recent / max(1, s.previous)
        # "×0.9" would read as growth to a person on call; say a flat or shrinking story plainly.
        pace = f"×{growth:.1f} in 30 min" if growth >= 1.2 else "steady over 30 min"
        origin = f", started by @{s.originator}" if s.originator else ""
        factors.append(
            Factor(
                "story",
                f"story '{s.label}' {pace} ({s.recent} posts{origin})",
                s.recent,
                ev.story_expected,
                0.0,
            )
        )
    if lead != "volume" and z_vol >= 3.0:
        factors.append(
            Factor(
                "volume",
                f"volume {z_vol:.1f}σ above the {ev.baseline.label}",
                ev.count,
                ev.expected,
                0.0,
            )
        )

    factors.extend(_amplifiers(ev, leads[lead]))
    risk = max(0.0, min(100.0, sum(f.weight for f in factors)))
    return Assessment(round(risk, 1), thresholds.severity(risk), factors, lead)


def _amplifiers(ev: Evidence, core_z: float) -> list[Factor]:
    out: list[Factor] = []
    n = int(round(ev.count))
    share = ev.negative / ev.count if ev.count > 0 else 0.0
    p0 = ev.baseline.negative_share
    z_share = binom_z(int(round(ev.negative)), n, p0) if ev.has_negative and n >= 4 else 0.0
    if share >= p0 + 0.15 and z_share >= 2.0:
        # A few negative posts can make a high share by chance; trust the share as far as
        # its own test does (full weight from 4σ).
        pts = min(20.0, 50.0 * (share - p0)) * min(1.0, z_share / 4.0)
        out.append(
            Factor("negative_share", f"negative share {share:.0%} vs {p0:.0%}", share, p0, pts)
        )
    if ev.crisis_terms:
        hits = sum(ev.crisis_terms.values())
        pts = min(20.0, 5.0 * len(ev.crisis_terms) + 1.0 * hits)
        listed = ", ".join(
            f"{t} ×{c}" for t, c in sorted(ev.crisis_terms.items(), key=lambda kv: -kv[1])[:4]
        )
        out.append(Factor("crisis_terms", f"crisis terms: {listed}", hits, None, pts))
    if ev.influencers:
        big = [i for i in ev.influencers if (i.followers or 0) >= INFLUENCER_FOLLOWERS]
        watched = [i for i in ev.influencers if i.watched]
        parts = []
        if big:
            names = ", ".join(f"@{i.handle} {_fmt_big(i.followers or 0)}" for i in big[:3])
            parts.append(
                f"{len(big)} author{'s' if len(big) > 1 else ''} with > "
                f"{_fmt_big(INFLUENCER_FOLLOWERS)} followers ({names})"
            )
        if watched:
            parts.append("watched: " + ", ".join(f"@{i.handle}" for i in watched[:3]))
        pts = min(15.0, 7.0 * len(ev.influencers))
        out.append(Factor("influencers", "; ".join(parts), len(ev.influencers), None, pts))
    story = ev.story
    negative_context = any(f.name == "negative_share" for f in out)
    # Template-like chatter also lives on several platforms; spread matters when the story
    # itself stands out or the conversation has turned negative.
    if (
        story is not None
        and len(story.platforms) >= 2
        and story.recent >= 4
        and (negative_context or story_z(ev) >= 2.0)
    ):
        rest = story.platforms[1:]
        joined = ", ".join(rest[:-1]) + (" and " if len(rest) > 1 else "") + rest[-1]
        pts = min(20.0, 10.0 * (len(story.platforms) - 1))
        out.append(
            Factor(
                "cross_platform",
                f"crossed from {story.platforms[0]} to {joined}",
                len(story.platforms),
                1.0,
                pts,
            )
        )
    # Reach and engagement are heavy-tailed (one big account moves them), so they only
    # amplify an anomaly that stands on its own.
    for name, observed, expected, words in (
        ("reach", ev.reach, ev.expected_reach, "reach"),
        ("engagement_velocity", ev.engagement, ev.expected_engagement, "engagement pace"),
    ):
        if core_z < 4.0:
            break
        if expected > 0 and observed >= 3 * expected and observed >= 100:
            ratio = observed / expected
            pts = min(10.0, 4.0 * math.log2(ratio))
            out.append(
                Factor(
                    name,
                    f"{words} {ratio:.0f}× the usual ({_fmt_big(observed)} vs "
                    f"{_fmt_big(expected)})",
                    observed,
                    expected,
                    pts,
                )
            )
    return out
