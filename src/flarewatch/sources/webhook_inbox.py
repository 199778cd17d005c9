"""The webhook inbox: request bodies checked, signed and stored before the 2xx answer, then read
by the `webhook` kind on the runner's next cycle.

Pure service functions over a Session. A body is kept as sent (its SHA-256 unique per source, so
a sender's retry of the same body is stored once); its records are read with the ingest rules
both at receipt (to answer which lines are bad) and when the runner turns them into posts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flarewatch.sources.base import CredentialError
from flarewatch.sources.date_columns import date_column_warning, unused_date_column
from flarewatch.sources.ingest import RecordError, post_from_record
from flarewatch.sources.models import Source, WebhookDelivery

SIGNATURE_HEADER = "X-Flarewatch-Signature"
SIGNATURE_PREFIX = "sha256="
JSON_TYPE = "application/json"
JSONL_TYPES = frozenset({"application/x-ndjson", "application/jsonl"})
CONTENT_TYPES = frozenset({JSON_TYPE, *JSONL_TYPES})
# An answer lists this many rejected records at most (and says how many there were in all).
MAX_LISTED_REJECTIONS = 100
_FIELD_PREFIX = re.compile(r"^([A-Za-z_][\w.\[\]]*): ")
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")

Sessions = Callable[[], AbstractContextManager[Session]]


class HookError(Exception):
    """A request the inbox refuses: the HTTP status and a message for the sender."""

    def __init__(self, status: int, message: str, rejected: list[Rejection] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.rejected = rejected or []


def _place(line: int | None, item: int | None) -> str:
    if item is not None:
        return f"item {item}"
    return f"line {line}" if line is not None else "body"


@dataclass(slots=True)
class Rejection:
    """One record that cannot become a post: where it is in the body, its field, why."""

    line: int | None  # the line of the body (JSONL, or a JSON syntax error)
    item: int | None  # the position in a JSON array, from 1
    field: str | None
    message: str

    @property
    def where(self) -> str:
        return _place(self.line, self.item)

    def as_dict(self) -> dict[str, Any]:
        found = {"line": self.line, "item": self.item, "field": self.field}
        return {k: v for k, v in found.items() if v is not None} | {"message": self.message}


@dataclass(frozen=True, slots=True)
class BodyEntry:
    """One entry of a body: its JSON object, or why it is none (not JSON, not an object)."""

    line: int | None  # the line of the body (JSONL; 1 for a lone JSON object)
    item: int | None  # the position in a JSON array, from 1
    record: dict[str, Any] | None
    problem: str = ""

    @property
    def where(self) -> str:
        return _place(self.line, self.item)

    def rejected(self, field: str | None, message: str) -> Rejection:
        return Rejection(self.line, self.item, field, message)


@dataclass(slots=True)
class BodyRecords:
    """What a body holds, in body order."""

    entries: list[BodyEntry] = field(default_factory=list)


@dataclass(slots=True)
class Receipt:
    """What the inbox answers for a stored (or already stored) body."""

    delivery_id: int
    duplicate: bool
    accepted: int
    rejected: list[Rejection]
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "duplicate" if self.duplicate else "stored",
            "delivery": self.delivery_id,
            "accepted": self.accepted,
            "rejected_total": len(self.rejected),
            "rejected": [r.as_dict() for r in self.rejected[:MAX_LISTED_REJECTIONS]],
            "warnings": self.warnings,
        }


@dataclass(frozen=True, slots=True)
class HookTarget:
    """The webhook source a request names, and the variable that holds its secret."""

    source_id: int
    workspace_id: int
    source_key: str
    platform: str
    secret_env: str


def find_target(session: Session, workspace_slug: str, key: str) -> HookTarget:
    """The webhook source `key` of the workspace, or a 404 that does not say which part is
    unknown (a stranger must not learn which workspaces or sources exist)."""
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.workspaces.models import Workspace

    source = session.scalar(
        select(Source)
        .join(Workspace, Workspace.id == Source.workspace_id)
        .where(Workspace.slug == workspace_slug, Source.key == key)
    )
    # A disabled source (also one removed from the workspace file) is read by nobody: taking
    # bodies for it would let them pile up unseen, so the sender is told at once.
    if source is None or source.kind != "webhook" or not source.enabled:
        raise HookError(
            404,
            "No webhook source at this address; check the workspace's slug and the source's "
            "key in the URL (POST /hooks/{workspace}/{key}), and that the source is enabled",
        )
    try:
        options = SourceConfig(**source.config).options()
    except ValueError as err:  # stored before the kind's keys changed
        raise HookError(
            503,
            f"source {source.key!r}: its stored configuration is not valid any more ({err}); "
            "fix the source in the workspace file and load it again",
        ) from None
    return HookTarget(
        source.id,
        source.workspace_id,
        source.key,
        source.config.get("platform") or "webhook",
        options.secret_env,
    )


def hook_secret(sessions: Sessions, target: HookTarget) -> bytes:
    """The source's signing secret (environment, then the workspace's stored credentials), or a
    503 naming the variable to set."""
    from flarewatch.sources.credentials import workspace_secrets

    try:
        secret = workspace_secrets(sessions, target.workspace_id).get(target.secret_env)
    except CredentialError as err:
        raise HookError(503, f"source {target.source_key!r}: {err}") from None
    if secret is None:
        raise HookError(
            503,
            f"source {target.source_key!r}: its secret variable {target.secret_env} (named by "
            f"'secret_env') is not set on the server; export {target.secret_env}=… where "
            "Flarewatch serves the web app, or store it under that name in the workspace "
            "settings → Credentials",
        )
    return secret.encode("utf-8")


def sign(secret: bytes, body: bytes) -> str:
    """The X-Flarewatch-Signature value for `body`: sha256=<hex HMAC-SHA256>."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def check_signature(secret: bytes, body: bytes, header: str | None) -> None:
    """401 unless `header` is the body's HMAC-SHA256 under `secret` (compared in constant time)."""
    how = (
        f"sign the exact body bytes with HMAC-SHA256 and the source's secret and send "
        f"{SIGNATURE_HEADER}: sha256=<hex digest> (see docs/sources.md, kind webhook)"
    )
    if not header:
        raise HookError(401, f"{SIGNATURE_HEADER} is missing; {how}")
    scheme, _, digest = header.strip().partition("=")
    if scheme.lower() != "sha256" or not _HEX.match(digest):
        raise HookError(401, f"{SIGNATURE_HEADER} is not of the form sha256=<64 hex digits>; {how}")
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, digest.lower()):
        raise HookError(
            401,
            f"{SIGNATURE_HEADER} does not match the body; check that the secret is the one in "
            f"the source's secret variable and that the body is sent unchanged; {how}",
        )


