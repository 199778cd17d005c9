"""Templates in a workspace (the shipped starter set and the workspace's own versions),
filling one from a case, and a draft started from one.

A workspace adopts a template by editing it: every save is the key's next version (the
shipped text is version 1), and the newest version is the one the workspace uses. A save
that changes nothing writes nothing, so importing the same set twice adds no versions.
Every function flushes but never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flarewatch.cases.models import Case
from flarewatch.cases.service import get_case
from flarewatch.comms import drafts
from flarewatch.comms.models import Draft
from flarewatch.comms.templates.fill import check_values, fill, next_update_time
from flarewatch.comms.templates.library import (
    LANGUAGES,
    VARIANTS,
    TemplateBody,
    TemplateDoc,
    Texts,
    shipped,
    text_for,
    to_toml,
)
from flarewatch.comms.templates.models import MessageTemplate
from flarewatch.db.base import utcnow
from flarewatch.errors import InputError, NotFoundError
from flarewatch.i18n.languages import translations_for
from flarewatch.tone.check import STAGE_REQUIREMENTS, Flag, check
from flarewatch.workspaces.models import Workspace

UNKNOWN_KEY = "template {key!r} not found; 'flarewatch templates list' shows the keys"


@dataclass(frozen=True, slots=True)
class Template:
    """One version of a template as a workspace sees it."""

    doc: TemplateDoc
    origin: str  # shipped, workspace
    created_by: str | None = None
    created_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.doc.key

    @property
    def version(self) -> int:
        return self.doc.version


@dataclass(frozen=True, slots=True)
class Filled:
    """A template filled for one language and platform, with the tone check of its text."""

    template: Template
    language: str
    platform: str
    variant: str
    text: str
    subject: str | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def draft_text(self) -> str:
        """What a draft holds: an email's subject as its first line, then the body."""
        return f"{self.subject}\n\n{self.text}" if self.subject else self.text


def available(session: Session, workspace_id: int | None) -> list[Template]:
    """Every template the workspace can use, by key; its own newest version where it has one."""
    found = {key: Template(doc, "shipped") for key, doc in shipped().items()}
    if workspace_id is not None:
        newest = (
            select(MessageTemplate.key, func.max(MessageTemplate.version).label("version"))
            .where(MessageTemplate.workspace_id == workspace_id)
            .group_by(MessageTemplate.key)
            .subquery()
        )
        rows = session.scalars(
            select(MessageTemplate)
            .join(
                newest,
                (MessageTemplate.key == newest.c.key)
                & (MessageTemplate.version == newest.c.version),
            )
            .where(MessageTemplate.workspace_id == workspace_id)
            .order_by(MessageTemplate.key, MessageTemplate.id)
        )
        by_key: dict[str, list[MessageTemplate]] = {}
        for row in rows:
            by_key.setdefault(row.key, []).append(row)
        for key, version_rows in by_key.items():
            found[key] = _from_rows(version_rows)
    return [found[key] for key in sorted(found)]


def matching(
    templates: Iterable[Template],
    *,
    playbook: str | None = None,
    audience: str | None = None,
    platform: str | None = None,
    language: str | None = None,
) -> list[Template]:
    """The templates that fit every filter given (a platform: some language has a text for it)."""
    chosen = []
    for template in templates:
        doc = template.doc
        if playbook and doc.playbook != playbook:
            continue
        if audience and doc.audience != audience:
            continue
        if language and language not in doc.languages():
            continue
        if platform:
            languages = [language] if language else doc.languages()
            if not any(platform in doc.platforms(code) for code in languages):
                continue
        chosen.append(template)
    return chosen


def resolve(
    session: Session, workspace_id: int | None, key: str, version: int | None = None
) -> Template:
    """The template's newest version in the workspace, or the `version` asked for."""
    if version is not None:
        for template in history(session, workspace_id, key):
            if template.version == version:
                return template
        raise NotFoundError(f"template {key!r} has no version {version}; see its history")
    for template in available(session, workspace_id):
        if template.key == key:
            return template
    raise NotFoundError(f"template {key!r} not found; 'flarewatch templates list' shows the keys")


def history(session: Session, workspace_id: int | None, key: str) -> list[Template]:
    """Every version of the template, oldest first: the shipped one, then the workspace's."""
    found = [Template(shipped()[key], "shipped")] if key in shipped() else []
    if workspace_id is not None:
        rows = session.scalars(
            select(MessageTemplate)
            .where(MessageTemplate.workspace_id == workspace_id, MessageTemplate.key == key)
            .order_by(MessageTemplate.version, MessageTemplate.id)
        )
        by_version: dict[int, list[MessageTemplate]] = {}
        for row in rows:
            by_version.setdefault(row.version, []).append(row)
        found += [_from_rows(by_version[v]) for v in sorted(by_version)]
    if not found:
        raise NotFoundError(
            f"template {key!r} not found; 'flarewatch templates list' shows the keys"
        )
    return found


def save_version(
    session: Session,
    workspace_id: int,
    key: str,
    body: TemplateBody,
    author: str,
    *,
    now: datetime | None = None,
) -> tuple[Template, bool]:
    """Saves `body` as the key's next version in the workspace: (the template, whether a
    version was written). Unchanged text writes nothing and returns the current version."""
    doc = TemplateDoc.model_validate({**_content(body), "key": key, "version": 1})
    try:
        current: Template | None = resolve(session, workspace_id, key)
    except NotFoundError:
        current = None
    if current is not None and _content(current.doc) == _content(doc):
        return current, False
    number = (current.version if current else 0) + 1
    now = now or utcnow()
    for language in doc.languages():
        texts = doc.texts(language)
        for variant in VARIANTS:
            text = texts.variant(variant)
            if not text:
                continue
            session.add(
                MessageTemplate(
                    workspace_id=workspace_id,
                    key=key,
                    version=number,
                    playbook=doc.playbook,
                    kind=doc.kind,
                    audience=doc.audience,
                    stage=doc.stage,
                    language=language,
                    variant=variant,
                    text=text,
                    subject=texts.subject if variant == "long" else None,
                    created_by=author,
                    created_at=now,
                )
            )
    session.flush()
    saved = doc.model_copy(update={"version": number})
    return Template(saved, "workspace", author, now), True


