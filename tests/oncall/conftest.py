"""A workspace file with people, a weekly rota and a crisis policy, as the issue spells it."""

from __future__ import annotations

from pathlib import Path

import pytest

ONCALL_WORKSPACE = """\
slug = "acme"
name = "Acme"
timezone = "Asia/Jerusalem"
weekend = ["fri", "sat"]
holidays_country = "IL"

[[alert_routes]]
name = "comms-slack"
url = "json://127.0.0.1:9/hook"

[[people]]
key = "dana"
name = "Dana Levi"
timezone = "Asia/Jerusalem"
notify = ["mailto://user:pw@agency.example?to=dana@agency.example", "ntfy://dana-alerts"]

[[people]]
key = "piotr"
timezone = "Europe/Warsaw"
notify = ["ntfy://piotr-alerts"]

[[people]]
key = "noa"
notify = ["json://127.0.0.1:9/noa"]

[[rotas]]
key = "duty"
timezone = "Asia/Jerusalem"
rotation = "weekly"            # daily | weekly
handover = "sun 09:00"
members = ["dana", "piotr", "noa"]
start = 2026-11-29

[[escalation]]
severity = "crisis"            # policy for alerts at or above this severity
steps = [
  { notify = "rota:duty", wait_minutes = 10 },
  { notify = "person:noa", wait_minutes = 15 },
  { notify = "route:comms-slack", repeat = 3 },
]

[[escalation]]
severity = "warning"
page = "working_hours"
steps = [{ notify = "rota:duty", wait_minutes = 30 }]
"""


@pytest.fixture
def oncall_file(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(ONCALL_WORKSPACE, encoding="utf-8")
    return path


# The real loopback receivers of the alert tests.
from tests.alerts.conftest import http_receiver  # noqa: E402, F401
