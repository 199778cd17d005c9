"""Configuration: process settings from the environment and one TOML workspace file per brand.

The names below are imported on first use (PEP 562), so reading the settings (every command
does, for its log level) does not also build the workspace file's models.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "Settings": "flarewatch.config.settings",
    "get_settings": "flarewatch.config.settings",
    "AlertRouteConfig": "flarewatch.config.workspace",
    "SourceConfig": "flarewatch.config.workspace",
    "TopicConfig": "flarewatch.config.workspace",
    "WorkspaceConfig": "flarewatch.config.workspace",
    "WorkspaceConfigError": "flarewatch.config.workspace",
    "load_workspace_file": "flarewatch.config.workspace",
    "parse_workspace_toml": "flarewatch.config.workspace",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'flarewatch.config' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
