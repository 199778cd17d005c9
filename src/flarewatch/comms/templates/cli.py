"""`flarewatch templates`: the message templates (docs/communication-templates.md): list and
show them, fill one from a case with its tone check, edit (a new version), export and import
a set as TOML, and start a draft on a case from one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from flarewatch.alerts.cliutil import By, cli_session, default_actor, reader_of, workspace_id_for
from flarewatch.bidi import neutralise
from flarewatch.cli.common import user_console
from flarewatch.cli.reader import Reader, reader_for
from flarewatch.comms.models import AUDIENCES, DRAFT_PLATFORMS
from flarewatch.comms.templates import labels, service
from flarewatch.comms.templates.fill import check_values
from flarewatch.comms.templates.library import LANGUAGES, VARIANT_PLATFORMS, VARIANTS, parse_toml
from flarewatch.errors import InputError
from flarewatch.i18n.labels import N_
from flarewatch.playbooks.cli import usage_error
from flarewatch.tone.check import format_flag
from flarewatch.tone.limits import LIMITS, length

if TYPE_CHECKING:
    from flarewatch.cases.models import Case
    from flarewatch.workspaces.models import Workspace

app = typer.Typer(
    help="Message templates: list, show, fill from a case, edit, export, import, draft.",
    no_args_is_help=True,
)
console = user_console(highlight=False, soft_wrap=True)

# What the commands print, in the workspace's language (cli/reader.py).
COLUMN_KEY = N_("Template")
COLUMN_VERSION = N_("Version")
COLUMN_KIND = N_("Kind")
COLUMN_AUDIENCE = N_("Audience")
COLUMN_STAGE = N_("Stage")
COLUMN_LANGUAGES = N_("Languages")
NO_TEMPLATES = N_("No templates match.")
HEADING = N_("Template %(key)s, version %(version)s")
ORIGIN = {"workspace": N_("this workspace's version"), "shipped": N_("shipped with Flarewatch")}
ABOUT = N_("%(kind)s for %(audience)s; stage: %(stage)s; playbook: %(playbook)s")
VARIANT_LENGTH = N_("%(variant)s: %(count)s characters")
SUBJECT = N_("Subject: %(subject)s")
FILLED = N_("Template %(key)s (version %(version)s) for %(platform)s in %(language)s:")
LENGTH_OF = N_("Length: %(count)s of %(limit)s as %(platform)s counts it")
LENGTH_NO_LIMIT = N_("Length: %(count)s characters (%(platform)s has no limit)")
TONE_CLEAN = N_("Tone check: no flags.")
TONE_FLAGS = N_("Tone check, flags found: %(count)s")
SAVED = N_("Template %(key)s saved as version %(version)s.")
UNCHANGED = N_("Template %(key)s unchanged: version %(version)s is the same text.")
IMPORTED = N_("Templates read: %(count)s; saved as new versions: %(saved)s.")
DRAFTED = N_("Draft #%(draft)s started on case #%(case)s from %(key)s (version %(version)s).")

Workspace = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", help="This workspace's versions (its slug).", show_default="shipped"
    ),
]
NeededWorkspace = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The workspace (its slug) it is saved in.",
        show_default="the only workspace, when there is one",
    ),
]
Key = Annotated[str, typer.Argument(help="The template's key, as 'templates list' prints.")]
CaseId = Annotated[int, typer.Argument(help="The case's number, as 'cases list' shows it.")]
Values = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="A variable's value, name=value (repeat it): brand, issue, next_update, contact, "
        "action, author, link. The case fills brand, issue and next_update.",
        show_default="none",
    ),
]
TemplateLanguage = Annotated[
    str | None,
    typer.Option(
        "--language",
        "-l",
        help=f"The template's language: {', '.join(LANGUAGES)}.",
        show_default="the workspace's first language the template is written in",
    ),
]
Platform = Annotated[
    str,
    typer.Option("--platform", "-p", help=f"Where it goes: {', '.join(DRAFT_PLATFORMS)}."),
]


@app.command("list")
def list_command(
    workspace: Workspace = None,
    playbook: Annotated[
        str | None,
        typer.Option(
            "--playbook", help="Only this playbook's ('playbooks list').", show_default="all"
        ),
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option("--audience", help=f"Only for: {', '.join(AUDIENCES)}.", show_default="all"),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            help=f"Only with a text for: {', '.join(DRAFT_PLATFORMS)}.",
            show_default="all",
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help=f"Only written in: {', '.join(LANGUAGES)}; also the output's language "
            "without --workspace.",
            show_default="all",
        ),
    ] = None,
) -> None:
    """List the templates (the workspace's newest versions), one a row."""
    _check_choice("--audience", audience, AUDIENCES)
    _check_choice("--platform", platform, DRAFT_PLATFORMS)
    _check_choice("--language", language, LANGUAGES)
    with cli_session() as session:
        workspace_id = workspace_id_for(session, workspace)
        reader = _reader(session, workspace_id, language)
        chosen = service.matching(
            service.available(session, workspace_id),
            playbook=playbook,
            audience=audience,
            platform=platform,
            language=language,
        )
        if not chosen:
            console.print(escape(reader.say(NO_TEMPLATES)))
            return
        say = reader.say
        table = Table(
            say(COLUMN_KEY),
            say(COLUMN_VERSION),
            say(COLUMN_KIND),
            say(COLUMN_AUDIENCE),
            say(COLUMN_STAGE),
            say(COLUMN_LANGUAGES),
        )
        for template in chosen:
            doc = template.doc
            table.add_row(
                escape(neutralise(doc.key)),
                str(template.version),
                escape(say(labels.KINDS[doc.kind])),
                escape(say(labels.AUDIENCES[doc.audience])),
                escape(say(labels.STAGES[doc.stage] if doc.stage else labels.NO_STAGE)),
                ", ".join(doc.languages()),
            )
        console.print(table)


@app.command("show")
def show_command(
    key: Key,
    workspace: Workspace = None,
    version: Annotated[
        int | None, typer.Option("--version", help="This version.", show_default="the newest")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help=f"Only this language's texts: {', '.join(LANGUAGES)}.",
            show_default="every language",
        ),
    ] = None,
    toml: Annotated[
        bool, typer.Option("--toml", help="Print it as TOML, to edit and 'templates edit'.")
    ] = False,
) -> None:
    """Show a template: what it is for, and each language's texts with their lengths."""
    _check_choice("--language", language, LANGUAGES)
    with cli_session() as session:
        workspace_id = workspace_id_for(session, workspace)
        template = service.resolve(session, workspace_id, key, version)
        if toml:
            typer.echo(service.export_toml([template], workspace or "Flarewatch"), nl=False)
            return
        reader = _reader(session, workspace_id, language)
        say = reader.say
        doc = template.doc
        heading = say(HEADING, key=reader.fragment(doc.key), version=template.version)
        console.print(f"[bold]{escape(heading)}[/bold] · {escape(say(ORIGIN[template.origin]))}")
        stage = say(labels.STAGES[doc.stage] if doc.stage else labels.NO_STAGE)
        about = say(
            ABOUT,
            kind=say(labels.KINDS[doc.kind]),
            audience=say(labels.AUDIENCES[doc.audience]).lower(),
            stage=stage.lower(),
            playbook=reader.fragment(doc.playbook or "—"),
        )
        console.print(escape(about))
        for code in [language] if language else doc.languages():
            if code not in doc.languages():
                continue
            texts = doc.texts(code)
            console.print(f"\n[bold]{code}[/bold]")
            if texts.subject:
                console.print(escape(say(SUBJECT, subject=reader.fragment(texts.subject))))
            for variant in VARIANTS:
                text = texts.variant(variant)
                if not text:
                    continue
                platform = VARIANT_PLATFORMS[variant][0]
                count = reader.number(length(text, platform))
                name = say(labels.VARIANTS[variant])
                line = say(VARIANT_LENGTH, variant=name, count=count)
                console.print(f"[bold]{escape(line)}[/bold]")
                console.print(escape(neutralise(text)))


