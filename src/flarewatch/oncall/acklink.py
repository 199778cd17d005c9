"""Signed one-click acknowledgement links: `<public URL>/ack/<token>` in every escalation message.

The token holds the alert's id, whom the message went to and how many hours it stays valid,
signed with the server's secret key (itsdangerous, its own salt), so nothing is stored for it:
it acknowledges that alert only, until it expires, and only on the server that made it.
Opening the link shows a confirmation page (GET); only the button on it (POST) acknowledges,
so a chat app's link preview never does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "flarewatch-ack"
INVALID = (
    "This acknowledgement link is not valid: it was cut short when copied, or it was made by "
    "another Flarewatch server. Open the alert in Flarewatch and acknowledge it there."
)
EXPIRED = (
    "This acknowledgement link expired at %(expired)s. Open the alert in Flarewatch and "
    "acknowledge it there, or run 'flarewatch alerts ack %(alert)s'."
)


class AckLinkError(ValueError):
    """A token that is malformed, forged or expired; the message says what to do instead."""


@dataclass(frozen=True, slots=True)
class AckClaim:
    alert_id: int
    recipient: str  # a person's key, route:NAME, or "" for a plain route
    expires_at: datetime


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, alert_id: int, recipient: str | None, hours: int) -> str:
    return _serializer(secret_key).dumps({"a": alert_id, "to": recipient or "", "h": hours})


def read_token(secret_key: str, token: str, now: datetime) -> AckClaim:
    """The claim a token makes; AckLinkError when it is forged, malformed or expired at `now`."""
    try:
        data, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
    except BadSignature:
        raise AckLinkError(INVALID) from None
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise AckLinkError(INVALID)
    hours = data.get("h") if isinstance(data.get("h"), int) else 24
    expires = signed_at.astimezone(UTC) + timedelta(hours=hours)
    if now >= expires:
        raise AckLinkError(
            EXPIRED % {"expired": expires.isoformat(timespec="minutes"), "alert": data["a"]}
        )
    return AckClaim(data["a"], str(data.get("to") or ""), expires)


def public_url() -> str:
    """Where people reach the web app: FLAREWATCH_PUBLIC_URL, else the address it listens on."""
    from flarewatch.config.settings import get_settings

    settings = get_settings()
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"http://{settings.host}:{settings.port}"


def server_secret() -> str:
    """The web app's secret key (FLAREWATCH_SECRET_KEY or the one kept in the data directory),
    so the runner signs links the web app accepts."""
    from flarewatch.web.security import load_secret_key

    return load_secret_key()


def ack_link(alert_id: int, recipient: str | None, hours: int) -> str:
    return f"{public_url()}/ack/{make_token(server_secret(), alert_id, recipient, hours)}"
