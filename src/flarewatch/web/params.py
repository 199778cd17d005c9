"""Validated path and query parameters shared by every page and API route.

Database ids are signed 64-bit integers on both SQLite and PostgreSQL; a larger number in a URL
used to reach the driver and fail there (OverflowError, HTTP 500). Declaring the bounds once here
makes FastAPI answer 422 with the parameter's name before any SQL runs, and puts the bounds in
the OpenAPI schema.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import Path, Query

from flarewatch.alerts.models import ALERT_STATUSES
from flarewatch.cases.models import CASE_STATUSES

# The largest value a BIGINT / SQLite INTEGER holds.
MAX_DB_INT = 2**63 - 1

AlertId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The alert's id.")]
CaseId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The case's id.")]
TaskId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The task's id.")]
MentionId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The mention's id.")]
TopicId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The topic's id.")]
UserId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The user's id.")]
SourceId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The source's id.")]
ViewId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The saved view's id.")]
TokenId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The API token's id.")]
RotaChangeId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="The override's or swap's id.")]


def id_cursor(description: str) -> Any:
    """A query parameter holding a row id used as a paging or polling cursor."""
    return Query(None, ge=1, le=MAX_DB_INT, description=description)


def last_seen_id(description: str) -> Any:
    """The newest id a page already shows: 0 when it shows none yet."""
    return Query(0, ge=0, le=MAX_DB_INT, description=description)


def count_param(description: str) -> Any:
    """A count carried in a URL (e.g. how many mentions a re-run added)."""
    return Query(None, ge=0, le=MAX_DB_INT, description=description)


# Statuses as the OpenAPI schema lists them; the asserts keep them equal to the models' tuples.
AlertStatus = Literal["open", "acknowledged", "resolved", "noise", "merged"]
CaseStatus = Literal["new", "triage", "responding", "monitoring", "closed"]
assert get_args(AlertStatus) == ALERT_STATUSES
assert get_args(CaseStatus) == CASE_STATUSES