def media_type(content_type: str | None) -> str:
    """The accepted media type of a Content-Type header, or a 415 listing the accepted ones."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in CONTENT_TYPES:
        raise HookError(
            415,
            f"Content-Type {kind or '(none)'!r} is not accepted; send application/json (one "
            "object or an array of objects) or application/x-ndjson / application/jsonl (one "
            "object per line), in the ingest format",
        )
    return kind


def _text_of(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise HookError(
            422,
            f"the body is not UTF-8 (byte {err.start + 1} cannot be read); send UTF-8 JSON",
            [Rejection(None, None, None, f"not UTF-8 at byte {err.start + 1}")],
        ) from None


def _json_problem(err: ValueError) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"not valid JSON: {err.msg} at column {err.colno}"
    return f"not usable JSON: {err}"


def _jsonl_records(text: str) -> BodyRecords:
    found = BodyRecords()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except RecursionError:
            found.entries.append(BodyEntry(number, None, None, "nested too deeply to read"))
            continue
        except ValueError as err:
            problem = _json_problem(err) + "; each line must be one JSON object"
            found.entries.append(BodyEntry(number, None, None, problem))
            continue
        if not isinstance(record, dict):
            problem = f"a JSON {type(record).__name__}, not an object"
            found.entries.append(BodyEntry(number, None, None, problem))
            continue
        found.entries.append(BodyEntry(number, None, record))
    return found


def _json_records(text: str) -> BodyRecords:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        # A truncated or malformed document is refused whole: nothing in it can be trusted.
        raise HookError(
            422,
            f"the body is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}; "
            "send one JSON object or an array of objects (or JSONL as application/x-ndjson)",
            [Rejection(err.lineno, None, None, f"not valid JSON: {err.msg}")],
        ) from None
    except (ValueError, RecursionError) as err:
        raise HookError(422, f"the body cannot be read as JSON ({err}); flatten it") from None
    found = BodyRecords()
    if isinstance(document, dict):
        found.entries.append(BodyEntry(1, None, document))
        return found
    if not isinstance(document, list):
        raise HookError(
            422,
            f"the body is a JSON {type(document).__name__}; send one JSON object or an array "
            "of objects in the ingest format",
        )
    for number, item in enumerate(document, start=1):
        if isinstance(item, dict):
            found.entries.append(BodyEntry(None, number, item))
        else:
            problem = f"a JSON {type(item).__name__}, not an object"
            found.entries.append(BodyEntry(None, number, None, problem))
    return found


def body_records(body: bytes, kind: str) -> BodyRecords:
    """The JSON objects of a body of media type `kind`; raises HookError (422) when the body as a
    whole is not JSON."""
    text = _text_of(body)
    return _jsonl_records(text) if kind in JSONL_TYPES else _json_records(text)


def date_warnings(found: BodyRecords) -> list[str]:
    """One warning for a body whose records have no created_at but a column that looks like
    their time (they would be dated when read)."""
    for entry in found.entries:
        column = unused_date_column(entry.record) if entry.record is not None else None
        if column is not None:
            return [f"{entry.where}: {date_column_warning(column)}"]
    return []


def field_of(message: str) -> str | None:
    """The field a RecordError names first ("created_at: ..." → "created_at")."""
    match = _FIELD_PREFIX.match(message)
    return match.group(1) if match else None


def record_problem(entry: BodyEntry, *, platform: str, source_key: str) -> Rejection | None:
    """Why one entry of a body is not a post under the ingest rules, or None when it is."""
    if entry.record is None:
        return entry.rejected(None, entry.problem)
    try:
        post_from_record(entry.record, default_platform=platform, source_key=source_key)
    except RecordError as err:
        message = str(err)
        return entry.rejected(field_of(message), message)
    return None


def check_records(
    found: BodyRecords, *, platform: str, source_key: str
) -> tuple[int, list[Rejection]]:
    """(records that are posts, rejections in body order); a 422 when no record is a post."""
    rejected: list[Rejection] = []
    for entry in found.entries:
        problem = record_problem(entry, platform=platform, source_key=source_key)
        if problem is not None:
            rejected.append(problem)
    accepted = len(found.entries) - len(rejected)
    if not accepted:
        if rejected:
            first = rejected[0]
            field_text = f" field {first.field}" if first.field else ""
            detail = (
                f"no record in the body can be read; first: {first.where}{field_text}: "
                f"{first.message}"
            )
        else:
            detail = "the body holds no records; send at least one object in the ingest format"
        raise HookError(422, detail, rejected)
    return accepted, rejected


def store_delivery(
    session: Session, target: HookTarget, body: bytes, kind: str, now: datetime, summary: str | None
) -> tuple[int, bool]:
    """(delivery id, duplicate): the body stored once per source and committed."""
    digest = hashlib.sha256(body).hexdigest()
    existing = _delivery_id(session, target.source_id, digest)
    if existing is not None:
        return existing, True
    delivery = WebhookDelivery(
        source_id=target.source_id,
        body_sha256=digest,
        content_type=kind,
        body=body,
        received_at=now,
        error=summary,
    )
    session.add(delivery)
    try:
        session.commit()
    except IntegrityError:
        # The same body arrived twice at once; the other request stored it.
        session.rollback()
        existing = _delivery_id(session, target.source_id, digest)
        if existing is None:
            raise
        return existing, True
    return delivery.id, False


def _delivery_id(session: Session, source_id: int, digest: str) -> int | None:
    return session.scalar(
        select(WebhookDelivery.id).where(
            WebhookDelivery.source_id == source_id, WebhookDelivery.body_sha256 == digest
        )
    )


def summarise(rejected: list[Rejection]) -> str | None:
    """The delivery's `error` column: how many records were refused and the first few."""
    if not rejected:
        return None
    shown = "; ".join(f"{r.where}: {r.message}" for r in rejected[:5])
    return f"{len(rejected)} record(s) rejected at receipt: {shown}"[:4000]


