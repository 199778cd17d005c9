"""Source settings: add, edit, pause, resume, delete and test a workspace's sources.

The form is built from the kind's config schema and checked by the same model as workspace
files, each error next to its field. Sources from the workspace file are read-only here except
for pause and resume (see `sources/manage.py`). The source health page (/w/{slug}/sources) is
another page; these are settings.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.config.workspace import SourceConfig
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.sources import manage
from flarewatch.sources.credentials import workspace_secrets
from flarewatch.sources.models import Source
from flarewatch.sources.registry import default_every, describe_kinds, reads_inbox
from flarewatch.sources.trial import TrialFetch, excerpt, fetch_once
from flarewatch.sources.webhook import Inbox
from flarewatch.web.deps import WorkspaceAccess, get_db, requires, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import SourceId
from flarewatch.web.routers.credentials import credentials_view
from flarewatch.web.security import check_csrf
from flarewatch.web.source_form import (
    FORM_ERROR,
    SourceForm,
    blank_form,
    form_fields,
    kept_values,
    read_form,
    validate,
    values_of,
)
from flarewatch.web.templating import render
from flarewatch.workspaces.service import active_topic_queries

router = APIRouter(tags=["pages"], include_in_schema=False)
# A person waits for the button: shorter than a poll's deadline, long enough for a slow API.
TEST_DEADLINE_SECONDS = 30.0
TEST_LIMIT = 20
SAMPLE_POSTS = 5


async def submitted(request: Request) -> dict[str, str]:
    """The posted form's text fields (parsed once per request; the NUL check read it first).

    The fields depend on the kind, so they cannot be declared as parameters."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _base(access: WorkspaceAccess) -> str:
    return f"/w/{access.workspace.slug}/settings/sources"


def _source_of(db: Session, access: WorkspaceAccess, source_id: int) -> Source:
    source = db.get(Source, source_id)
    if source is None or source.workspace_id != access.workspace.id:
        raise NotFoundError(f"No source {source_id} in this workspace.")
    return source


def _audit(
    db: Session, access: WorkspaceAccess, action: str, source_id: int, **details: Any
) -> None:
    accounts.record_audit(
        db,
        access.user,
        action,
        workspace_id=access.workspace.id,
        target_type="source",
        target_id=source_id,
        details=details,
    )


def _kind_or_error(kind: str) -> str:
    if kind not in manage.web_source_kinds():
        raise InputError(
            f"'{kind}' is not a kind that can be added here; choose one of: "
            f"{', '.join(manage.web_source_kinds())}."
        )
    return kind


