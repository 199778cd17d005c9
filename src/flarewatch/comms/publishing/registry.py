"""The platforms Flarewatch publishes on: name → "module:Class", imported when used, and the
secret each publisher is built with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from importlib import import_module

import httpx

from flarewatch.comms.publishing.base import Http, Publisher, PublishError
from flarewatch.comms.publishing.channels import ChannelConfig
from flarewatch.sources.secrets import Secrets

PUBLISHERS: dict[str, str] = {
    "mastodon": "flarewatch.comms.publishing.mastodon:MastodonPublisher",
    "bluesky": "flarewatch.comms.publishing.bluesky:BlueskyPublisher",
    "facebook": "flarewatch.comms.publishing.graph:FacebookPublisher",
    "instagram": "flarewatch.comms.publishing.graph:InstagramPublisher",
    "x": "flarewatch.comms.publishing.x:XPublisher",
}


def publisher_class(platform: str) -> type:
    try:
        target = PUBLISHERS[platform]
    except KeyError:
        raise PublishError(
            "unsupported",
            f"Flarewatch cannot publish on {platform}; use one of {', '.join(PUBLISHERS)}",
        ) from None
    module, name = target.split(":")
    return getattr(import_module(module), name)  # type: ignore[no-any-return]


def channel_secret(channel: ChannelConfig, secrets: Secrets) -> str:
    """The channel's token (or Bluesky app password), or an `auth` error naming the secret."""
    name = channel.password_env if channel.platform == "bluesky" else channel.token_env
    value = secrets.get(name) if name else None
    if value is None:
        option = "password_env" if channel.platform == "bluesky" else "token_env"
        raise PublishError(
            "auth",
            f"channel {channel.key!r}: the secret {name} (named by '{option}') is not set; "
            f"export {name}=… where Flarewatch runs, or store it under that name in the "
            "workspace settings → Credentials",
        )
    return value


def build_publisher(
    channel: ChannelConfig,
    secrets: Secrets,
    *,
    clock: Callable[[], datetime] | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Publisher:
    http = Http(channel.base_url(), channel.key, channel.platform, clock, transport)
    cls = publisher_class(channel.platform)
    return cls(channel, channel_secret(channel, secrets), http)  # type: ignore[no-any-return]
