"""JSON shapes of the API (also what the OpenAPI document describes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from flarewatch.web.params import CaseStatus


def _without_nul(value: str) -> str:
    # PostgreSQL cannot store U+0000 in text (psycopg DataError, HTTP 500): refuse it up front.
    if "\x00" in value:
        raise ValueError("must not contain the NUL character (U+0000); remove it and send again")
    return value


# Text a client sends; the schema says so too, so generated clients and fuzzers know.
Text = Annotated[
    str, AfterValidator(_without_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserOut(_Out):
    id: int
    email: str
    name: str
    locale: str | None
    timezone: str | None


class WorkspaceOut(_Out):
    id: int
    slug: str
    name: str
    timezone: str
    languages: list[str]
    sensitivity: str
    role: str = Field(description="The caller's role in this workspace.")


class TopicOut(_Out):
    id: int
    key: str
    name: str
    query: str
    active: bool


class MentionOut(BaseModel):
    """One post of the stream, however many topics it matched."""

    id: int = Field(description="The post's first mention id: the row's key and paging cursor.")
    post_id: int
    topic: str = Field(description="The first of `topics` (kept for older clients).")
    topics: list[str] = Field(description="Keys of every topic the post matched.")
    tags: list[str]
    assignee: str | None = Field(description="E-mail of the member the post is assigned to.")
    platform: str
    created_at: datetime
    language: str
    sentiment: str
    sentiment_score: float
    author: str | None
    url: str | None
    title: str | None
    text: str
    reach: float
    engagement: float
    engagement_velocity: float = Field(description="Weighted interactions per hour.")
    emotion: str | None
    emotion_intensity: float
    is_spam: bool
    spam_score: float
    spam_signals: dict[str, float]
    relevant: bool | None = Field(description="A person's mark; null when nobody marked it.")
    relevance: float = Field(description="The workspace relevance filter's P(relevant).")
    filtered: bool = Field(description="Hidden by default as not relevant.")
    near_dup_of: str | None
    copies: int = Field(description="Other posts that are near-duplicates of this one.")
    copy_authors: list[str]


class MentionCountOut(BaseModel):
    posts: int = Field(description="Posts matching the filters, each counted once.")


class AlertOut(_Out):
    id: int
    kind: str = Field(description='"topic" (detection on mentions) or "source" (coverage).')
    topic_id: int | None
    source_id: int | None = Field(description="The source a source alert is about.")
    severity: str
    risk_score: float
    status: str
    title: str
    explanation: str
    factors: list[dict[str, Any]]
    post_ids: list[int]
    window_start: datetime
    window_end: datetime
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    topic_ids: list[int] = Field(
        description="Every topic the alert stands for: topics whose signals rest on the same "
        "posts are one alert, the topic that opened it first."
    )
    merged_into_id: int | None = Field(
        description='Status "merged": the alert of the same incident that stands for this one.'
    )
    sentiment_backend: str | None = Field(
        description="The sentiment model its negative share and explanation rest on: the "
        "workspace's accurate one (e.g. e5) once its mentions are re-scored, else the pipeline's "
        '(docs/alerts.md, "Which model scored it"). Null on alerts from before it was recorded.'
    )
    rescore: dict[str, Any] | None = Field(
        description='Re-scoring with the accurate model: state ("done" or "pending"), backend, '
        "window_posts, scored, failed, seconds, pending (post ids still to score)."
    )


class CaseEventOut(_Out):
    id: int
    at: datetime
    kind: str
    actor: str
    text: str
    data: dict[str, Any]


class TaskOut(_Out):
    id: int
    title: str
    assignee: str | None
    status: str
    due_at: datetime | None
    done_at: datetime | None


class CaseOut(_Out):
    id: int
    alert_id: int | None
    title: str
    status: str
    severity: str
    summary: str | None
    owner: str | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None


class CaseDetailOut(CaseOut):
    alert: AlertOut | None = Field(
        description="The case's alert as it is now (severity, risk, figures, explanation)."
    )
    timeline: list[CaseEventOut]
    tasks: list[TaskOut]


class StatusIn(BaseModel):
    status: CaseStatus
    note: Text | None = Field(None, description="Why; required to close a case that is still new.")
    resolve_alert: bool = Field(
        False, description="With status closed: also resolve the case's alert if still live."
    )


class OwnerIn(BaseModel):
    owner: Text | None = Field(
        None, description="E-mail of a member of the workspace; null or empty clears it."
    )


class NoteIn(BaseModel):
    text: Text = Field(min_length=1)


class TaskIn(BaseModel):
    title: Text = Field(min_length=1)
    assignee: Text | None = Field(None, description="E-mail of a member of the workspace.")
    due_at: datetime | None = Field(None, description="ISO 8601 with a timezone offset.")


def _not_bool(value: Any) -> Any:
    # JSON true/false is not an id, though Python would read it as 1/0.
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    return value


# A row key in a JSON body: at most 2**53 - 1, the largest integer every JSON reader keeps exact
# (RFC 7493, I-JSON); a larger number may arrive rounded as a float and name another row.
JSON_SAFE_INT = 2**53 - 1
RowId = Annotated[int, Field(ge=1, le=JSON_SAFE_INT), BeforeValidator(_not_bool)]
PostIds = Annotated[
    list[RowId],
    Field(
        min_length=1,
        max_length=500,
        description="Row keys of the posts (a post's `id` in the stream; any mention id of the "
        "post names it); ids of other workspaces are ignored.",
    ),
]
TagText = Annotated[
    str,
    Field(
        pattern=r"^#?[A-Za-z0-9_.:\-]{1,64}$",
        description="One word: letters, digits, '-', '_', '.', ':' (a leading # is dropped; "
        "stored in lower case), e.g. 'refund'.",
    ),
]


class RelevanceBulkIn(BaseModel):
    """relevant / not_relevant: trains the workspace's relevance filter (the role that edits
    topics); a post marked not relevant is hidden from the stream and the counts."""

    action: Literal["relevant", "not_relevant"]
    ids: PostIds


class TagBulkIn(BaseModel):
    action: Literal["tag", "untag"]
    ids: PostIds
    tag: TagText


class AssignBulkIn(BaseModel):
    action: Literal["assign"]
    ids: PostIds
    assignee: Text | None = Field(
        None, description="E-mail of a member of the workspace; null or empty unassigns."
    )


class CaseBulkIn(BaseModel):
    """case: the posts go on the case's timeline (the role that edits cases)."""

    action: Literal["case"]
    ids: PostIds
    case_id: RowId


