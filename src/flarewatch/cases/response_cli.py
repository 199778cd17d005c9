"""`flarewatch cases route/findings/role/roles`: the case room from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flarewatch.alerts.cliutil import By, cli_session, default_actor, when, workspace_timezones
from flarewatch.cases.roles import apply_rules, assign_role, holders, role_defs, role_name
from flarewatch.cases.routing import record_findings, route_case
from flarewatch.cases.service import get_case
from flarewatch.cli.common import user_console
from flarewatch.workspaces.models import Workspace

console = user_console()
CaseId = Annotated[int, typer.Argument(help="The case's number, as shown by 'cases list'.")]


def route_command(
    case_id: CaseId,
    case_type: Annotated[str, typer.Argument(help="The case type's key, e.g. product_safety.")],
    note: Annotated[
        str | None,
        typer.Option(
            "--note", help="What to check, sent before the key facts.", show_default="none"
        ),
    ] = None,
    by: By = None,
) -> None:
    """Send a case's key facts and posts to the owner of its case type (docs/cases.md)."""
    with cli_session() as session:
        routing = route_case(session, case_id, case_type, by or default_actor(), note=note)
        apply_rules(session, get_case(session, case_id), by or default_actor())
        reached = sum(1 for sent in routing.sent if sent["ok"])
        zone = workspace_timezones(session).get(get_case(session, case_id).workspace_id)
        console.print(
            f"Routing request #{routing.id}: case #{case_id} sent to {escape(routing.owner_name)} "
            f"({reached} of {len(routing.sent)} contacts reached); answer due "
            f"{when(routing.answer_by, zone)}.",
            highlight=False,
        )
        for sent in routing.sent:
            if not sent["ok"]:
                console.print(f"  {sent['channel']}: {escape(str(sent['error']))}", highlight=False)


def findings_command(
    routing_id: Annotated[int, typer.Argument(help="The routing request's number.")],
    text: Annotated[str, typer.Argument(help="What the owner found out, in quotes.")],
    by: By = None,
) -> None:
    """Record the owner's findings on a routing request (and the case's timeline)."""
    with cli_session() as session:
        routing = record_findings(session, routing_id, text, by or default_actor())
        console.print(
            f"Findings recorded on case #{routing.case_id} (request #{routing.id}).",
            highlight=False,
        )


def role_command(
    case_id: CaseId,
    role: Annotated[str, typer.Argument(help="The role's key, e.g. spokesperson.")],
    person: Annotated[
        str | None,
        typer.Argument(
            help="The member's e-mail; leave out to clear the role.", show_default="none"
        ),
    ] = None,
    by: By = None,
) -> None:
    """Give a role on a case to a member of the workspace, or clear it."""
    with cli_session() as session:
        case = get_case(session, case_id)
        row = assign_role(
            session, case.id, role, person, by or default_actor(), workspace_id=case.workspace_id
        )
        holder = row.person if row else "nobody"
        console.print(f"Case #{case.id}: {role} is now {escape(holder)}.", highlight=False)


def roles_command(case_id: CaseId) -> None:
    """Who holds each role on a case now."""
    with cli_session() as session:
        case = get_case(session, case_id)
        held = holders(session, case.id)
        zone = workspace_timezones(session).get(case.workspace_id)
        table = Table("Role", "Held by", "Since", "Rule")
        for definition in role_defs(session.get_one(Workspace, case.workspace_id)):
            row = held.get(definition.key)
            table.add_row(
                escape(role_name(definition)),
                escape(row.person) if row else "—",
                when(row.assigned_at, zone) if row else "",
                escape(row.rule or "by hand") if row else "",
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command("route")(route_command)
    app.command("findings")(findings_command)
    app.command("role")(role_command)
    app.command("roles")(roles_command)