def resolve(sessions: Sessions, workspace_slug: str, key: str) -> tuple[HookTarget, bytes]:
    """The source a request names and its secret (404 or 503 otherwise); checked before the
    body is read, so an unknown address does not cost reading a large body."""
    with sessions() as session:
        target = find_target(session, workspace_slug, key)
    return target, hook_secret(sessions, target)


def accept(
    sessions: Sessions,
    target: HookTarget,
    secret: bytes,
    *,
    body: bytes,
    content_type: str | None,
    signature: str | None,
    now: datetime,
) -> Receipt:
    """Checks the signature, the type and the records, then stores the body (committed);
    raises HookError with the status to answer."""
    check_signature(secret, body, signature)
    kind = media_type(content_type)
    found = body_records(body, kind)
    accepted, rejected = check_records(
        found, platform=target.platform, source_key=target.source_key
    )
    with sessions() as session:
        delivery_id, duplicate = store_delivery(
            session, target, body, kind, now, summarise(rejected)
        )
    return Receipt(delivery_id, duplicate, accepted, rejected, date_warnings(found))


# -- reading the inbox (the `webhook` kind) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    id: int
    content_type: str


def pending_deliveries(
    session: Session, source_id: int, *, first: int | None = None
) -> Iterator[PendingDelivery]:
    """Deliveries not yet turned into posts, one at a time (their bodies are loaded with
    `delivery_body`, when needed): `first` (the one a previous batch stopped inside) if it is
    still pending, then the others oldest first.

    Pending means "not marked processed", not "newer than the last one read": on PostgreSQL a
    delivery with a lower id can commit after a higher one was read, and must not be skipped.
    """
    if first is not None:
        content_type = session.scalar(
            select(WebhookDelivery.content_type).where(
                WebhookDelivery.id == first,
                WebhookDelivery.source_id == source_id,
                WebhookDelivery.processed_at.is_(None),
            )
        )
        if content_type is not None:
            yield PendingDelivery(first, content_type)
    last = 0
    while True:
        row = session.execute(
            select(WebhookDelivery.id, WebhookDelivery.content_type)
            .where(
                WebhookDelivery.source_id == source_id,
                WebhookDelivery.processed_at.is_(None),
                WebhookDelivery.id > last,
                WebhookDelivery.id != (first or 0),
            )
            .order_by(WebhookDelivery.id)
            .limit(1)
        ).first()
        if row is None:
            return
        last = row.id
        yield PendingDelivery(row.id, row.content_type)


def delivery_body(session: Session, delivery_id: int) -> bytes:
    body = session.scalar(select(WebhookDelivery.body).where(WebhookDelivery.id == delivery_id))
    return bytes(body or b"")


def mark_processed(session: Session, delivery_ids: list[int], now: datetime) -> None:
    """Marks deliveries read; the runner calls this in the transaction that stores their posts."""
    if not delivery_ids:
        return
    for delivery in session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.id.in_(delivery_ids), WebhookDelivery.processed_at.is_(None)
        )
    ):
        delivery.processed_at = now
