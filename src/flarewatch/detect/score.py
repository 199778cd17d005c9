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
from typing import Any

from flarewatch.detect import explain as ex
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
    # A slow build: the last `slow_hours` complete hours above the topic's busiest such span
    # of the last two weeks (`slow_record`), as a σ-equivalent (detector.SlowBuild).
    slow_z: float = 0.0
    slow_hours: int = 0
    slow_count: float = 0.0
    slow_record: float = 0.0


@dataclass(slots=True)
class Assessment:
    risk: float
    severity: str | None
    factors: list[Factor]
    lead: str = "volume"  # which core factor drove it: volume, negative, story, slow_build

    @property
    def explanation(self) -> str:
        return "; ".join(f.text for f in self.factors)


def said(
    name: str,
    message: str,
    params: dict[str, Any],
    observed: float | None,
    expected: float | None,
    weight: float,
    z: float | None = None,
) -> Factor:
    """A factor whose words are a translatable message (detect/explain.py)."""
    text = ex.render(message, params)
    return Factor(
        name=name,
        text=text,
        observed=observed,
        expected=expected,
        weight=weight,
        message=message,
        params=params,
        z=z,
    )


def _core_points(z: float) -> float:
    return max(0.0, min(CORE_MAX, CORE_PER_SIGMA * (z - 2.0)))


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
    z_slow = ev.slow_z if ev.slow_count - ev.slow_record >= MIN_COUNT else 0.0
    leads = {"volume": z_vol, "negative": z_neg, "story": z_story, "slow_build": z_slow}
    lead = max(leads, key=lambda k: leads[k])
    core = _core_points(leads[lead])
    if core <= 0.0:
        return Assessment(0.0, None, [], lead)

    factors: list[Factor] = []
    # One person posting forty times is a spammer, not a snowball.
    damp = 1.0
    if ev.unique_authors is not None and ev.unique_authors < 3:
        damp = 0.5
    if lead == "story" and ev.story is not None:
        factors.append(_story_factor("story_growth", ev.story, ev.story_expected, core * damp))
        factors[-1].z = z_story
    elif lead == "slow_build":
        factors.append(_slow_factor(ev, core * damp))
    elif lead == "negative":
        factors.append(
            _count_factor("negative_volume", ev, ev.negative, ev.expected_negative, core * damp)
        )
        factors[-1].z = z_neg
    else:
        factors.append(_count_factor("volume", ev, ev.count, ev.expected, core * damp))
        factors[-1].z = z_vol
    if damp < 1.0:
        factors.append(
            said(
                "few_authors",
                ex.FEW_AUTHORS,
                {"authors": ev.unique_authors or 0},
                ev.unique_authors,
                3.0,
                -core * (1 - damp),
            )
        )

    if lead != "story" and ev.story is not None and ev.story.recent >= 4:
        factors.append(_story_factor("story", ev.story, ev.story_expected, 0.0))
    if lead != "volume" and z_vol >= 3.0:
        factors.append(_count_factor("volume", ev, ev.count, ev.expected, 0.0))
        factors[-1].z = z_vol

    factors.extend(_amplifiers(ev, leads[lead]))
    risk = max(0.0, min(100.0, sum(f.weight for f in factors)))
    return Assessment(round(risk, 1), thresholds.severity(risk), factors, lead)


def _count_factor(
    name: str, ev: Evidence, observed: float, expected: float, weight: float
) -> Factor:
    """ "120 posts in 60 min; usually about 8" (or "usually under 5" when 8 is below the floor)."""
    usual, floor = (
        (ex.NEGATIVE_USUAL, ex.NEGATIVE_FLOOR)
        if name == "negative_volume"
        else (ex.VOLUME_USUAL, ex.VOLUME_FLOOR)
    )
    message, params = ex.usual_or_floor(
        usual,
        floor,
        round(expected, 1),
        ex.POSTS_FLOOR,
        counted=True,
        count=round(observed),
        minutes=ev.window_minutes,
    )
    params["baseline"] = ev.baseline.label  # not in the sentence: for the API and the curious
    return said(name, message, params, observed, expected, weight)


def _slow_factor(ev: Evidence, weight: float) -> Factor:
    """ "2,235 posts in the last 12 hours; the most in any 12 hours of the last two weeks was
    1,738": a record beaten, said as the two counts (no ratio, no σ)."""
    params = {
        "count": round(ev.slow_count),
        "hours": ev.slow_hours,
        "record": round(ev.slow_record),
    }
    return said(
        "slow_build", ex.SLOW_BUILD, params, ev.slow_count, ev.slow_record, weight, ev.slow_z
    )


