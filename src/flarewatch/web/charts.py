"""The dashboard's charts: post series (`mentions/volume.py`) with labels, alerts and tables.

The window ends at the newest stored mention rather than at "now", so a replayed or paused feed
still shows its activity instead of an empty chart.
"""

from __future__ import annotations

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
from flarewatch.mentions.volume import baseline_band, bucket_size, floor_time, post_series
from flarewatch.workspaces.models import Topic

MAX_WINDOW = timedelta(hours=48)


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
    total: int = 0  # posts, each once whatever its number of topics
    window_start: datetime | None = None
    window_end: datetime | None = None
    # The last interval is still filling: drawn dashed and marked, never read as a drop.
    partial: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)  # the charts as a table

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
            "partial": self.partial,
        }


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
    now = now or utcnow()
    end = newest or now
    oldest = session.scalar(
        select(func.min(Mention.created_at)).where(*scope, Mention.created_at >= end - MAX_WINDOW)
    )
    size = bucket_size(end - (oldest or end - timedelta(hours=1)))
    start = floor_time(oldest or end - timedelta(hours=1), size)
    slots = int((end - start) / size) + 1

    dash = Dashboard(window_start=start, window_end=end)
    dash.labels = [fmt.axis_label(start + i * size) for i in range(slots)]
    dash.partial = start + slots * size > now
    series = post_series(
        session, workspace_id, start, size, slots, topic_id=topic.id if topic else None
    )
    dash.volume = series.volume
    dash.total = series.posts
    dash.band_low, dash.band_high = baseline_band(series.volume)
    dash.sentiment = series.sentiment
    topic_counts, topic_negative = series.topic_posts, series.topic_negative

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
    dash.platforms = [
        {"label": neutralise(p), "value": c} for p, c in series.platforms.most_common(8)
    ]
    top = series.authors.most_common(10)
    by_id = {
        a.id: a
        for a in session.scalars(select(Author).where(Author.id.in_([aid for aid, _ in top])))
    }
    dash.authors = [{"author": by_id[aid], "count": count} for aid, count in top if aid in by_id]
    dash.rows = _table_rows(dash, start, size)
    return dash


def _table_rows(dash: Dashboard, start: datetime, size: timedelta) -> list[dict[str, Any]]:
    """The volume and sentiment charts as rows, for the table under them (newest first)."""
    alerts_at: dict[int, list[dict[str, Any]]] = {}
    for alert in dash.alerts:
        alerts_at.setdefault(alert["index"], []).append(alert)
    rows = [
        {
            "start": start + index * size,
            "label": label,
            "posts": dash.volume[index],
            "low": dash.band_low[index],
            "high": dash.band_high[index],
            "sentiment": {name: values[index] for name, values in dash.sentiment.items()},
            "alerts": alerts_at.get(index, []),
            "partial": dash.partial and index == len(dash.labels) - 1,
        }
        for index, label in enumerate(dash.labels)
    ]
    return rows[::-1]
