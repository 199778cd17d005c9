"""Data migrations, run on a database as an older release left it (SQLite)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from flarewatch.db.engine import create_db_engine
from flarewatch.db.migrate import alembic_config, upgrade


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
