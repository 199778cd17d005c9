"""Data migrations, run on a database as an older release left it (SQLite)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, inspect, text

from flarewatch.db.engine import create_db_engine, sessionmaker_for
from flarewatch.db.migrate import alembic_config, upgrade
from tests.alerts.helpers import make_posts, make_workspace
from tests.conftest import POSTGRES_ADMIN_URL


def test_0005_renames_the_settings_page_sensitivities_to_the_detectors(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004")
    with engine.begin() as conn:
        for i, value in enumerate(("low", "balanced", "high", "fewer", "more")):
            conn.execute(
                text(
                    "INSERT INTO workspace (slug, name, timezone, languages, auto_case_severity,"
                    " sensitivity, config, created_at) VALUES (:slug, 'W', 'UTC', '[]', 'crisis',"
                    " :value, '{}', '2026-01-01 00:00:00')"
                ),
                {"slug": f"w{i}", "value": value},
            )

    def stored() -> list[str]:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT sensitivity FROM workspace ORDER BY slug")))

    upgrade(engine)
    assert stored() == ["fewer", "balanced", "more", "fewer", "more"]
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
    assert stored() == ["low", "balanced", "high", "low", "high"]
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (migrations are run on it by the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"flarewatch_mig_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _insert_workspace(conn: Connection) -> int:
    """One workspace row written in SQL, as the schema stands at an older revision."""
    conn.execute(
        text(
            "INSERT INTO workspace (slug, name, timezone, languages, auto_case_severity,"
            " sensitivity, config, created_at) VALUES ('w', 'W', 'UTC', '[]', 'crisis',"
            " 'balanced', '{}', '2026-01-01 00:00:00')"
        )
    )
    return int(conn.scalar(text("SELECT id FROM workspace")))


def test_0008_adds_origin_and_pause_and_downgrade_keeps_paused_sources_off(
    fresh_url: str,
) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0007")
    with engine.begin() as conn:
        workspace_id = _insert_workspace(conn)
        for key in ("kept", "paused"):
            conn.execute(
                text(
                    "INSERT INTO source (workspace_id, key, kind, config, enabled,"
                    " consecutive_errors, posts_total, created_at) VALUES (:ws, :key, 'rss',"
                    " '{}', true, 0, 0, '2026-01-01 00:00:00')"
                ),
                {"ws": workspace_id, "key": key},
            )
    upgrade(engine)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT key, origin, paused_at FROM source ORDER BY key"))
        assert [tuple(r) for r in rows] == [("kept", "file", None), ("paused", "file", None)]
        conn.execute(
            text(
                "UPDATE source SET paused_at = '2026-12-07 10:00:00', origin = 'web'"
                " WHERE key = 'paused'"
            )
        )
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    columns = {column["name"] for column in inspect(engine).get_columns("source")}
    with engine.connect() as conn:
        enabled = {
            key: bool(on) for key, on in conn.execute(text("SELECT key, enabled FROM source"))
        }
    assert not {"origin", "paused_at", "paused_by", "archived_at"} & columns
    assert enabled == {"kept": True, "paused": False}
    upgrade(engine)  # and up again from there
    assert "origin" in {column["name"] for column in inspect(engine).get_columns("source")}
    engine.dispose()


def test_0010_lists_each_alerts_own_group_and_downgrade_keeps_alerts_and_deliveries(
    fresh_url: str,
) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0009")
    with engine.begin() as conn:
        workspace_id = _insert_workspace(conn)
        conn.execute(
            text(
                "INSERT INTO topic (workspace_id, key, name, query, active, created_at,"
                " updated_at) VALUES (:ws, 'b', 'B', 'b', true, '2026-01-01 00:00:00',"
                " '2026-01-01 00:00:00')"
            ),
            {"ws": workspace_id},
        )
        topic_id = conn.scalar(text("SELECT id FROM topic"))
        for group, topic in (("topic:1", topic_id), ("source:1:failing", None)):
            conn.execute(
                text(
                    "INSERT INTO alert (workspace_id, topic_id, group_key, kind, severity,"
                    " risk_score, status, title, explanation, factors, post_ids, window_start,"
                    " window_end, created_at, updated_at) VALUES (:ws, :topic, :group, 'topic',"
                    " 'warning', 50, 'open', 't', 'e', '[]', '[]', '2026-01-01 00:00:00',"
                    " '2026-01-01 00:10:00', '2026-01-01 00:10:00', '2026-01-01 00:10:00')"
                ),
                {"ws": workspace_id, "topic": topic, "group": group},
            )
    upgrade(engine)
    with engine.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT a.group_key, g.group_key, g.topic_id FROM alert a JOIN alert_group g"
                " ON g.alert_id = a.id ORDER BY a.id"
            )
        )
        assert [tuple(r) for r in rows] == [
            ("topic:1", "topic:1", topic_id),
            ("source:1:failing", "source:1:failing", None),
        ]
        first, second = conn.scalars(text("SELECT id FROM alert ORDER BY id")).all()
        conn.execute(text("UPDATE alert SET status = 'merged' WHERE id = :id"), {"id": second})
        conn.execute(
            text(
                "INSERT INTO alert_merge (alert_id, into_alert_id, merged_at)"
                " VALUES (:second, :first, '2026-01-01 00:20:00')"
            ),
            {"first": first, "second": second},
        )
        conn.execute(
            text(
                "INSERT INTO alert_delivery (alert_id, route, severity, status, attempts,"
                " next_attempt_at) VALUES (:first, 'console', 'warning', 'sent', 1,"
                " '2026-01-01 00:10:00')"
            ),
            {"first": first},
        )
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")
    assert not {"alert_group", "alert_merge"} & set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        statuses = list(conn.scalars(text("SELECT status FROM alert ORDER BY id")))
        deliveries = conn.scalar(text("SELECT count(*) FROM alert_delivery"))
    assert statuses == ["open", "resolved"] and deliveries == 1
    upgrade(engine)  # and up again from there
    assert "alert_group" in inspect(engine).get_table_names()
    engine.dispose()


def test_0011_leaves_old_alert_titles_as_they_were_and_downgrade_keeps_deliveries(
    fresh_url: str,
) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0010")
    with engine.begin() as conn:
        _insert_workspace(conn)
        conn.execute(
            text(
                "INSERT INTO alert (workspace_id, group_key, kind, severity, risk_score, status,"
                " title, explanation, factors, post_ids, window_start, window_end, created_at,"
                " updated_at) VALUES ((SELECT id FROM workspace), 'topic:1', 'topic', 'warning',"
                " 50, 'open', 'Old title', 'e', '[]', '[]', '2026-01-01 00:00:00',"
                " '2026-01-01 00:10:00', '2026-01-01 00:10:00', '2026-01-01 00:10:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alert_delivery (alert_id, route, severity, status, attempts,"
                " next_attempt_at) VALUES ((SELECT id FROM alert), 'console', 'warning', 'sent',"
                " 1, '2026-01-01 00:10:00')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT title, title_message FROM alert")).one()
    assert tuple(row) == ("Old title", None)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0010")
    columns = {c["name"] for c in inspect(engine).get_columns("alert")}
    with engine.connect() as conn:
        deliveries = conn.scalar(text("SELECT count(*) FROM alert_delivery"))
    assert "title_message" not in columns and deliveries == 1
    engine.dispose()


def test_0014_adds_the_inbox_tables_and_downgrade_keeps_posts(fresh_url: str) -> None:
    engine = create_db_engine(fresh_url)
    upgrade(engine, "0013")
    # The tables written here are the same at 0013 and now, so the models can write them.
    with sessionmaker_for(engine)() as session:
        workspace = make_workspace(session, "w")
        [post] = make_posts(session, workspace, 1)
        session.commit()
        workspace_id = workspace.id
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"post_tag", "post_assignment", "saved_view", "user_notification"} <= tables
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO post_tag (workspace_id, raw_post_id, tag, added_by, added_at)"
                " VALUES (:w, (SELECT id FROM raw_post), 'press', 'dana', '2026-01-01 00:00:00')"
            ),
            {"w": workspace_id},
        )
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        posts = conn.scalar(text("SELECT count(*) FROM raw_post"))
    assert not {"post_tag", "post_assignment", "saved_view", "user_notification"} & tables
    assert posts == 1
    engine.dispose()