@app.command("fill")
def fill_command(
    key: Key,
    case_id: CaseId,
    platform: Annotated[
        str,
        typer.Option("--platform", "-p", help=f"Where it goes: {', '.join(DRAFT_PLATFORMS)}."),
    ] = "x",
    language: TemplateLanguage = None,
    values: Values = None,
) -> None:
    """Print the template filled from the case (and --set values) and its tone check."""
    _check_choice("--platform", platform, DRAFT_PLATFORMS)
    _check_choice("--language", language, LANGUAGES)
    given = parse_values(values)
    with cli_session() as session:
        check_values(given)
        workspace = _case_workspace(session, case_id)
        template = service.resolve(session, workspace.id, key)
        code = service.template_language(template, language, workspace)
        case_values = service.case_values(
            session, workspace, _case(session, case_id, workspace.id), code
        )
        filled = service.fill_template(template, code, platform, {**case_values, **given})
        _print_filled(reader_of(session, workspace.id), filled)


@app.command("edit")
def edit_command(
    key: Key,
    file: Annotated[
        Path, typer.Option("--file", "-f", help="The template as TOML ('show KEY --toml').")
    ],
    workspace: NeededWorkspace = None,
    by: By = None,
) -> None:
    """Save the file as the template's next version in the workspace (unchanged: nothing)."""
    text = _read(file)
    with cli_session() as session:
        docs = parse_toml(text, str(file))
        if len(docs) != 1 or docs[0].key != key:
            found = ", ".join(doc.key for doc in docs)
            raise InputError(
                f'{file} holds {found}, not {key}; keep key = "{key}" (one template) to save '
                "a new version of it"
            )
        workspace_id = _saving_workspace(session, workspace)
        template, written = service.save_version(
            session, workspace_id, key, docs[0], by or default_actor()
        )
        reader = reader_of(session, workspace_id)
        message = SAVED if written else UNCHANGED
        console.print(
            escape(reader.say(message, key=reader.fragment(key), version=template.version))
        )


