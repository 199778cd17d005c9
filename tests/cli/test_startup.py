"""`flarewatch --help` and `flarewatch query check` start without the heavy libraries.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Top-level packages that cost hundreds of milliseconds, and our own database layer.
HEAVY = ("sqlalchemy", "alembic", "numpy", "fastapi", "uvicorn", "pydantic_settings")

PROBE = """
import json, sys
from typer.testing import CliRunner
from flarewatch.cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in %r or m.startswith("flarewatch.db"))
print(json.dumps({"code": result.exit_code, "output": result.output, "modules": heavy}))
"""


def _modules_after(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    probe = "import sys, flarewatch.cli.main; print(sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(eval(done.stdout))  # noqa: S307 - our own probe's printed list
    heavy = {m for m in loaded if m.split(".")[0] in HEAVY or m.startswith("flarewatch.db")}
    assert not heavy


@pytest.mark.parametrize(
    "args",
    [["--help"], ["query", "check", "acme AND (outage OR awaria)"], ["query", "--help"]],
)
def test_light_commands_stay_light(args: list[str]) -> None:
    outcome = _modules_after(*args)
    assert outcome["code"] == 0, outcome["output"]
    assert outcome["modules"] == []


def test_a_lazy_group_is_imported_when_run() -> None:
    outcome = _modules_after("workspace", "--help")
    assert outcome["code"] == 0, outcome["output"]
    assert "check" in str(outcome["output"])
    assert "sqlalchemy" in outcome["modules"]  # the group's module really was imported


def test_the_early_log_level_reads_the_settings_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from flarewatch.config.log_level import configured_log_level
    from flarewatch.config.settings import Settings

    monkeypatch.delenv("FLAREWATCH_LOG_LEVEL", raising=False)
    assert configured_log_level() == Settings().log_level == "INFO"
    monkeypatch.setenv("flarewatch_log_level", "WARNING")  # pydantic-settings ignores the case
    assert configured_log_level() == Settings().log_level == "WARNING"
