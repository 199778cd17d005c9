"""The dashboard's charts do not mislead: posts once, a partial last interval, a steady band,
and every chart's figures also as a table."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from flarewatch.db.engine import session_scope
from flarewatch.i18n.formatting import Formatter
from flarewatch.mentions.models import Mention
from flarewatch.web.charts import build_dashboard

from .conftest import WebEnv, login
from .test_inbox import _also_in_topic, _counts


def test_the_volume_counts_posts_and_marks_the_partial_interval(web: WebEnv) -> None:
    _also_in_topic(web, web.seeded.mentions["acme"], "service")
    pairs, posts = _counts(web)
    ws_id = web.seeded.workspaces["acme"]
    fmt = Formatter("en", "UTC")
    with session_scope(web.engine) as session:
        newest = session.get_one(Mention, web.seeded.mentions["acme"]).created_at
        live = build_dashboard(session, ws_id, fmt, now=newest + timedelta(seconds=1))
        assert live.total == sum(live.volume) == posts < pairs
        assert sum(t["count"] for t in live.topics) == pairs  # share of voice: per topic
        assert live.partial and live.chart_json()["partial"] is True
        assert live.rows[0]["partial"] and not any(r["partial"] for r in live.rows[1:])
        later = build_dashboard(session, ws_id, fmt, now=newest + timedelta(days=1))
        assert not later.partial


def test_the_band_does_not_climb_with_the_seeded_surge(web: WebEnv) -> None:
    with session_scope(web.engine) as session:
        dash = build_dashboard(session, web.seeded.workspaces["acme"], Formatter("en", "UTC"))
    peak = max(range(len(dash.volume)), key=dash.volume.__getitem__)
    highs = [h for h in dash.band_high[: peak + 1] if h is not None]
    assert dash.volume[peak] > highs[-1]
    # From the first interval above its band on, the band stays where it was.
    first_above = next(
        i
        for i, (v, h) in enumerate(zip(dash.volume, dash.band_high, strict=True))
        if h is not None and v > h
    )
    assert len(set(dash.band_high[first_above : peak + 1])) == 1


def test_each_chart_has_a_table(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-viewer"])
    page = client.get("/w/acme").text
    assert "Volume and sentiment as a table" in page
    # Whether the last interval is still filling depends on the clock: build_dashboard's test
    # above pins `now`; here the table's rows are enough.
    assert page.count('<th scope="row"><time datetime=') >= 40
    assert 'class="compact platform-table"' in page and ">twitter</td>" in page
    assert "Compares topics: a post that matched two topics counts once for each." in page