def import_templates(
    session: Session, workspace_id: int, docs: Iterable[TemplateDoc], author: str
) -> list[tuple[Template, bool]]:
    """Each template of an imported set saved as its key's next version (unchanged: none)."""
    return [save_version(session, workspace_id, doc.key, doc, author) for doc in docs]


def export_toml(templates: Iterable[Template], workspace_name: str) -> str:
    """The templates as one TOML file that `templates import` reads back."""
    docs = [t.doc for t in templates]
    header = (
        f"Message templates of {workspace_name}: {len(docs)} templates.\n"
        "Import into a workspace with 'flarewatch templates import FILE --workspace SLUG'."
    )
    return to_toml(docs, header)


def case_values(
    session: Session,
    workspace: Workspace,
    case: Case,
    language: str,
    *,
    mention_id: int | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """What the case and workspace say for the variables: brand, issue, next_update and, for
    a reply to a post, its author. The rest (contact, action, link) comes from the person."""
    from flarewatch.alerts.wording import render_stored

    title = render_stored(
        case.title_message,
        case.title,
        locale=language,
        gettext=translations_for(language).gettext,
        isolate=lambda fragment: fragment,
    )
    values = {
        "brand": workspace.name,
        "issue": title if title is not None else case.title,
        "next_update": next_update_time(now or utcnow(), language, workspace.timezone),
    }
    author = mention_author(session, workspace.id, mention_id) if mention_id else None
    if author:
        values["author"] = author
    return values


def mention_author(session: Session, workspace_id: int, mention_id: int) -> str | None:
    """The handle a reply to this post addresses ("@dana"); None when the post has no author."""
    from flarewatch.mentions.models import Author, Mention

    mention = session.get(Mention, mention_id)
    if mention is None or mention.workspace_id != workspace_id:
        raise NotFoundError(f"post (mention) #{mention_id} not found in this workspace")
    author = session.get(Author, mention.author_id) if mention.author_id else None
    if author is None:
        return None
    return author.handle if author.handle.startswith("@") else f"@{author.handle}"


def fill_template(
    template: Template, language: str, platform: str, values: Mapping[str, str]
) -> Filled:
    """The template's text for `platform` in `language`, its variables filled, tone-checked
    against its stage's requirements and the platform's length."""
    if language not in LANGUAGES:
        raise InputError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    variant, text, subject = text_for(template.doc, language, platform)
    where = f"template {template.key} ({language}, {variant})"
    filled = fill(text, values, language, where)
    filled_subject = fill(subject, values, language, where + " subject") if subject else None
    required = STAGE_REQUIREMENTS.get(template.doc.stage or "", ())
    flags = check(filled, language, platform, required)
    return Filled(template, language, platform, variant, filled, filled_subject, flags)


def template_language(template: Template, wanted: str | None, workspace: Workspace) -> str:
    """The language to fill in: the one asked for, else the workspace's first language the
    template is written in, else the template's first."""
    languages = template.doc.languages()
    if wanted is not None:
        if wanted not in languages:
            raise InputError(
                f"template {template.key} has no {wanted!r} text; it is written in "
                f"{', '.join(languages)}"
            )
        return wanted
    return next((code for code in workspace.languages or () if code in languages), languages[0])


def draft_from_template(
    session: Session,
    workspace: Workspace,
    key: str,
    case_id: int,
    platform: str,
    author: str,
    *,
    language: str | None = None,
    values: Mapping[str, str] | None = None,
    mention_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Draft, Filled]:
    """A draft on the case from the workspace's newest version of the template, filled from
    the case and `values` (which win); it records the template's key and version."""
    given = dict(values or {})
    check_values(given)
    case = get_case(session, case_id, workspace_id=workspace.id)
    template = resolve(session, workspace.id, key)
    code = template_language(template, language, workspace)
    filled = fill_template(
        template,
        code,
        platform,
        {**case_values(session, workspace, case, code, mention_id=mention_id, now=now), **given},
    )
    draft = drafts.create_draft(
        session,
        case.id,
        filled.draft_text,
        author,
        workspace_id=workspace.id,
        platform=platform,
        kind=template.doc.kind,
        audience=template.doc.audience,
        language=code,
        stage=template.doc.stage,
        mention_id=mention_id,
        origin="template",
        template_key=template.key,
        template_version=template.version,
        now=now,
    )
    return draft, filled


def _content(doc: TemplateBody) -> dict[str, Any]:
    return doc.model_dump(exclude_none=True, exclude={"key", "version"})


def _from_rows(rows: list[MessageTemplate]) -> Template:
    first = rows[0]
    texts: dict[str, dict[str, str]] = {}
    for row in rows:
        entry = texts.setdefault(row.language, {})
        entry[row.variant] = row.text
        if row.subject:
            entry["subject"] = row.subject
    doc = TemplateDoc(
        key=first.key,
        version=first.version,
        playbook=first.playbook,
        kind=first.kind,  # type: ignore[arg-type]
        audience=first.audience,  # type: ignore[arg-type]
        stage=first.stage,  # type: ignore[arg-type]
        **{code: Texts(**values) for code, values in texts.items()},  # type: ignore[arg-type]
    )
    return Template(doc, "workspace", first.created_by, first.created_at)
