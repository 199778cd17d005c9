"""What the alert page shows of an alert's paging: the escalation in progress and what
happens next, each delivery's state (attempts, last error, next try), and its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert, AlertDelivery, AlertEvent
from flarewatch.alerts.routing import CONSOLE_ROUTE, describe_route
from flarewatch.alerts.timeline import alert_events
from flarewatch.oncall.models import EscalationStep


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One delivery as the page shows it: never the URL itself (it may hold a token)."""

    id: int
    recipient: str  # a person's key, route:NAME or the masked route
    channel: str
    purpose: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None  # pending only
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class PagingView:
    rounds: list[EscalationStep]
    next_round: EscalationStep | None  # the first round still waiting, if any
    deliveries: list[DeliveryRow]
    events: list[AlertEvent]

    @property
    def shown(self) -> bool:
        return bool(self.rounds or self.deliveries or self.events)


def _row(delivery: AlertDelivery) -> DeliveryRow:
    channel = delivery.route.split("://", 1)[0].lower() if "://" in delivery.route else "?"
    return DeliveryRow(
        id=delivery.id,
        recipient=delivery.recipient or describe_route(delivery.route),
        channel=channel,
        purpose=delivery.purpose or "alert",
        status=delivery.status,
        attempts=delivery.attempts,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        sent_at=delivery.sent_at,
    )


def paging_view(session: Session, alert: Alert) -> PagingView:
    from flarewatch.oncall.service import escalation_of

    rounds = escalation_of(session, alert.id)
    waiting = [r for r in rounds if r.status == "pending"]
    deliveries = session.scalars(
        select(AlertDelivery)
        .where(AlertDelivery.alert_id == alert.id, AlertDelivery.route != CONSOLE_ROUTE)
        .order_by(AlertDelivery.id)
    ).all()
    return PagingView(
        rounds=rounds,
        next_round=waiting[0] if waiting and alert.status == "open" else None,
        deliveries=[_row(d) for d in deliveries],
        events=alert_events(session, alert.id),
    )