@router.get("/w/{slug}/settings/sources")
def sources_settings(
    request: Request,
    removed: str = Query("", max_length=64, description="The key of a source just removed."),
    archived: str = Query("", max_length=64, description="The key of a source just archived."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    sources = list(
        db.scalars(
            select(Source).where(Source.workspace_id == access.workspace.id).order_by(Source.key)
        )
    )
    kinds = dict(describe_kinds())
    return page(
        request,
        db,
        "source_settings.html",
        access=access,
        removed=removed,
        just_archived=archived,
        sources=[s for s in sources if s.archived_at is None],
        archived=[(s, manage.stored_posts(db, s.id)) for s in sources if s.archived_at],
        web_kinds=[(kind, kinds[kind]) for kind in manage.web_source_kinds()],
        credentials=(
            credentials_view(db, access.workspace.id, sources)
            if access.can(Permission.CREDENTIALS_MANAGE)
            else None
        ),
    )


def _form_page(
    request: Request,
    db: Session,
    access: WorkspaceAccess,
    form: SourceForm,
    source: Source | None,
    status_code: int = 200,
    saved: bool = False,
) -> Response:
    return page(
        request,
        db,
        "source_form.html",
        access=access,
        status_code=status_code,
        form=form,
        source=source,
        form_error=FORM_ERROR,
        saved=saved,
        default_every=default_every(form.kind),
        base_dir=(access.workspace.config or {}).get("base_dir", ""),
        posts=manage.stored_posts(db, source.id) if source is not None else 0,
        history=manage.has_history(db, source.id) if source is not None else False,
    )


@router.get("/w/{slug}/settings/sources/new")
def source_new(
    request: Request,
    kind: str = Query("", max_length=32, description="The kind of the new source."),
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    return _form_page(request, db, access, blank_form(_kind_or_error(kind)), None)


@router.post("/w/{slug}/settings/sources", dependencies=[Depends(check_csrf)])
def source_create(
    request: Request,
    fields: dict[str, str] = Depends(submitted),
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    form, table = read_form(_kind_or_error(fields.get("kind", "")), fields)
    config = validate(form, table)
    if config is None:
        return _form_page(request, db, access, form, None, status_code=422)
    try:
        source = manage.create_web_source(db, access.workspace.id, config)
    except InputError as err:
        form.add_error("key", str(err))
        return _form_page(request, db, access, form, None, status_code=422)
    _audit(db, access, "source.create", source.id, key=source.key, kind=source.kind)
    db.commit()
    return back_to(f"{_base(access)}/{source.id}?saved=1")


def _test_result(
    request: Request, db: Session, access: WorkspaceAccess, config: SourceConfig
) -> Response:
    """One dry fetch, exactly as `flarewatch sources test` does it; nothing is stored."""
    workspace = access.workspace
    base_dir = Path((workspace.config or {}).get("base_dir", "."))
    topics = active_topic_queries(db, workspace.id)
    inbox = None
    if reads_inbox(config.kind):  # a webhook shows what is waiting in its stored deliveries
        source_id = db.scalar(
            select(Source.id).where(Source.workspace_id == workspace.id, Source.key == config.key)
        )
        if source_id is not None:
            inbox = Inbox(request.app.state.sessionmaker, source_id)
    db.rollback()  # no transaction stays open while the platform answers
    trial = fetch_once(
        config,
        base_dir,
        workspace_secrets(request.app.state.sessionmaker, workspace.id),
        topics=topics,
        inbox=inbox,
        limit=TEST_LIMIT,
        deadline_seconds=TEST_DEADLINE_SECONDS,
    )
    return _trial_partial(request, access, trial)


def _trial_partial(
    request: Request, access: WorkspaceAccess, trial: TrialFetch, form: SourceForm | None = None
) -> Response:
    return render(
        request,
        "partials/source_test.html",
        access=access,
        trial=trial,
        form=form,
        sample=[(post, excerpt(post)) for post in trial.posts[:SAMPLE_POSTS]],
    )


@router.post("/w/{slug}/settings/sources/test", dependencies=[Depends(check_csrf)])
def source_test_form(
    request: Request,
    fields: dict[str, str] = Depends(submitted),
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Test connection with the form as it is now, saved or not."""
    form, table = read_form(_kind_or_error(fields.get("kind", "")), fields)
    config = validate(form, {**table, "key": table.get("key") or "new-source"})
    if config is None:
        return _trial_partial(request, access, TrialFetch(table.get("key", "")), form)
    return _test_result(request, db, access, config)


@router.get("/w/{slug}/settings/sources/{source_id}")
def source_edit(
    request: Request,
    source_id: SourceId,
    saved: bool = Query(False, description="Whether the form was just saved."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    source = _source_of(db, access, source_id)
    fields = form_fields(source.kind)
    stored = {**(source.config or {}), "key": source.key}
    form = SourceForm(source.kind, fields, values_of(stored, fields))
    return _form_page(request, db, access, form, source, saved=saved)


@router.post("/w/{slug}/settings/sources/{source_id}", dependencies=[Depends(check_csrf)])
def source_update(
    request: Request,
    source_id: SourceId,
    fields: dict[str, str] = Depends(submitted),
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    source = _source_of(db, access, source_id)
    manage.check_editable(source)
    form, table = read_form(source.kind, {**fields, "key": source.key})
    # Keys the form cannot edit (see source_form.UNSUPPORTED) keep their stored values.
    table.update(kept_values(form, source.config or {}))
    config = validate(form, table)
    if config is None:
        return _form_page(request, db, access, form, source, status_code=422)
    changes = manage.update_web_source(source, config)
    if changes:
        _audit(db, access, "source.update", source.id, key=source.key, changes=changes)
    db.commit()
    return back_to(f"{_base(access)}/{source.id}?saved=1")


@router.post("/w/{slug}/settings/sources/{source_id}/test", dependencies=[Depends(check_csrf)])
def source_test_stored(
    request: Request,
    source_id: SourceId,
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    """Test connection with the source as stored (a file source's form is read-only)."""
    source = _source_of(db, access, source_id)
    try:
        config = SourceConfig(**source.config)
    except ValueError as err:
        trial = TrialFetch(source.key, error=f"its stored configuration is not valid: {err}")
        return _trial_partial(request, access, trial)
    return _test_result(request, db, access, config)


def _switch(
    db: Session,
    access: WorkspaceAccess,
    source_id: int,
    action: str,
    change: Callable[[Source], None],
) -> Response:
    """Pause, resume or restore: the change, its audit entry, back to the source's page."""
    source = _source_of(db, access, source_id)
    change(source)
    _audit(db, access, action, source.id, key=source.key)
    db.commit()
    return back_to(f"{_base(access)}/{source.id}")


@router.post("/w/{slug}/settings/sources/{source_id}/pause", dependencies=[Depends(check_csrf)])
def source_pause(
    source_id: SourceId,
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    return _switch(
        db,
        access,
        source_id,
        "source.pause",
        lambda source: manage.pause_source(source, access.user.email, utcnow()),
    )


@router.post("/w/{slug}/settings/sources/{source_id}/resume", dependencies=[Depends(check_csrf)])
def source_resume(
    source_id: SourceId,
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    return _switch(db, access, source_id, "source.resume", manage.resume_source)


@router.post("/w/{slug}/settings/sources/{source_id}/delete", dependencies=[Depends(check_csrf)])
def source_delete(
    source_id: SourceId,
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    source = _source_of(db, access, source_id)
    key = source.key
    removed = manage.delete_web_source(db, source, utcnow())
    _audit(db, access, "source.delete", source_id, key=key, archived=not removed)
    db.commit()
    return back_to(f"{_base(access)}?{'removed' if removed else 'archived'}={key}")


@router.post("/w/{slug}/settings/sources/{source_id}/restore", dependencies=[Depends(check_csrf)])
def source_restore(
    source_id: SourceId,
    access: WorkspaceAccess = Depends(requires(Permission.SOURCES_EDIT)),
    db: Session = Depends(get_db),
) -> Response:
    return _switch(db, access, source_id, "source.restore", manage.restore_source)
