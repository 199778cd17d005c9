"""A new workspace set up by an admin (the web settings), as `workspace add` would from a file.

The answers of the form are validated by the workspace file's own model, so a workspace made in
the browser is one `flarewatch workspace export` can write back and `workspace add` can load.
Its creator becomes its admin: a person who creates a client's workspace sees it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import Membership, User
from flarewatch.accounts.permissions import Role
from flarewatch.config.workspace import WorkspaceConfig
from flarewatch.errors import InputError
from flarewatch.workspaces.models import Workspace
from flarewatch.workspaces.service import sync_workspace

# The local weekends offered in the form, by code; the days as the workspace file names them.
WEEKENDS: dict[str, list[str]] = {
    "sat-sun": ["sat", "sun"],
    "fri-sat": ["fri", "sat"],  # Israel
    "fri": ["fri"],
    "thu-fri": ["thu", "fri"],
    "sun": ["sun"],
}
# (No "no weekend": the detector reads an empty list as the default Saturday–Sunday.)


def weekend_code(days: list[str] | None) -> str:
    """The form's code for a workspace's weekend days ("sat-sun" when unset, as the detector)."""
    wanted = [day[:3].lower() for day in days or ["sat", "sun"]]
    return next((code for code, listed in WEEKENDS.items() if listed == wanted), "sat-sun")


FIELD_NAMES = {"slug": "Short name", "name": "Name", "languages": "Languages"}


@dataclass(frozen=True, slots=True)
class NewWorkspace:
    """What the "new workspace" form asks."""

    name: str
    slug: str
    languages: list[str]
    timezone: str
    weekend: str


def may_create_workspaces(session: Session, user: User) -> bool:
    """Admins of any workspace may create more (the agency's admins); others ask one of them."""
    found = session.scalar(
        select(Membership.id)
        .where(Membership.user_id == user.id, Membership.role == Role.ADMIN.value)
        .limit(1)
    )
    return found is not None


def _config(answers: NewWorkspace) -> WorkspaceConfig:
    if answers.weekend not in WEEKENDS:
        raise InputError(f"Weekend is one of: {', '.join(WEEKENDS)}.")
    try:
        return WorkspaceConfig.model_validate(
            {
                "slug": answers.slug.strip().lower(),
                "name": answers.name.strip(),
                "languages": answers.languages,
                "timezone": answers.timezone.strip(),
                "weekend": WEEKENDS[answers.weekend],
            }
        )
    except ValidationError as err:
        problems = []
        for error in err.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{FIELD_NAMES.get(field, field.capitalize())}: {message}")
        raise InputError("; ".join(problems) + ".") from None


def create_workspace(
    session: Session, creator: User, answers: NewWorkspace, base_dir: Path
) -> Workspace:
    """Create the workspace (no topics or sources yet) with `creator` as its admin.

    `base_dir`: where relative paths of its sources are read from (the workspaces folder)."""
    if not may_create_workspaces(session, creator):
        raise InputError("Only a workspace admin can create workspaces; ask one of them.")
    if not answers.name.strip():
        raise InputError("The workspace needs a name, e.g. the client's brand.")
    config = _config(answers)
    if session.scalar(select(Workspace.id).where(Workspace.slug == config.slug)) is not None:
        raise InputError(
            f"The short name '{config.slug}' is taken by another workspace; choose another."
        )
    workspace = sync_workspace(session, config, base_dir)
    accounts.add_member(session, workspace, creator, Role.ADMIN)
    accounts.record_audit(
        session,
        creator,
        "workspace.create",
        workspace_id=workspace.id,
        target_type="workspace",
        target_id=workspace.id,
        details={
            "slug": workspace.slug,
            "name": workspace.name,
            "languages": workspace.languages,
            "timezone": workspace.timezone,
            "weekend": config.weekend,
        },
    )
    return workspace
