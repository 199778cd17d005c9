"""Chart series for the dashboard, computed from stored mentions and alerts.

The window ends at the newest stored mention rather than at "now", so a replayed or paused feed
still shows its activity instead of an empty chart.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.wording import render_stored
from flarewatch.bidi import isolate_plain, neutralise
from flarewatch.db.base import utcnow
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.languages import translations_for
from flarewatch.mentions.models import Author, Mention
from flarewatch.workspaces.models import Topic

MAX_WINDOW = timedelta(hours=48)
BUCKET_CHOICES = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
MAX_BUCKETS = 72
BASELINE_BUCKETS = 12  # trailing buckets the band is computed from


@dataclass
class Dashboard:
    labels: list[str] = field(default_factory=list)
    volume: list[int] = field(default_factory=list)
    band_low: list[float | None] = field(default_factory=list)
    band_high: list[float | None] = field(default_factory=list)
    sentiment: dict[str, list[int]] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    share: list[dict[str, Any]] = field(default_factory=list)
    platforms: list[dict[str, Any]] = field(default_factory=list)
    authors: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    window_start: datetime | None = None
    window_end: datetime | None = None

    def chart_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "volume": self.volume,
            "bandLow": self.band_low,
            "bandHigh": self.band_high,
            "sentiment": self.sentiment,
            "alerts": self.alerts,
            "share": self.share,
            "platforms": self.platforms,
        }


def _bucket_size(span: timedelta) -> timedelta:
    for size in BUCKET_CHOICES:
        if span / size <= MAX_BUCKETS:
            return size
    return BUCKET_CHOICES[-1]


def _floor(value: datetime, size: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=value.tzinfo)
    return value - (value - epoch) % size


def baseline_band(counts: list[int]) -> tuple[list[float | None], list[float | None]]:
    """mean ± 2 standard deviations of the trailing buckets; None until enough history exists."""
    low: list[float | None] = []
    high: list[float | None] = []
    for index in range(len(counts)):
        history = counts[max(0, index - BASELINE_BUCKETS) : index]
        if len(history) < 3:
            low.append(None)
            high.append(None)
            continue
        mean = statistics.fmean(history)
        spread = 2 * statistics.pstdev(history)
        low.append(round(max(0.0, mean - spread), 2))
        high.append(round(mean + spread, 2))
    return low, high


def build_dashboard(
    session: Session,
    workspace_id: int,
    fmt: Formatter,
    *,
    topic: Topic | None = None,
    now: datetime | None = None,
) -> Dashboard:
    scope = [Mention.workspace_id == workspace_id]
    if topic is not None:
        scope.append(Mention.topic_id == topic.id)
    newest = session.scalar(select(func.max(Mention.created_at)).where(*scope))
    end = newest or now or utcnow()
    oldest = session.scalar(
        select(func.min(Mention.created_at)).where(*scope, Mention.created_at >= end - MAX_WINDOW)
    )
    size = _bucket_size(end - (oldest or end - timedelta(hours=1)))
    start = _floor(oldest or end - timedelta(hours=1), size)
    slots = int((end - start) / size) + 1

    dash = Dashboard(window_start=start, window_end=end)
    dash.labels = [fmt.axis_label(start + i * size) for i in range(slots)]
    volume = [0] * slots
    sentiment = {name: [0] * slots for name in ("negative", "neutral", "positive")}
    rows = session.execute(
        select(
            Mention.created_at,
            Mention.sentiment,
            Mention.topic_id,
            Mention.platform,
            Mention.author_id,
        ).where(*scope, Mention.created_at >= start, Mention.is_spam.is_(False))
    ).all()
    topic_counts: Counter[int] = Counter()
    topic_negative: Counter[int] = Counter()
    platforms: Counter[str] = Counter()
    authors: Counter[int] = Counter()
    for created_at, mood, topic_id, platform, author_id in rows:
        slot = min(slots - 1, int((created_at - start) / size))
        volume[slot] += 1
        sentiment.setdefault(mood, [0] * slots)[slot] += 1
        topic_counts[topic_id] += 1
        topic_negative[topic_id] += mood == "negative"
        platforms[platform] += 1
        if author_id is not None:
            authors[author_id] += 1
    dash.volume = volume
    dash.total = len(rows)
    dash.band_low, dash.band_high = baseline_band(volume)
    dash.sentiment = sentiment

    alert_scope = [Alert.workspace_id == workspace_id, Alert.created_at >= start]
    if topic is not None:
        alert_scope.append(Alert.topic_id == topic.id)
    gettext = translations_for(fmt.language).gettext

    def title_in(alert: Alert) -> str:
        """The marker's title in the reader's language (old rows: the stored English)."""
        text = render_stored(
            alert.title_message,
            alert.title,
            locale=fmt.language,
            gettext=gettext,
            isolate=isolate_plain,
        )
        return alert.title if text is None else text

    for alert in session.scalars(select(Alert).where(*alert_scope).order_by(Alert.created_at)):
        # Markers sit where the signal was, which can be before the alert row was written.
        at = max(start, min(alert.window_end, end))
        dash.alerts.append(
            {
                "index": min(slots - 1, int((at - start) / size)),
                "severity": alert.severity,
                "title": title_in(alert),
                "id": alert.id,
            }
        )

    names = {
        t.id: t for t in session.scalars(select(Topic).where(Topic.workspace_id == workspace_id))
    }
    dash.share = [
        # Chart.js draws labels on a canvas, outside the templates' bidi filter.
        {"label": neutralise(names[tid].name) if tid in names else str(tid), "value": count}
        for tid, count in topic_counts.most_common()
    ]
    dash.topics = [
        {
            "topic": names[tid],
            "count": count,
            "negative_share": topic_negative[tid] / count if count else 0.0,
        }
        for tid, count in topic_counts.most_common()
        if tid in names
    ]
    dash.platforms = [{"label": neutralise(p), "value": c} for p, c in platforms.most_common(8)]
    top = authors.most_common(10)
    by_id = {
        a.id: a
        for a in session.scalars(select(Author).where(Author.id.in_([aid for aid, _ in top])))
    }
    dash.authors = [{"author": by_id[aid], "count": count} for aid, count in top if aid in by_id]
    return dash
