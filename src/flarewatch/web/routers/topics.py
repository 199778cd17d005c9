"""Topic settings: the boolean queries, checked while typing and previewed on stored posts."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.mentions.service import rematch_topic
from flarewatch.query import validate
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import TopicId, count_param, id_cursor
from flarewatch.web.queries import topics_of
from flarewatch.web.security import check_csrf
from flarewatch.web.templating import render
from flarewatch.web.topic_preview import Preview, preview
from flarewatch.workspaces.models import Topic

router = APIRouter(tags=["pages"], include_in_schema=False)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


@router.get("/w/{slug}/topics")
def topics_page(
    request: Request,
    edit: int | None = id_cursor("The topic open for editing."),
    added: int | None = count_param("Mentions the last re-run added."),
    removed: int | None = count_param("Mentions the last re-run removed."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    topics = topics_of(db, access.workspace.id)
    current = next((t for t in topics if t.id == edit), None)
    rematched = None
    if added is not None and removed is not None:
        rematched = {"added": added, "removed": removed}
    return page(
        request,
        db,
        "topics.html",
        access=access,
        topics=topics,
        current=current,
        rematched=rematched,
    )


def _rematch(db: Session, access: WorkspaceAccess, topic: Topic, days: int) -> str:
    """Apply the saved query to the last `days` of stored posts; the page shows the result."""
    if not 1 <= days <= 3650:
        raise InputError("Apply the query to between 1 and 3650 days of stored posts.")
    db.flush()
    report = rematch_topic(db, topic, since=utcnow() - timedelta(days=days))
    accounts.record_audit(
        db,
        access.user,
        "topic.rematch",
        workspace_id=access.workspace.id,
        target_type="topic",
        target_id=topic.id,
        details={"days": days, "added": report.added, "removed": report.removed},
    )
    return f"&added={report.added}&removed={report.removed}"


@router.post("/w/{slug}/topics/check", dependencies=[Depends(check_csrf)])
def topic_check(
    request: Request,
    query: str = Form(""),
    with_preview: bool = Form(False),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """Problems as the person types; with `with_preview`, the count and sample of matches too."""
    if with_preview:
        result = preview(db, access.workspace.id, query)
    else:
        result = Preview(problems=validate(query))
    return render(
        request,
        "partials/topic_check.html",
        access=access,
        result=result,
        query=query,
        with_preview=with_preview,
    )


def _checked_query(query: str) -> str:
    errors = [p for p in validate(query) if p.severity == "error"]
    if not query.strip():
        raise InputError('The query is empty; write the words to watch, e.g. acme OR "acme air".')
    if errors:
        raise InputError(
            "The query has problems: "
            + "; ".join(f"column {p.column}: {p.message}" for p in errors)
        )
    return query.strip()


@router.post("/w/{slug}/topics", dependencies=[Depends(check_csrf)])
def topic_create(
    key: str = Form(""),
    name: str = Form(""),
    query: str = Form(""),
    rematch: bool = Form(False),
    rematch_days: int = Form(7),
    access: WorkspaceAccess = Depends(requires(Permission.TOPIC_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    key = key.strip().lower()
    if not KEY_RE.match(key):
        raise InputError("The key uses lower-case letters, digits and dashes, e.g. 'brand'.")
    exists = db.scalar(
        select(Topic.id).where(Topic.workspace_id == access.workspace.id, Topic.key == key)
    )
    if exists is not None:
        raise InputError(f"A topic with the key '{key}' already exists in this workspace.")
    topic = Topic(
        workspace_id=access.workspace.id,
        key=key,
        name=name.strip() or key,
        query=_checked_query(query),
    )
    db.add(topic)
    db.flush()
    accounts.record_audit(
        db,
        access.user,
        "topic.create",
        workspace_id=access.workspace.id,
        target_type="topic",
        target_id=topic.id,
        details={"key": key, "query": topic.query},
    )
    result = _rematch(db, access, topic, rematch_days) if rematch else ""
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/topics?edit={topic.id}{result}")


@router.post("/w/{slug}/topics/{topic_id}", dependencies=[Depends(check_csrf)])
def topic_update(
    topic_id: TopicId,
    name: str = Form(""),
    query: str = Form(""),
    active: bool = Form(False),
    rematch: bool = Form(False),
    rematch_days: int = Form(7),
    access: WorkspaceAccess = Depends(requires(Permission.TOPIC_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    topic = db.get(Topic, topic_id)
    if topic is None or topic.workspace_id != access.workspace.id:
        raise NotFoundError(f"No topic {topic_id} in this workspace.")
    before = {"name": topic.name, "query": topic.query, "active": topic.active}
    topic.name = name.strip() or topic.name
    topic.query = _checked_query(query)
    topic.active = active
    after = {"name": topic.name, "query": topic.query, "active": topic.active}
    accounts.record_audit(
        db,
        access.user,
        "topic.update",
        workspace_id=access.workspace.id,
        target_type="topic",
        target_id=topic.id,
        details={k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]},
    )
    result = _rematch(db, access, topic, rematch_days) if rematch else ""
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/topics?edit={topic.id}{result}")
