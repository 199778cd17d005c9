"""`flarewatch drafts suggest CASE --platform P …`: an AI draft on a case (the drafts command
group folds this command in). The draft's text and its tone flags are printed; what Flarewatch
says around them is in the workspace's language (cli/reader.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flarewatch.alerts.cliutil import By, cli_session, default_actor, reader_of
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.comms.ai_drafting.service import suggest_draft
from flarewatch.comms.drafts import version_of
from flarewatch.comms.models import AUDIENCES, DRAFT_KINDS, DRAFT_PLATFORMS
from flarewatch.i18n.labels import N_
from flarewatch.playbooks.cli import usage_error
from flarewatch.tone.check import STAGE_REQUIREMENTS
from flarewatch.tone.rules import LANGUAGES

app = typer.Typer(help="Drafts of what the brand will say.", no_args_is_help=True)
console = user_console()

DRAFTED = N_(
    "Draft #%(draft)s written by AI (model %(model)s) for %(platform)s; it needs approval "
    "before it can be published."
)
CUT_SHORT = N_(
    "The answer reached the longest length allowed and may be cut short; raise "
    "[ai_drafting] max_tokens in the workspace file."
)
NO_FLAGS = N_("Tone check: nothing to change.")
SOME_FLAGS = N_("Tone check: %(count)s things to look at:")
MAX_TEMPLATE_BYTES = 64 * 1024


def _template(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise usage_error(f"--template-file {path}: keep a template under 64 KiB")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise usage_error(f"--template-file {path}: no such file") from None
    except UnicodeDecodeError:
        raise usage_error(f"--template-file {path}: save it as UTF-8 text") from None


@app.command("suggest")
def suggest_command(
    case_id: Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")],
    platform: Annotated[
        str, typer.Option("--platform", "-p", help=f"Where it goes: {', '.join(DRAFT_PLATFORMS)}.")
    ],
    post: Annotated[
        int | None,
        typer.Option(
            "--post",
            help="The post (mention id) to answer; makes it a reply.",
            show_default="none: a statement",
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help=f"The playbook stage: {', '.join(STAGE_REQUIREMENTS)}.",
            show_default="none: nothing required",
        ),
    ] = None,
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", help=f"Who reads it: {', '.join(AUDIENCES)}.", show_default="anyone"
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            help=f"The draft's language: {', '.join(LANGUAGES)}.",
            show_default="the workspace's first language",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=f"{', '.join(DRAFT_KINDS)}.",
            show_default="reply with --post, else statement",
        ),
    ] = None,
    template_file: Annotated[
        Path | None,
        typer.Option(
            "--template-file",
            help="A template (UTF-8 text) to draft from.",
            show_default="none: from the facts alone",
        ),
    ] = None,
    by: By = None,
) -> None:
    """Ask the workspace's AI endpoint ([ai_drafting]) for a draft from the case facts, the
    template and the post; it is stored as a new draft, tone-checked, waiting for approval."""
    template_text = _template(template_file)
    with cli_session() as session:
        case = get_case(session, case_id)
        suggested = suggest_draft(
            session,
            case_id,
            by or default_actor(),
            workspace_id=case.workspace_id,
            platform=platform,
            kind=kind,
            mention_id=post,
            stage=stage,
            audience=audience,
            language=language,
            template_text=template_text,
        )
        draft = suggested.draft
        reader = reader_of(session, case.workspace_id)
        version = version_of(session, draft)
        say = reader.say
        print_line = console.print
        print_line(
            say(
                DRAFTED,
                draft=draft.id,
                model=reader.fragment(suggested.model),
                platform=reader.fragment(platform),
            ),
            highlight=False,
            markup=False,
        )
        print_line("")
        print_line(version.text, highlight=False, markup=False)
        print_line("")
        if suggested.truncated:
            print_line(say(CUT_SHORT), highlight=False, markup=False)
        if not version.flags:
            print_line(say(NO_FLAGS), highlight=False, markup=False)
            return
        print_line(say(SOME_FLAGS, count=len(version.flags)), highlight=False, markup=False)
        for flag in version.flags:
            phrase = f" «{flag['phrase']}»" if flag.get("phrase") else ""
            print_line(
                f"- {flag['label']}{phrase}: {flag['reason']}", highlight=False, markup=False
            )
