"""Kind "telegram": public Telegram channels read through their web preview
(`https://t.me/s/<channel>`), which needs no account, no bot and no API key.

The preview is an HTML page of the channel's newest ~20 messages; `?after=<id>` shows the
messages right after `id`, oldest first, so a channel is read forward from its checkpoint (the
last message id taken) one page at a time and nothing between two polls is skipped. A fetch
cut short by `limit` keeps the oldest messages and leaves the rest for the next call.

The preview is parsed with lxml and CSS selectors (`sources/telegram_page.py`). A page without
the channel's history (a private or unknown channel: Telegram redirects to `t.me/<channel>`)
or a page cut off before `</html>` is a problem for that channel, never "no new messages".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from flarewatch.mentions.post import Post
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import HttpOptions, split_posts, to_post
from flarewatch.sources.http import PoliteClient
from flarewatch.sources.telegram_page import ChannelPage, PageError, parse_channel_page

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

DEFAULT_ENDPOINT = "https://t.me"
# Pages read per channel and poll (~20 messages each); a busier channel continues next poll.
MAX_PAGES = 10
# Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter (a few
# old channels have 4).
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/(?:s/)?", re.I)


def channel_name(value: str) -> str:
    """A channel as written in the workspace ("@acme", "t.me/s/acme", "acme") → "acme"."""
    name = _LINK_PREFIX.sub("", value.strip()).lstrip("@").strip("/")
    if not _USERNAME.match(name):
        raise ValueError(
            f"{value!r} is not a public channel's username; give the name after t.me/, "
            'e.g. channels = ["durov"] (letters, digits and _, 4 to 32 characters)'
        )
    return name


class TelegramOptions(HttpOptions):
    channels: list[str] = Field(min_length=1)  # public channel usernames, e.g. ["acme_news"]

    @field_validator("channels")
    @classmethod
    def _channels(cls, values: list[str]) -> list[str]:
        names = [channel_name(value) for value in values]
        lowered = [name.lower() for name in names]
        duplicates = sorted({name for name in lowered if lowered.count(name) > 1})
        if duplicates:
            raise ValueError(f"channel {duplicates[0]!r} is listed twice; list each channel once")
        return names


@dataclass(slots=True)
class ChannelRead:
    last: int | None  # the last message id taken, None when none was
    items: list[Post | SourceProblem] = field(default_factory=list)
    more: bool = False  # more messages are ready right now
    error: str | None = None  # why the channel (or its next page) could not be read


class TelegramSource:
    kind = "telegram"
    Options = TelegramOptions
    default_every = "5m"

    def __init__(self, key: str, options: TelegramOptions, *, platform: str | None = None) -> None:
        self.key = key
        self.options = options
        self.endpoint = options.endpoint or DEFAULT_ENDPOINT
        self.platform = platform or "telegram"

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> TelegramSource:
        return cls(config.key, config.options(), platform=config.platform)

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        last_ids: dict[str, int] = {
            name: value
            for name, value in (checkpoint or {}).get("last_ids", {}).items()
            if isinstance(value, int)
        }
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        failed = 0
        exhausted = True
        now = now or datetime.now(UTC)
        with PoliteClient(self.key, deadline=deadline, clock=lambda: now) as client:
            for channel in self.options.channels:
                left = limit - len(posts)
                if left <= 0:
                    exhausted = False
                    break
                read = self._read_channel(client, channel, last_ids.get(channel.lower()), left)
                chunk, bad = split_posts(read.items)
                posts.extend(chunk)
                problems.extend(bad)
                if read.error is not None:
                    problems.append(SourceProblem(f"telegram channel {channel}", read.error))
                    failed += not read.items
                exhausted = exhausted and not read.more
                if read.last is not None:
                    last_ids[channel.lower()] = read.last
            quota = client.quota
        if failed == len(self.options.channels):
            raise SourceError(f"source {self.key!r}: " + "; ".join(p.message for p in problems))
        # Only the configured channels are kept: the checkpoint stays as small as the list.
        wanted = {channel.lower() for channel in self.options.channels}
        state = {"last_ids": {k: v for k, v in last_ids.items() if k in wanted}}
        return FetchResult(posts, state, problems, exhausted=exhausted, quota=quota)

    def _read_channel(
        self, client: PoliteClient, channel: str, last: int | None, limit: int
    ) -> ChannelRead:
        """The channel's messages after `last`, oldest first, at most `limit`."""
        read = ChannelRead(last=None)
        for _ in range(MAX_PAGES):
            try:
                page = self._page(client, channel, last)
            except PageError as err:
                # What was read before the bad page is kept, and the checkpoint moves to it.
                read.error = str(err)
                return read
            fresh = sorted(
                (m for m in page.messages if last is None or m.number > last),
                key=lambda m: m.number,
            )
            if not fresh:
                return read
            for message in fresh[:limit]:
                read.items.append(
                    to_post(
                        page.record(message),
                        source_key=self.key,
                        platform=self.platform,
                        where=f"telegram message {message.post_id}",
                    )
                )
                read.last = last = message.number
            read.items.extend(page.problems)
            limit -= min(limit, len(fresh))
            if limit == 0:
                read.more = True  # cut by `limit`: more may follow this message
                return read
        read.more = True  # the page budget is spent; the next poll continues
        return read

    def _page(self, client: PoliteClient, channel: str, after: int | None) -> ChannelPage:
        url = f"{self.endpoint}/s/{channel}"
        answer = client.get(url, params={"after": after} if after is not None else None)
        return parse_channel_page(answer.body, channel=channel, url=answer.url, base=self.endpoint)