def _story_factor(name: str, s: StorySignal, expected: float, weight: float) -> Factor:
    """A story's last half hour in words; a growth ratio only against a real earlier half hour
    (12 posts after 0 is "new", not "×12")."""
    params: dict[str, Any] = {"label": s.label, "count": s.recent}
    if s.previous < ex.STORY_PREVIOUS_FLOOR:
        message = ex.STORY_NEW_BY if s.originator else ex.STORY_NEW
        params["authors"] = s.authors
    elif s.recent >= 1.2 * s.previous:
        message = ex.STORY_GREW_BY if s.originator else ex.STORY_GREW
        params["previous"] = s.previous
    else:
        # "×0.9" would read as growth to a person on call; a flat story is said plainly.
        message = ex.STORY_STEADY
    if s.originator and message in (ex.STORY_NEW_BY, ex.STORY_GREW_BY):
        params["by"] = f"@{s.originator}"
    return said(name, message, params, s.recent, expected, weight)


def negative_share_factor(
    negative: float, count: float, usual_share: float, has_negative: bool = True
) -> Factor | None:
    """The "N% of posts are negative" amplifier, or None when the share is not unusual.

    Also used when an alert's mentions are re-scored with the accurate model
    (alerts/rescoring.py), so both judge the share by the same rule."""
    n = int(round(count))
    share = negative / count if count > 0 else 0.0
    p0 = usual_share
    z_share = binom_z(int(round(negative)), n, p0) if has_negative and n >= 4 else 0.0
    if share >= p0 + 0.15 and z_share >= 2.0:
        # A few negative posts can make a high share by chance; trust the share as far as
        # its own test does (full weight from 4σ).
        pts = min(20.0, 50.0 * (share - p0)) * min(1.0, z_share / 4.0)
        params = {"observed_share": round(share, 2), "usual_share": round(p0, 2)}
        return said("negative_share", ex.NEGATIVE_SHARE, params, share, p0, pts, z_share)
    return None


def _amplifiers(ev: Evidence, core_z: float) -> list[Factor]:
    out: list[Factor] = []
    share_factor = negative_share_factor(
        ev.negative, ev.count, ev.baseline.negative_share, ev.has_negative
    )
    if share_factor is not None:
        out.append(share_factor)
    if ev.crisis_terms:
        hits = sum(ev.crisis_terms.values())
        pts = min(20.0, 5.0 * len(ev.crisis_terms) + 1.0 * hits)
        listed = [[t, c] for t, c in sorted(ev.crisis_terms.items(), key=lambda kv: -kv[1])[:4]]
        out.append(said("crisis_terms", ex.CRISIS_TERMS, {"terms": listed}, hits, None, pts))
    if ev.influencers:
        big = [i for i in ev.influencers if (i.followers or 0) >= INFLUENCER_FOLLOWERS]
        watched = [i for i in ev.influencers if i.watched]
        pts = min(15.0, 7.0 * len(ev.influencers))
        n = len(ev.influencers)
        if big:
            names = [[f"@{i.handle}", i.followers or 0] for i in big[:3]]
            params = {"followers": INFLUENCER_FOLLOWERS, "authors": names}
            out.append(said("influencers", ex.INFLUENTIAL, params, n, None, pts))
        if watched:
            handles = [f"@{i.handle}" for i in watched[:3]]
            # One amplifier, two sentences: the points stay on the first.
            weight = 0.0 if big else pts
            out.append(said("watched_authors", ex.WATCHED, {"authors": handles}, n, None, weight))
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
        pts = min(20.0, 10.0 * (len(story.platforms) - 1))
        params = {"first": story.platforms[0], "rest": list(story.platforms[1:])}
        out.append(
            said("cross_platform", ex.CROSS_PLATFORM, params, len(story.platforms), 1.0, pts)
        )
    # Reach and engagement are heavy-tailed (one big account moves them), so they only
    # amplify an anomaly that stands on its own.
    for name, observed, expected, floor, usual_text, floor_text in (
        ("reach", ev.reach, ev.expected_reach, ex.REACH_FLOOR, ex.REACH_USUAL, ex.REACH_FLOOR_TEXT),
        (
            "engagement_velocity",
            ev.engagement,
            ev.expected_engagement,
            ex.ENGAGEMENT_FLOOR,
            ex.ENGAGEMENT_USUAL,
            ex.ENGAGEMENT_FLOOR_TEXT,
        ),
    ):
        if core_z < 4.0:
            break
        if expected > 0 and observed >= 3 * expected and observed >= 100:
            # The ratio still sets the points; only the words avoid it (see explain.py).
            pts = min(10.0, 4.0 * math.log2(observed / expected))
            message, params = ex.usual_or_floor(
                usual_text,
                floor_text,
                round(expected),
                floor,
                observed=round(observed),
                minutes=ev.window_minutes,
            )
            out.append(said(name, message, params, observed, expected, pts))
    return out
