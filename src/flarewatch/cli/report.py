"""`flarewatch report`: each workspace's figures in the workspace's language.

Every label is a catalogue entry (en/he/pl), numbers and dates follow the language's locale in
the workspace's country and zone (`i18n.formatting.Formatter`), and names, source keys and
errors are isolated inside the sentences that carry them (FSI … PDI; every fragment in a
right-to-left report, only right-to-left ones in a left-to-right report, as notifications do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flarewatch.bidi import isolate, isolate_plain
from flarewatch.cli.summary import WorkspaceSummary
from flarewatch.i18n.formatting import Formatter
from flarewatch.i18n.labels import LABELS, N_
from flarewatch.i18n.languages import is_rtl, translations_for, workspace_language

if TYPE_CHECKING:
    from rich.console import Console

HEADING = N_("Report for %(workspace)s at %(time)s")
POSTS = N_("Posts")
MENTIONS = N_("Mentions (post × topic)")
ALERTS = N_("Alerts")
CASES = N_("Cases")
OPEN_OF = N_("%(total)s (%(open)s open)")
TOP_SEVERITY = N_("Highest severity")
NEWEST_POST = N_("Newest post")
NONE = N_("none")
FAILING = N_("Failing source %(source)s: %(error)s")


@dataclass(slots=True)
class ReportBlock:
    """One workspace's report as text, ready for the terminal."""

    language: str
    heading: str
    rows: list[tuple[str, str]]
    failing: list[str]


def report_block(summary: WorkspaceSummary, now: datetime, language: str | None) -> ReportBlock:
    """The report of one workspace in `language`, or the workspace's own when None."""
    language = language or workspace_language(summary.languages)
    translations = translations_for(language)
    fmt = Formatter(language, summary.timezone)
    fragment: Callable[[str], str] = isolate if is_rtl(language) else isolate_plain

    def say(message: str, **values: str) -> str:
        return translations.gettext(message) % values

    def open_of(total: int, open_: int) -> str:
        return say(OPEN_OF, total=fmt.number(total), open=fmt.number(open_))

    severity = summary.top_severity
    rows = [
        (say(POSTS), fmt.number(summary.posts)),
        (say(MENTIONS), fmt.number(summary.mentions)),
        (say(ALERTS), open_of(summary.alerts, summary.open_alerts)),
        (
            say(TOP_SEVERITY),
            translations.gettext(LABELS[severity]) if severity in LABELS else say(NONE),
        ),
        (say(CASES), open_of(summary.cases, summary.open_cases)),
        (
            say(NEWEST_POST),
            fmt.stamp(summary.newest_post) if summary.newest_post else say(NONE),
        ),
    ]
    heading = say(
        HEADING,
        workspace=fragment(f"{summary.name} ({summary.slug})"),
        time=fragment(fmt.stamp(now)),
    )
    failing = [
        say(FAILING, source=fragment(key), error=fragment(error))
        for key, error in summary.failing_sources
    ]
    return ReportBlock(language, heading, rows, failing)


def print_report(
    console: Console,
    summaries: Iterable[WorkspaceSummary],
    now: datetime,
    language: str | None = None,
) -> None:
    """Each workspace's block: its heading, its figures as a two-column table, its failing
    sources (`flarewatch report` and the summary of `flarewatch demo --no-serve`)."""
    from rich.markup import escape
    from rich.table import Table

    for summary in summaries:
        block = report_block(summary, now, language)
        console.print(f"[bold]{escape(block.heading)}[/]", highlight=False)
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(justify="left")
        table.add_column(justify="left")
        for label, value in block.rows:
            table.add_row(escape(label), escape(value))
        console.print(table, highlight=False)
        for line in block.failing:
            console.print(f"[red]{escape(line)}[/]", highlight=False)
        console.print()
