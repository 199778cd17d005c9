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
from flarewatch.alerts.timeline import record_event
from flarewatch.alerts.wording import ACKNOWLEDGED_BY_LINK, TRIAGED
from flarewatch.cases.service import record_triage
from flarewatch.errors import InputError
from flarewatch.oncall.service import cancel_pending

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
    via_link: bool = False,
) -> Alert:
    """Apply `action` to the alert; a change of status becomes a line on its own timeline and
    its case's, and cancels its escalation rounds still waiting (docs/oncall.md)."""
    if action not in ALERT_ACTIONS:
        raise InputError(f"unknown alert action {action!r}; use one of {', '.join(ALERT_ACTIONS)}")
    before = alerts.get_alert(session, alert_id, workspace_id=workspace_id).status
    alert = ALERT_ACTIONS[action](session, alert_id, actor, workspace_id=workspace_id, now=now)
    if alert.status != before:
        record_triage(session, alert, actor)
        at = now or alert.updated_at
        message = ACKNOWLEDGED_BY_LINK if via_link else TRIAGED[alert.status]
        record_event(session, alert, alert.status, message, at, on_case=False, actor=actor)
        cancel_pending(session, alert.id, f"alert {alert.status} by {actor}")
    return alert
