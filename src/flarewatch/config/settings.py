"""Process-wide settings, read from `FLAREWATCH_*` environment variables."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flarewatch.config.log_level import DEFAULT_LOG_LEVEL

# One mebibyte: a case note or a form is far smaller; anything larger is refused with 413.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Webhook bodies carry whole batches of posts (10,000 posts are a few MiB): their own limit.
DEFAULT_MAX_HOOK_BYTES = 64 * 1024 * 1024


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
    # The address people open the web app at (https://flarewatch.agency.example), for links
    # in notifications such as the signed acknowledgement link; default http://HOST:PORT.
    public_url: str | None = None
    poll_interval_seconds: float = 60.0
    log_level: str = DEFAULT_LOG_LEVEL  # the CLI reads it early through log_level.py
    # The largest request body the web server reads (JSON and forms alike); larger ones get 413.
    max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, ge=1024)
    # The largest body POST /hooks/{workspace}/{key} reads; larger ones get 413.
    max_hook_bytes: int = Field(DEFAULT_MAX_HOOK_BYTES, ge=1024)
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed (addresses or
    # CIDR networks, comma-separated). Empty: nobody's, so a client cannot pick its own address.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"FLAREWATCH_TRUSTED_PROXIES: {entry!r} is not an IP address or network;"
                    " list addresses or CIDRs separated by commas, e.g. 127.0.0.1,10.0.0.0/8"
                ) from None
        return value

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
