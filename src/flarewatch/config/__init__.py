"""Configuration: process settings from the environment and one TOML workspace file per brand."""

from flarewatch.config.settings import Settings, get_settings
from flarewatch.config.workspace import (
    AlertRouteConfig,
    SourceConfig,
    TopicConfig,
    WorkspaceConfig,
    WorkspaceConfigError,
    load_workspace_file,
    parse_workspace_toml,
)

__all__ = [
    "AlertRouteConfig",
    "Settings",
    "SourceConfig",
    "TopicConfig",
    "WorkspaceConfig",
    "WorkspaceConfigError",
    "get_settings",
    "load_workspace_file",
    "parse_workspace_toml",
]
