"""Pages: the workspace's message templates by playbook, audience, platform and language;
one template with each text's length against its platforms' limits and its versions; a new
version saved from the page's TOML editor (admins); a draft started on a case from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.cases.models import Case
from flarewatch.comms.models import AUDIENCES, DRAFT_PLATFORMS
from flarewatch.comms.templates import changes, labels, service
from flarewatch.comms.templates.fill import VARIABLES, placeholders
from flarewatch.comms.templates.library import (
    LANGUAGES,
    VARIANTS,
    TemplateDoc,
    parse_toml,
    text_for,
)
from flarewatch.errors import InputError
from flarewatch.i18n.languages import is_rtl
from flarewatch.playbooks.library import shipped as shipped_playbooks
from flarewatch.tone.limits import LIMITS, length, sms_segments
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.pages import back_to, page
from flarewatch.web.params import MAX_DB_INT
from flarewatch.web.security import check_csrf

router = APIRouter(tags=["pages"], include_in_schema=False)
# Variables the case fills by itself; the draft form leaves them empty unless overridden.
# ({author} comes from a post, which the page does not pick: the person writes it.)
FROM_THE_CASE = ("brand", "issue", "next_update")
OPEN_CASES_SHOWN = 50
# What {next_update} is measured as on the page: a time is five characters in every language.
SAMPLE_TIME = "18:00"


@dataclass(frozen=True, slots=True)
class Fit:
    """One text's length on one platform against its limit (None: no limit)."""

    platform: str
    count: int
    limit: int | None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.count > self.limit


@dataclass(frozen=True, slots=True)
class VariantView:
    variant: str
    text: str
    fits: list[Fit]


def variant_views(
    doc: TemplateDoc, language: str, known: Mapping[str, str] | None = None
) -> list[VariantView]:
    """Each text of the language with its length on every platform it goes to, measured with
    the `known` values put in (the workspace's name, a time) and other variables as written."""
    texts = doc.texts(language)
    views = []
    for variant in VARIANTS:
        text = texts.variant(variant)
        if not text:
            continue
        measured = text.format_map({**{n: "{" + n + "}" for n in VARIABLES}, **(known or {})})
        # the platforms this text goes to: its own, and those that fall back on it
        served = [p for p in doc.platforms(language) if text_for(doc, language, p)[0] == variant]
        fits = [Fit(p, length(measured, p), _limit(p, measured)) for p in served]
        views.append(VariantView(variant, text, fits))
    return views


def _limit(platform: str, text: str) -> int | None:
    if platform == "sms":
        # one SMS holds 160 GSM-7 characters, 70 once a letter is outside it (Hebrew, ą, ł …)
        return 160 if sms_segments(text)[2] else 70
    return LIMITS[platform].recommended or LIMITS[platform].limit


@router.get("/w/{slug}/templates")
def template_list(
    request: Request,
    playbook: str = Query("", max_length=64),
    audience: str = Query("", max_length=16),
    platform: str = Query("", max_length=16),
    language: str = Query("", max_length=8),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    chosen = service.matching(
        service.available(db, access.workspace.id),
        playbook=playbook or None,
        audience=audience if audience in AUDIENCES else None,
        platform=platform if platform in DRAFT_PLATFORMS else None,
        language=language if language in LANGUAGES else None,
    )
    return page(
        request,
        db,
        "comms/templates.html",
        access=access,
        templates=chosen,
        playbooks=shipped_playbooks(),
        chosen={
            "playbook": playbook,
            "audience": audience,
            "platform": platform,
            "language": language,
        },
        audiences=AUDIENCES,
        platforms=DRAFT_PLATFORMS,
        template_languages=LANGUAGES,
        names=labels,
    )


@router.post("/w/{slug}/templates/import", dependencies=[Depends(check_csrf)])
def template_import(
    document: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """A TOML set (from an export) pasted in: each template as its next version (admins)."""
    changes.import_set(db, access, parse_toml(document, "the imported set"))
    return back_to(f"/w/{access.workspace.slug}/templates")


@router.get("/w/{slug}/templates/{key}")
def template_page(
    request: Request,
    key: str,
    version: int | None = Query(None, ge=1, le=MAX_DB_INT),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    template = service.resolve(db, access.workspace.id, key, version)
    current = service.resolve(db, access.workspace.id, key)
    doc = template.doc
    measured_with = {"brand": access.workspace.name, "next_update": SAMPLE_TIME}
    used = sorted(
        {
            name
            for code in doc.languages()
            for text in doc.texts(code).model_dump(exclude_none=True).values()
            for name in placeholders(text, key)
        },
        key=list(VARIABLES).index,
    )
    return page(
        request,
        db,
        "comms/template.html",
        access=access,
        shown=template,
        current=current,
        doc=doc,
        views={code: variant_views(doc, code, measured_with) for code in doc.languages()},
        text_dir={code: "rtl" if is_rtl(code) else "ltr" for code in doc.languages()},
        history=list(reversed(service.history(db, access.workspace.id, key))),
        document=service.export_toml([current], access.workspace.name),
        open_cases=_open_cases(db, access.workspace.id),
        variables=[(name, name in FROM_THE_CASE) for name in used],
        platforms=[
            p for p in DRAFT_PLATFORMS if any(p in doc.platforms(c) for c in doc.languages())
        ],
        names=labels,
    )


@router.post("/w/{slug}/templates/{key}", dependencies=[Depends(check_csrf)])
def template_save(
    key: str,
    document: str = Form(""),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    docs = parse_toml(document, f"template {key}")
    if len(docs) != 1 or docs[0].key != key:
        raise InputError(
            f'The document must hold one template with key = "{key}" to save a new version '
            "of this template."
        )
    changes.save(db, access, key, docs[0])
    return back_to(f"/w/{access.workspace.slug}/templates/{key}")


@router.post("/w/{slug}/templates/{key}/draft", dependencies=[Depends(check_csrf)])
async def template_draft(
    request: Request,
    key: str,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    form = await request.form()
    case_id = _case_number(str(form.get("case_id", "")))
    platform = str(form.get("platform", ""))
    language = str(form.get("language", "")) or None
    values = {
        name: str(form.get(f"var_{name}", "")).strip()
        for name in VARIABLES
        if str(form.get(f"var_{name}", "")).strip()
    }
    draft, _filled = changes.start_draft(
        db, access, key, case_id, platform, language=language, values=values
    )
    return back_to(changes.draft_url(access.workspace.slug, draft))


def _case_number(value: str) -> int:
    text = value.strip().lstrip("#")
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_DB_INT:
        raise InputError(f"case {value!r}: give the case's number, e.g. 12")
    return int(text)


def _open_cases(db: Session, workspace_id: int) -> list[Case]:
    return list(
        db.scalars(
            select(Case)
            .where(Case.workspace_id == workspace_id, Case.closed_at.is_(None))
            .order_by(Case.id.desc())
            .limit(OPEN_CASES_SHOWN)
        )
    )
