"""The workspace's own accounts that Flarewatch publishes through: `[[channels]]` in the
workspace file (docs/communication-publishing.md).

A channel names its platform, the account and the names of its secrets (an environment
variable or a credential stored in the workspace settings, exactly like a source's
`token_env`); the secret itself is never in the file. Every API address has a default and can
be changed (`api_url`), which is also how the tests point a channel at a local server.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flarewatch.comms.publishing.channel_config import (  # noqa: F401  (re-exported)
    PLATFORMS,
    ChannelConfig,
    channel_problems,
)
from flarewatch.errors import InputError, NotFoundError
from flarewatch.sources.credentials import read_credential
from flarewatch.sources.secrets import EnvironmentSecrets, LayeredSecrets, Secrets
from flarewatch.workspaces.models import Workspace


def workspace_channels(workspace: Workspace) -> list[ChannelConfig]:
    """The channels of the workspace's file, as stored with the workspace."""
    raw = (workspace.config or {}).get("channels") or []
    return [ChannelConfig.model_validate(item) for item in raw]


def get_channel(workspace: Workspace, key: str) -> ChannelConfig:
    channels = workspace_channels(workspace)
    for channel in channels:
        if channel.key == key:
            return channel
    known = ", ".join(c.key for c in channels) or "none yet"
    raise NotFoundError(
        f"workspace {workspace.slug!r} has no channel {key!r} (channels: {known}); add a "
        "[[channels]] table to the workspace file (docs/communication-publishing.md)"
    )


def session_secrets(session: Session, workspace_id: int) -> Secrets:
    """The environment first, then the workspace's stored credentials, read in `session`."""
    return LayeredSecrets(
        EnvironmentSecrets(), lambda name: read_credential(session, workspace_id, name)
    )


def missing_secrets(channel: ChannelConfig, secrets: Secrets) -> list[str]:
    """The channel's secret names that neither the environment nor the store has."""
    return [name for name in channel.secret_names if secrets.get(name) is None]


def require_platform(channel: ChannelConfig, platform: str) -> None:
    if channel.platform != platform:
        raise InputError(
            f"the draft is written for {platform} but channel {channel.key!r} is a "
            f"{channel.platform} account; pick a {platform} channel or write a draft for "
            f"{channel.platform}"
        )