BulkIn = Annotated[
    RelevanceBulkIn | TagBulkIn | AssignBulkIn | CaseBulkIn, Field(discriminator="action")
]


class BulkOut(BaseModel):
    posts: int = Field(description="Posts acted on (each post once, whatever its topics).")
    changed: int = Field(description="Of those, posts whose state actually changed.")


class TagOut(BaseModel):
    tag: str
    posts: int = Field(description="Posts carrying the tag.")


class FiltersIn(BaseModel):
    """The inbox filters a saved view keeps: the query parameters of the mention stream."""

    topic: Text | None = None
    platform: Text | None = None
    language: Text | None = Field(None, description="ISO 639-1 code.")
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    since: Literal["1h", "24h", "7d", "30d"] | None = None
    author: Text | None = None
    q: Text | None = Field(None, description="Words that must all appear in the text.")
    tag: Text | None = None
    assignee: Text | None = Field(None, description="E-mail of the member assigned.")
    hidden: Literal["show"] | None = Field(
        None, description="show: include posts filtered or marked not relevant."
    )


class SavedViewIn(BaseModel):
    name: Text = Field(
        min_length=1, max_length=100, description="Saving under an existing name replaces it."
    )
    filters: FiltersIn = Field(default_factory=FiltersIn)


class SavedViewOut(_Out):
    id: int
    name: str
    filters: dict[str, str] = Field(description="The stream's query parameters it applies.")


class AuditOut(_Out):
    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    details: dict[str, Any]


class ProblemOut(BaseModel):
    """An error: one sentence that says what is wrong and how to fix it."""

    detail: str


class FieldProblemOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int] = Field(description="Where: path, query or body, then the field.")
    msg: str
    type: str


class FieldProblemsOut(BaseModel):
    """A request that does not match the schema: one entry per field."""

    detail: list[FieldProblemOut]


_ERROR_MEANINGS: dict[int, str] = {
    400: "The body could not be read.",
    401: "No valid API token or session.",
    403: "The role does not allow this, or a browser request without its CSRF token.",
    404: "No such workspace (that you are a member of), or nothing with this id in it.",
    409: "The change is not allowed in the current state (e.g. reopening a closed case).",
    413: "The request body is over the server's limit (FLAREWATCH_MAX_BODY_BYTES).",
    422: "A parameter or field is not valid (FastAPI's field list), or the input is refused.",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: every error status it can answer, with its body's shape."""
    return {
        code: {
            "description": _ERROR_MEANINGS[code],
            "model": ProblemOut | FieldProblemsOut if code == 422 else ProblemOut,
        }
        for code in codes
    }


# Reads of the caller's own data; reads inside a workspace; changes inside a workspace.
OWN_READ = error_responses(401)
READ = error_responses(401, 404, 422)
CHANGE = error_responses(400, 401, 403, 404, 409, 413, 422)


class HourRateOut(BaseModel):
    hour: datetime = Field(description="Start of the last complete UTC hour, the hour judged.")
    posts: int = Field(description="Posts the source stored that were published in that hour.")
    usual: float | None = Field(
        description="Median of the same hour of the week over the previous 4 weeks; null "
        "without history."
    )
    history_weeks: int = Field(description="How many earlier weeks `usual` is the median of.")


class SourceHealthOut(BaseModel):
    key: str
    kind: str
    state: Literal["ok", "failing", "stale", "silent", "learning", "paused"] = Field(
        description="failing: 2+ failed polls in a row; stale: no successful poll within 3× its "
        "interval; silent: far below its usual rate for this hour of the week; learning: under "
        "2 weeks of history; paused: disabled (docs/sources.md, Source health)."
    )
    since: datetime | None = Field(description="When a failing, stale or silent state began.")
    interval_seconds: float | None = Field(
        description="Seconds between polls; 0: read on every cycle (files, replays)."
    )
    last_ok_at: datetime | None = Field(description="Last successful poll.")
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    consecutive_errors: int
    last_error: str | None = Field(description="What the platform (or the file) last said.")
    skipped_records: int = Field(description="Records skipped as unreadable, in all.")
    posts_total: int
    newest_post_at: datetime | None
    lag_seconds: float | None = Field(description="Now minus the newest post seen.")
    quota: dict[str, Any] | None = Field(
        description='What the platform said is left: {"remaining", "limit", "unit", "reset_at"}.'
    )
    last_hour: HourRateOut


class EscalationRoundOut(_Out):
    """One round of an alert's escalation policy, or a reminder (docs/oncall.md)."""

    kind: str = Field(description='"page" (a round of the policy) or "reminder".')
    cycle: int = Field(description="1, then 2, 3, … each time an acknowledgement lapsed.")
    step: int
    round: int
    target: str = Field(description="rota:KEY, person:KEY or route:NAME.")
    due_at: datetime
    status: str = Field(description="pending, sent or cancelled.")
    recipients: list[list[str]] = Field(description="[person key or route:NAME, channel] pairs.")
    sent_at: datetime | None
    note: str | None


class DeliveryOut(BaseModel):
    """One message of the alert to one contact method; never its URL (it may hold a token)."""

    id: int
    recipient: str
    channel: str
    purpose: str = Field(description='"alert" or "reminder".')
    status: str = Field(description="pending, sent, failed (gave up) or skipped.")
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None


class AlertEventOut(_Out):
    at: datetime
    kind: str
    text: str = Field(description="In English; the web page shows it in the reader's language.")


class PagingOut(BaseModel):
    """The escalation in progress, what happens next, the deliveries and the timeline."""

    next: EscalationRoundOut | None = Field(description="The first round still waiting.")
    rounds: list[EscalationRoundOut]
    deliveries: list[DeliveryOut]
    timeline: list[AlertEventOut]
