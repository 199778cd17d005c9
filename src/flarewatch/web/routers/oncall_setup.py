"""The on-call editor (admins): people, rotas and escalation policies edited on the web,
checked by the workspace file's rules, audited, and used at once by the rota page, the runner
and `oncall now|simulate` (docs/oncall.md, "Editing on the web")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.permissions import Permission
from flarewatch.alerts.routing import describe_route
from flarewatch.config.workspace import SEVERITIES
from flarewatch.db.base import utcnow
from flarewatch.errors import NotFoundError
from flarewatch.i18n.languages import LANGUAGES
from flarewatch.oncall import editing, forms
from flarewatch.web.deps import WorkspaceAccess, get_db, requires
from flarewatch.web.pages import back_to, page
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
EDIT = requires(Permission.SETTINGS_EDIT)


def _masked(url: str) -> str:
    return describe_route(url)


def _audit_details(saved: editing.Saved) -> dict[str, Any]:
    """What changed, without contact URLs (they hold tokens): masked."""

    def safe(entry: dict[str, Any] | None) -> dict[str, Any] | None:
        if entry is None:
            return None
        out = dict(entry)
        if "notify" in out:
            out["notify"] = [_masked(str(url)) for url in out["notify"]]
        return out

    details: dict[str, Any] = {"before": safe(saved.before), "after": safe(saved.after)}
    if saved.renamed_from:
        details["renamed_from"] = saved.renamed_from
    return details


def render_setup(
    request: Request,
    access: WorkspaceAccess,
    db: Session,
    *,
    failed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    config = access.workspace.config or {}
    return page(
        request,
        db,
        "oncall_setup.html",
        status_code=status_code,
        access=access,
        people=editing.entries(config, "people"),
        rotas=editing.entries(config, "rotas"),
        policies=editing.entries(config, "escalation"),
        origin=lambda table, key: editing.origin_of(config, table, key),
        person_values=lambda entry: forms.person_values(entry, _masked),
        rota_values=forms.rota_values,
        policy_values=forms.policy_values,
        rows=forms.rows,
        layer_fields=forms.LAYER_FIELDS,
        step_fields=forms.STEP_FIELDS,
        severities=SEVERITIES,
        languages=LANGUAGES,
        failed=failed or {},
    )


@router.get("/w/{slug}/oncall/setup")
def setup_page(
    request: Request,
    access: WorkspaceAccess = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    return render_setup(request, access, db)


def _entry(table: str, form: dict[str, list[str]], stored: dict[str, Any] | None) -> dict:
    if table == "people":
        notify = [str(url) for url in (stored or {}).get("notify") or []]
        return forms.person_entry(form, notify, _masked)
    if table == "rotas":
        return forms.rota_entry(form)
    return forms.policy_entry(form)


@router.post("/w/{slug}/oncall/setup/{table}", dependencies=[Depends(check_csrf)])
async def save(
    request: Request,
    table: str,
    access: WorkspaceAccess = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    if table not in editing.TABLES:
        raise NotFoundError(f"unknown table {table!r}; use one of {', '.join(editing.TABLES)}")
    # Two admins saving at once: the second waits and edits what the first saved.
    db.refresh(access.workspace, with_for_update=True)
    raw = await request.form()
    form = {name: [str(v) for v in raw.getlist(name)] for name in raw}
    original = forms.first(form, "original").strip() or None
    stored = None
    if original is not None:
        identity = editing.IDENTITY[table]
        stored = next(
            (
                e
                for e in editing.entries(access.workspace.config, table)
                if e.get(identity) == original
            ),
            None,
        )
    entry = _entry(table, form, stored)
    try:
        if original is not None and entry.get(editing.IDENTITY[table]) != original:
            renamed = editing.app_change_problems(db, access.workspace, table, original, utcnow())
            if renamed:
                raise editing.OncallEditError(f"{editing.SINGULAR[table]} {original!r}", renamed)
        saved = editing.save_entry(access.workspace, table, original, entry)
    except editing.OncallEditError as err:
        failed = {
            "table": table,
            "original": original or "",
            "form": form,
            "problems": err.problems,
        }
        return render_setup(request, access, db, failed=failed, status_code=422)
    accounts.record_audit(
        db,
        access.user,
        f"oncall.{editing.SINGULAR[table]}.{'edit' if original else 'add'}",
        workspace_id=access.workspace.id,
        target_type="workspace",
        target_id=access.workspace.id,
        details={"key": saved.key, **_audit_details(saved)},
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/oncall/setup#{table}-{saved.key}")


@router.post("/w/{slug}/oncall/setup/{table}/{key}/delete", dependencies=[Depends(check_csrf)])
def delete(
    request: Request,
    table: str,
    key: str,
    access: WorkspaceAccess = Depends(EDIT),
    db: Session = Depends(get_db),
) -> Response:
    db.refresh(access.workspace, with_for_update=True)
    try:
        in_use = editing.app_change_problems(db, access.workspace, table, key, utcnow())
        if in_use:
            raise editing.OncallEditError(f"{table} {key!r}", in_use, done="deleted")
        saved = editing.delete_entry(access.workspace, table, key)
    except editing.OncallEditError as err:
        failed = {
            "table": table,
            "original": key,
            "form": {},
            "problems": err.problems,
            "deleting": True,
        }
        return render_setup(request, access, db, failed=failed, status_code=422)
    accounts.record_audit(
        db,
        access.user,
        f"oncall.{editing.SINGULAR[table]}.delete",
        workspace_id=access.workspace.id,
        target_type="workspace",
        target_id=access.workspace.id,
        details={"key": saved.key, **_audit_details(saved)},
    )
    db.commit()
    return back_to(f"/w/{access.workspace.slug}/oncall/setup#{table}")
