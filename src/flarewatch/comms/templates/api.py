"""API: the workspace's message templates under /api/v1/workspaces/{slug}/templates: list
and read them with their versions, save a new version, export and import a set as TOML, fill
one from a case (with its tone check) and start a draft on a case from one. The import takes
the set as JSON (the TOML file's tables); the command line and the page read TOML files."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from flarewatch.comms.templates import changes, service
from flarewatch.comms.templates.fill import MAX_VALUE_CHARS
from flarewatch.comms.templates.library import KEY_PATTERN, TemplateBody, TemplateDoc
from flarewatch.tone.router import FlagOut
from flarewatch.web.api.schemas import CHANGE, JSON_SAFE_INT, READ, Text
from flarewatch.web.deps import WorkspaceAccess, get_db, workspace_access
from flarewatch.web.params import MAX_DB_INT

router = APIRouter(tags=["templates"])

Language = Literal["en", "he", "pl"]
Platform = Literal["x", "bluesky", "mastodon", "facebook", "instagram", "email", "sms"]
Audience = Literal["customers", "employees", "press", "regulators", "partners"]
MAX_IMPORT = 1_000  # templates in one imported set
TemplateKey = Annotated[str, Path(pattern=KEY_PATTERN, description="The template's key.")]


class TemplateOut(BaseModel):
    key: str
    version: int
    origin: str = Field(description="shipped, or workspace (a version saved in the workspace).")
    created_by: str | None
    created_at: datetime | None
    platforms: dict[str, list[str]] = Field(
        description="Per language, the platforms it has a text for."
    )
    document: dict[str, Any] = Field(
        description="The template: playbook, kind, audience, stage and per language its short, "
        "sms and long texts and the email's subject (the body PUT takes)."
    )


Value = Annotated[Text, Field(max_length=MAX_VALUE_CHARS)]


class ValuesIn(BaseModel):
    """Values for the variables; each one given wins over what the case fills."""

    model_config = ConfigDict(extra="forbid")

    brand: Value | None = Field(None, description="Default: the workspace's name.")
    issue: Value | None = Field(None, description="Default: the case's title.")
    next_update: Value | None = Field(
        None, description="Default: an hour from now, in the workspace's zone."
    )
    contact: Value | None = None
    action: Value | None = None
    author: Value | None = Field(None, description="Default: the author of `mention_id`'s post.")
    link: Value | None = None


class FillIn(BaseModel):
    case_id: int = Field(ge=1, le=JSON_SAFE_INT, description="The case it is filled from.")
    platform: Platform
    language: Language | None = Field(
        None, description="Default: the workspace's first language the template is written in."
    )
    values: ValuesIn = Field(default_factory=ValuesIn)
    mention_id: int | None = Field(
        None, ge=1, le=JSON_SAFE_INT, description="The post a reply answers; fills {author}."
    )


class FilledOut(BaseModel):
    key: str
    version: int
    language: str
    platform: str
    variant: str = Field(description="short, sms or long: the text used for the platform.")
    subject: str | None = Field(description="The email's subject; null for other platforms.")
    text: str
    clean: bool
    flags: list[FlagOut] = Field(description="The tone check for its stage and platform.")


class DraftStartedOut(BaseModel):
    draft_id: int
    case_id: int
    template_key: str
    template_version: int
    url: str = Field(description="The draft's page.")
    filled: FilledOut


class ImportIn(BaseModel):
    templates: list[TemplateDoc] = Field(
        min_length=1,
        max_length=MAX_IMPORT,
        description="The templates, each as GET …/templates/{key} returns its `document` with "
        "its `key` (a TOML set from …/templates/export, read as TOML, has this shape). A key "
        "given twice is saved twice, in order.",
    )


class ImportedOut(BaseModel):
    key: str
    version: int
    saved: bool = Field(description="False: the text was the same as the current version's.")


def _out(template: service.Template) -> TemplateOut:
    doc = template.doc
    return TemplateOut(
        key=doc.key,
        version=template.version,
        origin=template.origin,
        created_by=template.created_by,
        created_at=template.created_at,
        platforms={code: doc.platforms(code) for code in doc.languages()},
        document=doc.model_dump(exclude_none=True, exclude={"key", "version"}),
    )


def _filled(filled: service.Filled) -> FilledOut:
    return FilledOut(
        key=filled.template.key,
        version=filled.template.version,
        language=filled.language,
        platform=filled.platform,
        variant=filled.variant,
        subject=filled.subject,
        text=filled.text,
        clean=not filled.flags,
        flags=[FlagOut(**flag.as_dict()) for flag in filled.flags],
    )


@router.get("/workspaces/{slug}/templates", response_model=list[TemplateOut], responses=READ)
def list_templates(
    playbook: str | None = Query(None, max_length=64),
    audience: Audience | None = None,
    platform: Platform | None = None,
    language: Language | None = None,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[TemplateOut]:
    """The templates the workspace uses, each in its newest version, filtered."""
    every = service.available(db, access.workspace.id)
    chosen = service.matching(
        every, playbook=playbook, audience=audience, platform=platform, language=language
    )
    return [_out(t) for t in chosen]


@router.get(
    "/workspaces/{slug}/templates/export",
    response_model=None,
    responses={**READ, 200: {"content": {"application/toml": {"schema": {"type": "string"}}}}},
)
def export_templates(
    playbook: str | None = Query(None, max_length=64),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> Response:
    """The workspace's templates (newest versions) as one TOML file to import elsewhere."""
    chosen = service.matching(service.available(db, access.workspace.id), playbook=playbook)
    text = service.export_toml(chosen, access.workspace.name)
    filename = f"{access.workspace.slug}-templates.toml"
    return Response(
        text,
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/workspaces/{slug}/templates/import", response_model=list[ImportedOut], responses=CHANGE
)
def import_templates(
    body: ImportIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[ImportedOut]:
    """Saves every template of the set as its next version (admins); a template whose text
    equals the current version adds none."""
    results = changes.import_set(db, access, body.templates)
    return [ImportedOut(key=t.key, version=t.version, saved=saved) for t, saved in results]


@router.get("/workspaces/{slug}/templates/{key}", response_model=TemplateOut, responses=READ)
def get_template(
    key: TemplateKey,
    version: int | None = Query(None, ge=1, le=MAX_DB_INT, description="Default: the newest."),
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> TemplateOut:
    return _out(service.resolve(db, access.workspace.id, key, version))


@router.get(
    "/workspaces/{slug}/templates/{key}/versions",
    response_model=list[TemplateOut],
    responses=READ,
)
def template_versions(
    key: TemplateKey,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> list[TemplateOut]:
    """Every version, oldest first: the shipped one (version 1), then the workspace's."""
    return [_out(t) for t in service.history(db, access.workspace.id, key)]


@router.put("/workspaces/{slug}/templates/{key}", response_model=TemplateOut, responses=CHANGE)
def save_template(
    key: TemplateKey,
    body: TemplateBody,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> TemplateOut:
    """Saves the document as the template's next version in the workspace (admins); a new key
    adds a template. The body is GET's `document`."""
    template, _written = changes.save(db, access, key, body)
    return _out(template)


@router.post("/workspaces/{slug}/templates/{key}/fill", response_model=FilledOut, responses=CHANGE)
def fill_template(
    key: TemplateKey,
    body: FillIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> FilledOut:
    """The template filled from the case and `values`, with its tone check; nothing stored."""
    from flarewatch.cases.service import get_case

    values = body.values.model_dump(exclude_none=True)
    template = service.resolve(db, access.workspace.id, key)
    case = get_case(db, body.case_id, workspace_id=access.workspace.id)
    language = service.template_language(template, body.language, access.workspace)
    from_case = service.case_values(
        db, access.workspace, case, language, mention_id=body.mention_id
    )
    filled = service.fill_template(template, language, body.platform, {**from_case, **values})
    return _filled(filled)


@router.post(
    "/workspaces/{slug}/templates/{key}/drafts",
    response_model=DraftStartedOut,
    status_code=201,
    responses=CHANGE,
)
def draft_from_template(
    key: TemplateKey,
    body: FillIn,
    access: WorkspaceAccess = Depends(workspace_access),
    db: Session = Depends(get_db),
) -> DraftStartedOut:
    """Starts a draft on the case from the template's newest version, filled from the case
    and `values`; the draft records the template's key and version and needs approval."""
    draft, filled = changes.start_draft(
        db,
        access,
        key,
        body.case_id,
        body.platform,
        language=body.language,
        values=body.values.model_dump(exclude_none=True),
        mention_id=body.mention_id,
    )
    return DraftStartedOut(
        draft_id=draft.id,
        case_id=draft.case_id,
        template_key=key,
        template_version=filled.template.version,
        url=changes.draft_url(access.workspace.slug, draft),
        filled=_filled(filled),
    )
