"""What kind "youtube" needs of the YouTube Data API v3 besides mapping: its quota counted in
units per Pacific day, its error bodies, its video and channel ids, and its newest-first pages.

The API sends no quota header. Every Google Cloud project has a daily budget of units (10,000
unless raised) that resets at midnight America/Los_Angeles, and each method costs a fixed
number of units, charged even when the call fails: search.list 100, commentThreads.list,
comments.list and videos.list 1 each. So the units are counted here, per Pacific day, kept in
the checkpoint, and a call that would overrun the budget is not made.

Errors come as `{"error": {"code", "message", "errors": [{"reason", "domain"}], "details":
[{"reason"}]}}`; the `reason` says what happened (quotaExceeded, keyInvalid / API_KEY_INVALID,
commentsDisabled, videoNotFound, …), so the statuses are read here rather than by
PoliteClient's generic handling.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from flarewatch.sources.base import CredentialError, SourceError, SourceProblem
from flarewatch.sources.checkpoints import past_mark
from flarewatch.sources.http import (
    Answer,
    PoliteClient,
    unexplained_status,
    url_without_query,
)

DEFAULT_ENDPOINT = "https://www.googleapis.com/youtube/v3"
PACIFIC = ZoneInfo("America/Los_Angeles")
# Units per call (https://developers.google.com/youtube/v3/determine_quota_cost).
COSTS = {"search": 100, "commentThreads": 1, "comments": 1, "videos": 1}
# A per-minute limit (not the daily one) says nothing about when it lifts; come back after this.
RATE_LIMIT_WAIT = timedelta(minutes=5)
KEY_HELP = (
    "create an API key in the Google Cloud console (APIs & Services → Credentials → Create "
    "credentials → API key) for a project with the YouTube Data API v3 enabled"
)
_QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
_RATE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"})
_KEY_REASONS = frozenset({"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED"})
_DISABLED_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED"})
_RESTRICTED_REASONS = frozenset(
    {
        "ipRefererBlocked",
        "API_KEY_HTTP_REFERRER_BLOCKED",
        "API_KEY_IP_ADDRESS_BLOCKED",
        "API_KEY_SERVICE_BLOCKED",
        "API_KEY_ANDROID_APP_BLOCKED",
        "API_KEY_IOS_APP_BLOCKED",
    }
)
_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_NOT_FOUND_REASONS = frozenset(
    {"videoNotFound", "channelNotFound", "commentNotFound", "commentThreadNotFound", "notFound"}
)


def video_id_of(value: str) -> str:
    """A video id, also taken from a watch, youtu.be, shorts or live address."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname:
        host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
        segments = [s for s in parts.path.split("/") if s]
        if host == "youtu.be" and segments:
            text = segments[0]
        elif host.endswith("youtube.com") and parts.path == "/watch":
            text = (parse_qs(parts.query).get("v") or [""])[0]
        elif (
            host.endswith("youtube.com")
            and len(segments) == 2
            and segments[0] in ("shorts", "live")
        ):
            text = segments[1]
    if not _VIDEO_ID.match(text):
        raise ValueError(
            f"{value!r} is not a YouTube video id; give the 11 characters after "
            "'watch?v=' (e.g. \"dQw4w9WgXcQ\") or the video's address"
        )
    return text


def channel_id_of(value: str) -> str:
    """A channel id (UC…), also taken from a /channel/UC… address."""
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.path.startswith("/channel/"):
        text = parts.path.split("/")[2]
    if not _CHANNEL_ID.match(text):
        hint = (
            "a @handle or custom address is not enough, the API needs the channel id"
            if text.startswith("@") or "/@" in text or "/c/" in text
            else "a channel id is 24 characters starting with UC"
        )
        raise ValueError(
            f"{value!r} is not a channel id ({hint}); open the channel, About → Share "
            'channel → Copy channel ID, and give that (e.g. "UC_x5XG1OV2P6uZZ5FSM9Ttw")'
        )
    return text


def rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def pacific_day(now: datetime) -> str:
    return now.astimezone(PACIFIC).date().isoformat()


def next_reset(now: datetime) -> datetime:
    """The next midnight in America/Los_Angeles (when the daily quota resets), in UTC."""
    tomorrow = now.astimezone(PACIFIC).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC).astimezone(UTC)


class QuotaSpent(Exception):
    """The next call would overrun the daily budget of units."""


class TargetProblem(Exception):
    """One video, channel or search cannot be read (comments turned off, not found): a problem
    for it, and the other targets go on."""


@dataclass(slots=True)
class QuotaLedger:
    """The units spent today (Pacific day), as counted by this source."""

    daily_units: int
    day: str
    used: int
    reset_at: datetime

    @classmethod
    def from_state(cls, state: Any, daily_units: int, now: datetime) -> QuotaLedger:
        day = pacific_day(now)
        used = 0
        if isinstance(state, dict) and state.get("day") == day:
            value = state.get("used")
            used = value if isinstance(value, int) and value >= 0 else 0
        return cls(daily_units, day, used, next_reset(now))

    def left(self) -> int:
        return max(0, self.daily_units - self.used)

    def charge(self, method: str) -> None:
        cost = COSTS[method]
        if cost > self.left():
            raise QuotaSpent(method)
        self.used += cost

    def spend_all(self) -> None:
        self.used = max(self.used, self.daily_units)

    def state(self) -> dict[str, Any]:
        return {"day": self.day, "used": self.used}

    def as_quota(self) -> dict[str, Any]:
        return {
            "remaining": self.left(),
            "limit": self.daily_units,
            "unit": "units",
            "reset_at": self.reset_at.isoformat(),
        }


def _reasons(error: Mapping[str, Any]) -> set[str]:
    found: set[str] = set()
    for name in ("errors", "details"):
        entries = error.get(name)
        if isinstance(entries, list):
            found |= {
                e["reason"]
                for e in entries
                if isinstance(e, dict) and isinstance(e.get("reason"), str)
            }
    return found


