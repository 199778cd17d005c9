"""Migration 0013 (case titles as messages) on a database as 0012 left it."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import Connection, inspect, text

from flarewatch.db.engine import create_db_engine
from flarewatch.db.migrate import alembic_config, upgrade
from tests.db.test_migrations import _insert_workspace, fresh_url  # noqa: F401  (the fixture)

STORED = {"message": "%(topic)s: unusual activity", "params": {"topic": "Brand"}}


def _alert(conn: Connection, workspace_id: int, title: str, message: str | None) -> int:
    conn.execute(
        text(
            "INSERT INTO alert (workspace_id, group_key, kind, severity, risk_score, status,"
            " title, title_message, explanation, factors, post_ids, window_start, window_end,"
            " created_at, updated_at) VALUES (:ws, :group, 'topic', 'warning', 50, 'open',"
            " :title, :message, 'e', '[]', '[]', '2026-01-01 00:00:00', '2026-01-01 00:10:00',"
            " '2026-01-01 00:10:00', '2026-01-01 00:10:00')"
        ),
        {"ws": workspace_id, "group": f"topic:{title}", "title": title, "message": message},
    )
    return int(conn.scalar(text("SELECT max(id) FROM alert")))


def _case(conn: Connection, workspace_id: int, alert_id: int, title: str) -> int:
    conn.execute(
        text(
            "INSERT INTO crisis_case (workspace_id, alert_id, title, status, severity,"
            " opened_by, opened_at, updated_at) VALUES (:ws, :alert, :title, 'new', 'warning',"
            " 'system', '2026-01-01 00:10:00', '2026-01-01 00:10:00')"
        ),
        {"ws": workspace_id, "alert": alert_id, "title": title},
    )
    case_id = int(conn.scalar(text("SELECT max(id) FROM crisis_case")))
    conn.execute(
        text(
            "INSERT INTO case_event (case_id, at, kind, actor, text, data) VALUES"
            " (:case, '2026-01-01 00:10:00', 'status', 'system', :text, '{}')"
        ),
        {"case": case_id, "text": f"Case opened from alert #{alert_id}"},
    )
    return case_id


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_0013_gives_old_cases_their_alerts_message_only_while_the_title_is_the_alerts(
    fresh_url: str,  # noqa: F811
) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0012")
    with engine.begin() as conn:
        workspace_id = _insert_workspace(conn)
        spoken = _alert(conn, workspace_id, "Brand: unusual activity", json.dumps(STORED))
        older = _alert(conn, workspace_id, "Brand: spike", None)
        same = _case(conn, workspace_id, spoken, "Brand: unusual activity")
        renamed = _case(conn, workspace_id, spoken, "Franchise hygiene story")
        plain = _case(conn, workspace_id, older, "Brand: spike")
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, title_message FROM crisis_case ORDER BY id"))
        messages = {row.id: _json(row.title_message) for row in rows}
        events = list(conn.scalars(text("SELECT text FROM case_event ORDER BY id")))
    # Only a case still titled as its alert takes the alert's message; the rest keep their text.
    assert messages == {same: STORED, renamed: None, plain: None}
    assert events == [f"Case opened from alert #{spoken}"] * 2 + [
        f"Case opened from alert #{older}"
    ]
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0011")
    columns = {c["name"] for c in inspect(engine).get_columns("crisis_case")}
    with engine.connect() as conn:
        kept = conn.scalar(text("SELECT count(*) FROM case_event"))
    assert "title_message" not in columns and kept == 3
    engine.dispose()
