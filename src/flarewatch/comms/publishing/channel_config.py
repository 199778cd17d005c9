"""`[[channels]]` in the workspace file: the brand's own accounts that approved drafts are
published through (docs/communication-publishing.md). Plain pydantic, imported by
config/workspace_models.py; what uses a channel is in channels.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flarewatch.config.repeats import repeated

Platform = Literal["mastodon", "bluesky", "facebook", "instagram", "x"]
PLATFORMS: tuple[str, ...] = ("mastodon", "bluesky", "facebook", "instagram", "x")
GRAPH_URL = "https://graph.facebook.com/v21.0"
BLUESKY_PDS = "https://bsky.social"
X_API_URL = "https://api.x.com"

# What each platform needs besides `key` and `platform`: (field, what to write there).
REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    "mastodon": (
        ("instance", 'the instance\'s address, e.g. instance = "https://mastodon.social"'),
        ("token_env", 'the secret holding an access token with write:statuses, e.g. "MASTO_TOKEN"'),
    ),
    "bluesky": (
        ("handle", 'the account\'s handle, e.g. handle = "brand.bsky.social"'),
        ("password_env", 'the secret holding an app password, e.g. "BSKY_APP_PASSWORD"'),
    ),
    "facebook": (
        ("page_id", 'the page\'s numeric id, e.g. page_id = "104xxxxxxxxxx"'),
        ("token_env", 'the secret holding a page access token, e.g. "FB_PAGE_TOKEN"'),
    ),
    "instagram": (
        ("account_id", "the Instagram business account's id (from the Graph API)"),
        ("token_env", 'the secret holding an access token, e.g. "IG_TOKEN"'),
    ),
    "x": (
        ("account", 'the account\'s handle without @, e.g. account = "brand"'),
        ("token_env", 'the secret holding an OAuth 2.0 user token with tweet.write, "X_TOKEN"'),
    ),
}


class ChannelConfig(BaseModel):
    """`[[channels]]`: one account of the brand's that approved drafts are published through."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    platform: Platform
    name: str | None = Field(default=None, max_length=200, description="Shown name")
    instance: str | None = Field(default=None, description="Mastodon: the instance's address")
    handle: str | None = Field(default=None, description="Bluesky: the account's handle")
    pds: str | None = Field(default=None, description="Bluesky: the account's PDS address")
    page_id: str | None = Field(default=None, description="Facebook: the page's id")
    account_id: str | None = Field(default=None, description="Instagram: business account id")
    account: str | None = Field(default=None, description="X: the account's handle")
    token_env: str | None = Field(default=None, description="Secret holding the access token")
    password_env: str | None = Field(default=None, description="Bluesky: app password secret")
    api_url: str | None = Field(default=None, description="Another API address (a proxy, tests)")

    @model_validator(mode="after")
    def _platform_needs(self) -> ChannelConfig:
        missing = [
            f"'{name}' ({what})"
            for name, what in REQUIRED[self.platform]
            if not getattr(self, name)
        ]
        if missing:
            raise ValueError(f"a {self.platform} channel needs " + "; ".join(missing))
        for name in ("instance", "pds", "api_url"):
            value = getattr(self, name)
            if value and not value.startswith(("https://", "http://")):
                raise ValueError(f"{name} {value!r} is not a web address; write it as https://…")
        return self

    @property
    def label(self) -> str:
        return self.name or self.key

    @property
    def secret_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.token_env, self.password_env) if n)

    def base_url(self) -> str:
        """The API address requests go to."""
        if self.api_url:
            return self.api_url.rstrip("/")
        default = {
            "mastodon": self.instance or "",
            "bluesky": self.pds or BLUESKY_PDS,
            "facebook": GRAPH_URL,
            "instagram": GRAPH_URL,
            "x": X_API_URL,
        }[self.platform]
        return default.rstrip("/")


def channel_problems(
    data: dict[str, Any], problem: Callable[[tuple[Any, ...], str], Any]
) -> list[Any]:
    """Duplicate channel keys, on the raw data (the model reports wrong types)."""
    return repeated(data, "channels", problem, fix="give each channel its own key")
