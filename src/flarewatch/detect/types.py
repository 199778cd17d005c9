"""What detection hands to alerting: a scored, explained candidate alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SEVERITY_ORDER: dict[str, int] = {"watch": 1, "warning": 2, "crisis": 3}


@dataclass(slots=True)
class Factor:
    """One reason an alert fired, with the figures behind it."""

    name: str  # volume, negative_share, story_growth, cross_platform, influencers, crisis_terms...
    text: str  # plain English, e.g. "120 posts in 60 min; usually about 8"
    observed: float | None = None
    expected: float | None = None
    weight: float = 0.0  # contribution to the risk score
    # The sentence as a translatable message and its figures (detect/explain.py), so each
    # reader gets it in their language; `text` is its English rendering.
    message: str | None = None
    params: dict[str, Any] | None = None
    z: float | None = None  # σ-equivalent strength: for machines (API, backtests), not people

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "text": self.text,
            "observed": self.observed,
            "expected": self.expected,
            "weight": self.weight,
        }
        if self.message is not None:
            out["message"] = self.message
            out["params"] = dict(self.params or {})
        if self.z is not None:
            out["z"] = round(self.z, 2)
        return out


@dataclass(slots=True)
class AlertCandidate:
    """A detector's verdict for one topic (or one story in it) over one window."""

    workspace_id: int
    topic_id: int | None
    group_key: str  # alerts with the same key are one open signal (e.g. "topic:3")
    severity: str  # watch, warning, crisis
    risk_score: float  # 0..100
    title: str
    explanation: str
    window_start: datetime
    window_end: datetime
    factors: list[Factor] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)  # raw_post ids that drove it
    # "topic" for detection; "source" for a source failing, stale or silent (source_id set).
    kind: str = "topic"
    source_id: int | None = None
    # The title as a message and parameters (alerts/wording.py `wording`), for translation.
    title_message: dict[str, Any] | None = None
    # The topic's usual negative share (its baseline), so re-scoring the window's mentions
    # with the accurate model can judge the share again (alerts/rescoring.py).
    usual_negative_share: float | None = None
    # Which sentiment model the negative share and explanation rest on, and what re-scoring
    # still has to do when its time budget ran out (alerts/rescoring.py); None: not re-scored.
    sentiment_backend: str | None = None
    rescore: dict[str, Any] | None = None