class YouTubeApi:
    """The Data API calls of one poll: each one charged to the ledger before it is made."""

    def __init__(
        self,
        client: PoliteClient,
        *,
        endpoint: str,
        api_key: str,
        api_key_env: str,
        ledger: QuotaLedger,
        now: datetime,
    ) -> None:
        self.client = client
        self.endpoint = endpoint.rstrip("/")
        self.api_key = api_key
        self.api_key_env = api_key_env
        self.ledger = ledger
        self.now = now

    @property
    def key(self) -> str:
        return self.client.source_key

    def list(self, method: str, params: Mapping[str, Any], *, about: str) -> dict[str, Any]:
        """One page of `method` (search, commentThreads, comments, videos); `about` names what
        a not-found or comments-off answer is about."""
        self.ledger.charge(method)
        url = f"{self.endpoint}/{method}"
        answer = self.client.get(
            url,
            params={**params, "key": self.api_key},
            headers={"Accept": "application/json"},
            ok=(400, 401, 403, 404),
        )
        data = self.client.parse_json(answer)
        if answer.status >= 400:
            raise self._error(answer, data, about)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise SourceError(
                f"source {self.key!r}: {url_without_query(answer.url)}: the answer has no 'items' "
                f"list; check that endpoint is the YouTube Data API v3 ({DEFAULT_ENDPOINT}); "
                "nothing from it is stored, retried at the next poll"
            )
        return data

    def fresh_pages(
        self,
        method: str,
        params: Mapping[str, Any],
        *,
        about: str,
        since: datetime,
        bound: Mapping[str, Any],
        max_pages: int,
        dated: Callable[[Any], tuple[str, datetime] | None],
        entry: str,
        missing: str,
        problems: list[SourceProblem],
    ) -> list[tuple[str, dict[str, Any], datetime]]:
        """The items past `bound` as (id, item, time), oldest first, from pages of `method`
        asked newest first: read until a page reaches back before `since`, the last page or
        `max_pages`. An item `dated` cannot read is a problem (`missing` says what it lacks,
        `entry` names it in the place), the rest are kept."""
        found: dict[str, tuple[dict[str, Any], datetime]] = {}
        token: str | None = None
        for page in range(max_pages):
            data = self.list(
                method, {**params, "pageToken": token} if token else params, about=about
            )
            oldest: datetime | None = None
            for index, item in enumerate(data["items"]):
                item_time = dated(item)
                if item_time is None:
                    problems.append(
                        SourceProblem(
                            f"{about} page {page + 1} {entry} {index + 1}",
                            f"{missing} ({str(item)[:120]}); skipped, the rest are kept",
                        )
                    )
                    continue
                item_id, when = item_time
                found.setdefault(item_id, (item, when))
                oldest = when if oldest is None else min(oldest, when)
            token = (
                data.get("nextPageToken") if isinstance(data.get("nextPageToken"), str) else None
            )
            if not token or not data["items"] or (oldest is not None and oldest < since):
                break
        return sorted(
            (
                (item_id, item, when)
                for item_id, (item, when) in found.items()
                if past_mark(item_id, when, bound)
            ),
            key=lambda fresh: (fresh[2], fresh[0]),
        )

    def _error(self, answer: Answer, data: Any, about: str) -> Exception:
        where = url_without_query(answer.url)
        error = data.get("error") if isinstance(data, dict) else None
        if not isinstance(error, dict):
            return unexplained_status(self.key, answer, data)
        reasons = _reasons(error)
        message = str(error.get("message") or "no message")[:200]
        said = f"HTTP {answer.status}" + (f" {', '.join(sorted(reasons))}" if reasons else "")
        said += f": {message}"
        if reasons & _QUOTA_REASONS:
            self.ledger.spend_all()
            reset = self.ledger.reset_at
            return SourceError(
                f"source {self.key!r}: the project's daily YouTube quota is used up ({said}); "
                f"polled again after {reset:%Y-%m-%d %H:%M} UTC (midnight Pacific time); lower "
                "daily_units or poll less often if it happens every day",
                retry_at=reset,
            )
        if reasons & _RATE_REASONS:
            retry_at = self.now + RATE_LIMIT_WAIT
            return SourceError(
                f"source {self.key!r}: {where}: rate limited by YouTube ({said}); polled again "
                f"after {retry_at:%H:%M} UTC",
                retry_at=retry_at,
            )
        if reasons & _KEY_REASONS or "api key not valid" in message.lower():
            return CredentialError(
                f"source {self.key!r}: YouTube rejected the API key in {self.api_key_env} "
                f"({said}); {KEY_HELP}, and store it in {self.api_key_env}"
            )
        if reasons & _DISABLED_REASONS:
            return CredentialError(
                f"source {self.key!r}: the API key in {self.api_key_env} belongs to a project "
                f"without the YouTube Data API v3 ({said}); enable it in the Google Cloud console "
                "(APIs & Services → Library → YouTube Data API v3 → Enable)"
            )
        if reasons & _RESTRICTED_REASONS:
            return CredentialError(
                f"source {self.key!r}: the API key in {self.api_key_env} is restricted so that "
                f"this server may not use it ({said}); allow this server's IP address (or remove "
                "the website restriction) in the key's settings in the Google Cloud console"
            )
        if "commentsDisabled" in reasons:
            return TargetProblem(
                f"{about} has its comments turned off ({said}); nothing to read there, the "
                "other videos and channels go on"
            )
        if reasons & _NOT_FOUND_REASONS or answer.status == 404:
            return TargetProblem(
                f"{about} was not found ({said}): deleted, private or a wrong id; check it in "
                "the workspace file"
            )
        if answer.status == 403:
            return TargetProblem(
                f"{about} cannot be read with an API key ({said}); it is skipped, the others go on"
            )
        return SourceError(
            f"source {self.key!r}: {where}: {said}; check this source's keys (docs/sources.md)"
        )
