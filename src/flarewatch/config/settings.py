"""Process-wide settings, read from `FLAREWATCH_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("flarewatch", appauthor=False))


class Settings(BaseSettings):
    """Everything an operator may set without editing a file.

    `database_url` wins over `data_dir`: without it, Flarewatch keeps a SQLite database
    (WAL mode) at `<data_dir>/flarewatch.db`.
    """

    model_config = SettingsConfigDict(env_prefix="FLAREWATCH_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    workspaces_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = None
    poll_interval_seconds: float = 60.0
    log_level: str = "INFO"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'flarewatch.db'}"

    @property
    def resolved_workspaces_dir(self) -> Path:
        return self.workspaces_dir or self.data_dir / "workspaces"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
