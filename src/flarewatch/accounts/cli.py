"""`flarewatch user`: accounts from the command line (the first admin, tokens for scripts)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from flarewatch.accounts import service
from flarewatch.accounts.models import User
from flarewatch.accounts.permissions import Role
from flarewatch.cli.common import console, fail, ready_engine
from flarewatch.db.engine import session_scope
from flarewatch.errors import FlarewatchError
from flarewatch.workspaces.models import Workspace

app = typer.Typer(help="People, their workspace roles and API tokens.", no_args_is_help=True)


@app.command("add")
def add(
    email: str = typer.Argument(..., help="Sign-in email."),
    name: str = typer.Option(None, "--name", help="Display name.", show_default="the email's user"),
    password: str = typer.Option(
        None,
        "--password",
        help="Password (asked for, hidden, when left out).",
        show_default="ask",
    ),
    role: str = typer.Option(
        None,
        "--role",
        help="Role in --workspace: " + ", ".join(r.value for r in Role) + ".",
        show_default="no role",
    ),
    workspace: str = typer.Option(
        None, "--workspace", help="Workspace slug to add the user to.", show_default="none"
    ),
) -> None:
    """Create a user (or give an existing one a role in a workspace)."""
    if (role is None) != (workspace is None):
        fail("--role and --workspace go together: e.g. --role admin --workspace acme")
    try:
        with session_scope(ready_engine()) as session:
            user = service.get_user_by_email(session, email)
            if user is None:
                if password is None:
                    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
                user = service.create_user(session, email, name, password)
                console.print(f"created user [bold]{escape(user.email)}[/]")
            elif password is not None:
                service.set_password(session, user, password)
                console.print(f"updated the password of [bold]{escape(user.email)}[/]")
            if workspace is not None and role is not None:
                ws = session.scalar(select(Workspace).where(Workspace.slug == workspace))
                if ws is None:
                    fail(f"no workspace '{workspace}'; list them with 'flarewatch workspace list'")
                membership = service.add_member(session, ws, user, role)
                service.record_audit(
                    session,
                    "cli",
                    "member.set_role",
                    workspace_id=ws.id,
                    target_type="user",
                    target_id=user.id,
                    details={"email": user.email, "role": membership.role},
                )
                console.print(
                    f"{escape(user.email)} is [bold]{membership.role}[/] of {escape(ws.slug)}"
                )
    except FlarewatchError as err:
        fail(str(err))


@app.command("list")
def list_users() -> None:
    """Every user with their workspace roles."""
    with session_scope(ready_engine()) as session:
        table = Table("email", "name", "roles", "active")
        for user in session.scalars(select(User).order_by(User.email)):
            roles = ", ".join(
                f"{ws.slug}:{role}" for ws, role in service.workspaces_of(session, user.id)
            )
            table.add_row(user.email, user.name, roles or "-", "yes" if user.active else "no")
        console.print(table)


@app.command("token")
def token(
    email: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", "--name", help="A label to tell tokens apart."),
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    with session_scope(ready_engine()) as session:
        user = service.get_user_by_email(session, email)
        if user is None:
            fail(f"no user {email}; create one with 'flarewatch user add {email}'")
        row, secret = service.create_token(session, user, name)
        service.record_audit(
            session,
            "cli",
            "token.create",
            target_type="token",
            target_id=row.id,
            details={"user": user.email, "name": row.name, "prefix": row.prefix},
        )
    # Plain print: scripts capture it, and rich would wrap a long token.
    print(secret)
