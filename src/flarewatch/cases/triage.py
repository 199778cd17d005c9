"""Acknowledge, resolve or mark an alert as noise, and write it on the alert's case.

The web pages, the JSON API and the CLI all triage through here, so the case timeline records
who did what and when whichever front end they used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from flarewatch.alerts import service as alerts
from flarewatch.alerts.models import Alert
from flarewatch.cases.service import record_triage
from flarewatch.errors import InputError

AlertAction = Callable[..., Alert]

ALERT_ACTIONS: dict[str, AlertAction] = {
    "acknowledge": alerts.acknowledge,
    "noise": alerts.mark_noise,
    "resolve": alerts.resolve,
}


def triage_alert(
    session: Session,
    alert_id: int,
    action: str,
    actor: str,
    *,
    workspace_id: int | None = None,
    now: datetime | None = None,
) -> Alert:
    """Apply `action` to the alert; a change of status becomes a line on its case's timeline."""
    if action not in ALERT_ACTIONS:
        raise InputError(f"unknown alert action {action!r}; use one of {', '.join(ALERT_ACTIONS)}")
    before = alerts.get_alert(session, alert_id, workspace_id=workspace_id).status
    alert = ALERT_ACTIONS[action](session, alert_id, actor, workspace_id=workspace_id, now=now)
    if alert.status != before:
        record_triage(session, alert, actor)
    return alert