@app.command("export")
def export_command(
    workspace: Workspace = None,
    playbook: Annotated[
        str | None,
        typer.Option("--playbook", help="Only this playbook's templates.", show_default="all"),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file.", show_default="standard output"),
    ] = None,
) -> None:
    """Write the templates (the workspace's newest versions) as one TOML file to import into
    another workspace."""
    with cli_session() as session:
        workspace_id = workspace_id_for(session, workspace)
        chosen = service.matching(service.available(session, workspace_id), playbook=playbook)
        text = service.export_toml(chosen, workspace or "Flarewatch")
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise usage_error(f"cannot write {output}: {err.strerror}") from None


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A TOML file of templates ('templates export').")],
    workspace: NeededWorkspace = None,
    by: By = None,
) -> None:
    """Save every template of the file as its next version in the workspace; a template whose
    text is the same as the workspace's current one adds no version."""
    text = _read(file)
    with cli_session() as session:
        docs = parse_toml(text, str(file))
        workspace_id = _saving_workspace(session, workspace)
        results = service.import_templates(session, workspace_id, docs, by or default_actor())
        reader = reader_of(session, workspace_id)
        for template, written in results:
            if written:
                console.print(
                    escape(
                        reader.say(
                            SAVED, key=reader.fragment(template.key), version=template.version
                        )
                    )
                )
        saved = sum(1 for _t, written in results if written)
        console.print(escape(reader.say(IMPORTED, count=len(results), saved=saved)))


