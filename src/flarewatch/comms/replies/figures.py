"""A case's reply figures, from known times: pure functions (the queue's page, the case page,
the API and `flarewatch replies stats` show them in the reader's locale).

- time to first reply: from the case's opening to its first reply (a published reply to any
  post, or a post answered elsewhere); never negative (a reply before the case opened counts
  as at once);
- per post: from the post's creation to its first reply; the median and the 90th percentile
  (nearest rank: the smallest time at or under which 90% of the answered posts were answered)
  over the answered posts that needed an answer;
- coverage: answered ÷ needing an answer (posts marked "no answer needed" are left out of
  both); None while nothing needs an answer;
- open by assignee: the posts still waiting, per member ('' for nobody).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class PostTiming:
    post_id: int
    created_at: datetime
    first_reply_at: datetime | None
    needs_answer: bool = True  # False: a person marked it "no answer needed"
    assignee: str | None = None


@dataclass(frozen=True)
class ReplyFigures:
    needing: int
    answered: int
    no_answer: int
    coverage: float | None
    first_reply_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None
    open_by_assignee: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return self.needing - self.answered

    def as_dict(self) -> dict[str, Any]:
        return {
            "needing_answer": self.needing,
            "answered": self.answered,
            "waiting": self.waiting,
            "no_answer_needed": self.no_answer,
            "coverage": self.coverage,
            "first_reply_seconds": self.first_reply_seconds,
            "median_reply_seconds": self.median_seconds,
            "p90_reply_seconds": self.p90_seconds,
            "open_by_assignee": dict(self.open_by_assignee),
        }


def nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The smallest value at or under which `share` of the values lie (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def reply_figures(
    opened_at: datetime, posts: Iterable[PostTiming], case_replies: Iterable[datetime] = ()
) -> ReplyFigures:
    """The figures of one case; `case_replies` are all its replies' times (some may answer
    posts outside the queue), the posts' own first replies count too."""
    needing = answered = skipped = 0
    seconds: list[float] = []
    waiting: Counter[str] = Counter()
    firsts = list(case_replies)
    for post in posts:
        if post.first_reply_at is not None:
            firsts.append(post.first_reply_at)
        if not post.needs_answer and post.first_reply_at is None:
            skipped += 1
            continue
        needing += 1
        if post.first_reply_at is None:
            waiting[post.assignee or ""] += 1
            continue
        answered += 1
        seconds.append(max((post.first_reply_at - post.created_at).total_seconds(), 0.0))
    first = min(firsts) if firsts else None
    return ReplyFigures(
        needing=needing,
        answered=answered,
        no_answer=skipped,
        coverage=answered / needing if needing else None,
        first_reply_seconds=(
            max((first - opened_at).total_seconds(), 0.0) if first is not None else None
        ),
        median_seconds=statistics.median(seconds) if seconds else None,
        p90_seconds=nearest_rank(seconds, 0.9),
        open_by_assignee=dict(sorted(waiting.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
