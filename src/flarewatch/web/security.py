"""Secret key, CSRF tokens and sign-in rate limiting."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from flarewatch.config.settings import get_settings
from flarewatch.errors import PermissionDeniedError

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def load_secret_key() -> str:
    """FLAREWATCH_SECRET_KEY, else a random key kept in the data directory.

    Keeping it on disk means sessions survive a restart without the operator having to set one.
    """
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also for anonymous sessions: /login)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> None:
    """Refuses unsafe requests that a cookie authenticates unless they echo the session token.

    Bearer-token API calls carry no ambient credential, so a forged cross-site request cannot
    use them; they are exempt.
    """
    if request.method not in UNSAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    if (
        request.url.path.startswith("/api/")
        and "uid" not in request.session
        and not request.app.state.demo_user
    ):
        # No cookie credential to abuse: let authentication answer 401 instead of a CSRF 403.
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise PermissionDeniedError(
            "This form has expired or did not come from Flarewatch; reload the page and try again."
        )


@dataclass(frozen=True)
class LoginLimits:
    """Failed sign-ins allowed within `window` seconds, per scope.

    One person mistyping behind a shared address (an office NAT) locks out only their own
    account from that address; guessing one account from many addresses, or many accounts from
    one address, is still stopped by the wider scopes.
    """

    per_account_and_address: int = 5
    per_account: int = 20
    per_address: int = 100
    window: float = 300.0


class LoginRateLimiter:
    """Counts failed sign-ins per (address, account), per account and per address.

    Kept in memory: one server process serves the web UI, and a restart forgetting the counts
    only gives an attacker a handful more guesses per restart.
    """

    # Above this many keys, keys whose failures are all older than the window are dropped, so
    # sign-ins with made-up accounts cannot grow the table without bound.
    SWEEP_ABOVE = 10_000

    def __init__(self, limits: LoginLimits | None = None) -> None:
        self.limits = limits or LoginLimits()
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, address: str, account: str) -> list[tuple[str, int]]:
        account = account.strip().lower()[:254]
        return [
            (f"pair:{address}|{account}", self.limits.per_account_and_address),
            (f"account:{account}", self.limits.per_account),
            (f"address:{address}", self.limits.per_address),
        ]

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.limits.window:
            failures.popleft()
        return failures

    def retry_after(self, address: str, account: str) -> int:
        """Seconds until the next attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key, allowed in self._keys(address, account):
                failures = self._recent(key, now)
                if len(failures) >= allowed:
                    # The oldest failure that must age out before one more is allowed.
                    oldest = failures[len(failures) - allowed]
                    wait = max(wait, self.limits.window - (now - oldest))
        return int(wait) + (1 if wait else 0)

    def failed(self, address: str, account: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key, _ in self._keys(address, account):
                self._recent(key, now).append(now)
            if len(self._failures) > self.SWEEP_ABOVE:
                self._sweep(now)

    def succeeded(self, address: str, account: str) -> None:
        """Forgets this person's own mistakes; failures others caused stay counted."""
        with self._lock:
            pair_key = self._keys(address, account)[0][0]
            self._failures.pop(pair_key, None)

    def _sweep(self, now: float) -> None:
        stale = [k for k, f in self._failures.items() if not f or now - f[-1] > self.limits.window]
        for key in stale:
            del self._failures[key]


def client_address(request: Request) -> str:
    """The peer's address; a trusted proxy's X-Forwarded-For has already replaced it (app.py)."""
    return request.client.host if request.client else "unknown"