@app.command("draft")
def draft_command(
    key: Key,
    case_id: CaseId,
    platform: Platform,
    language: TemplateLanguage = None,
    values: Values = None,
    reply_to: Annotated[
        int | None,
        typer.Option(
            "--reply-to",
            help="The post (mention id) a reply answers; fills {author}.",
            show_default="none",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Start a draft on the case from the template, filled from the case and --set values; it
    records the template's key and version and goes through approval like any draft."""
    _check_choice("--platform", platform, DRAFT_PLATFORMS)
    _check_choice("--language", language, LANGUAGES)
    given = parse_values(values)
    with cli_session() as session:
        workspace = _case_workspace(session, case_id)
        draft, filled = service.draft_from_template(
            session,
            workspace,
            key,
            case_id,
            platform,
            by or default_actor(),
            language=language,
            values=given,
            mention_id=reply_to,
        )
        reader = reader_of(session, workspace.id)
        console.print(
            escape(
                reader.say(
                    DRAFTED,
                    draft=draft.id,
                    case=case_id,
                    key=reader.fragment(key),
                    version=filled.template.version,
                )
            )
        )
        _print_filled(reader, filled)


def parse_values(values: list[str] | None) -> dict[str, str]:
    """`--set name=value` options as a mapping; a malformed one is a usage error."""
    found: dict[str, str] = {}
    for item in values or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise usage_error(f"--set {item!r}: write it as name=value, e.g. --set contact=help@…")
        found[name.strip()] = value
    return found


def _print_filled(reader: Reader, filled: service.Filled) -> None:
    say = reader.say
    console.print(
        escape(
            say(
                FILLED,
                key=reader.fragment(filled.template.key),
                version=filled.template.version,
                platform=labels.PLATFORMS[filled.platform],
                language=filled.language,
            )
        )
    )
    if filled.subject:
        console.print(escape(say(SUBJECT, subject=reader.fragment(filled.subject))))
    # the values' isolates are ours and the terminal keeps them (cli/common.py); any other
    # control in a value was made visible by the filling
    console.print(escape(filled.text))
    count = reader.number(length(filled.text, filled.platform))
    limit = LIMITS[filled.platform].limit
    platform = say(labels.PLATFORMS[filled.platform])
    if filled.platform == "sms":
        limit = None  # SMS counts in billed parts; the tone check says when it splits
    if limit is None:
        console.print(escape(say(LENGTH_NO_LIMIT, count=count, platform=platform)))
    else:
        console.print(
            escape(say(LENGTH_OF, count=count, limit=reader.number(limit), platform=platform))
        )
    if not filled.flags:
        console.print(escape(say(TONE_CLEAN)))
        return
    console.print(escape(say(TONE_FLAGS, count=len(filled.flags))))
    for flag in filled.flags:
        console.print(escape(format_flag(flag)))


def _reader(session: Session, workspace_id: int | None, language: str | None) -> Reader:
    if workspace_id is not None:
        return reader_of(session, workspace_id)
    return reader_for(None, None, language)


def _saving_workspace(session: Session, slug: str | None) -> int:
    """The workspace a change is saved in: the one named, else the only one there is."""
    from sqlalchemy import select

    from flarewatch.workspaces.models import Workspace

    if slug is None:
        slugs = list(session.scalars(select(Workspace.slug).order_by(Workspace.slug)))
        if len(slugs) != 1:
            raise InputError(
                "name the workspace to save in with --workspace SLUG; there are "
                + (", ".join(slugs) if slugs else "no workspaces yet ('flarewatch workspace add')")
            )
        slug = slugs[0]
    found = workspace_id_for(session, slug)
    assert found is not None
    return found


def _case_workspace(session: Session, case_id: int) -> Workspace:
    from flarewatch.cases.service import get_case
    from flarewatch.workspaces.models import Workspace

    case = get_case(session, case_id)
    return session.get_one(Workspace, case.workspace_id)


def _case(session: Session, case_id: int, workspace_id: int) -> Case:
    from flarewatch.cases.service import get_case

    return get_case(session, case_id, workspace_id=workspace_id)


def _check_choice(option: str, value: str | None, allowed: tuple[str, ...] | list[str]) -> None:
    if value is not None and value not in allowed:
        raise usage_error(f"{option} {value!r}: use one of {', '.join(allowed)}")


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except OSError as err:
        raise usage_error(f"cannot read {file}: {err.strerror}") from None
    except UnicodeDecodeError:
        raise usage_error(f"{file} is not UTF-8 text; save it as UTF-8") from None
