"""`flarewatch tone check`: flag a crisis-communication draft (docs/tone.md)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from flarewatch.cli.common import fail, user_console
from flarewatch.tone.check import (
    STAGE_REQUIREMENTS,
    check,
    draft_language,
    format_flag,
    requirements_for,
)
from flarewatch.tone.limits import PLATFORMS
from flarewatch.tone.rules import LANGUAGES, REQUIREMENTS, RuleFileError

app = typer.Typer(help="Check the tone of crisis-communication drafts.", no_args_is_help=True)
console = user_console(highlight=False, soft_wrap=True)


@app.command("check")
def check_command(
    text: Annotated[str, typer.Argument(help="The draft; '-' reads it from standard input.")],
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            "-l",
            help=f"The draft's language: {', '.join(LANGUAGES)}.",
            show_default=(
                "detected from the text by Flarewatch's language identification "
                "(English when it cannot tell)"
            ),
        ),
    ] = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            "-p",
            help=f"Check the length for this platform: {', '.join(PLATFORMS)}.",
            show_default="no length check",
        ),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help=(
                "The playbook stage the draft is for; it asks for elements: "
                + "; ".join(f"{s}: {', '.join(r)}" for s, r in STAGE_REQUIREMENTS.items())
                + "."
            ),
            show_default="no stage: nothing required",
        ),
    ] = None,
    require: Annotated[
        str,
        typer.Option(
            "--require",
            help=f"Elements the draft must have, comma-separated: {', '.join(REQUIREMENTS)}.",
            show_default="none",
        ),
    ] = "",
) -> None:
    """Print one flag per line (kind, character span, phrase, reason, suggested rewording) and
    exit 1 when there is any flag, 0 when the draft is clean."""
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        fail("the draft is empty; pass its text, or '-' to read it from standard input", 2)
    if language is not None and language not in LANGUAGES:
        fail(f"--language {language!r}: use one of {', '.join(LANGUAGES)}", 2)
    if platform is not None and platform not in PLATFORMS:
        fail(f"--platform {platform!r}: use one of {', '.join(PLATFORMS)}", 2)
    wanted = [part.strip() for part in require.split(",") if part.strip()]
    try:
        required = requirements_for(stage, wanted)
    except ValueError as exc:
        fail(f"{exc} (--stage / --require)", 2)
    try:
        flags = check(text, language or draft_language(text), platform, required)
    except RuleFileError as exc:
        fail(str(exc), 2)
    for flag in flags:
        console.print(escape(format_flag(flag)))
    raise typer.Exit(1 if flags else 0)
