"""The source kinds: a name, the module that implements it and one line on what it reads.

Nothing here imports a kind until a source of that kind is built or its options are checked,
so importing the registry is cheap and `base.py` never imports it. A new connector is one
module with a class that has `kind`, `Options`, `default_every` and `from_config`, plus one
line here.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from flarewatch.sources.base import Source, SourceError

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets
    from flarewatch.sources.webhook import Inbox


class SourceKind(Protocol):
    """What a kind's class offers the registry."""

    kind: str
    Options: type[BaseModel]
    default_every: str  # e.g. "2m"; "0" for every cycle

    @classmethod
    def from_config(cls, config: SourceConfig, base_dir: Path, secrets: Secrets) -> Source: ...


@dataclass(frozen=True, slots=True)
class KindEntry:
    kind: str
    target: str  # "module:Class"
    reads: str  # one line for `flarewatch sources list`


KINDS: dict[str, KindEntry] = {
    entry.kind: entry
    for entry in (
        KindEntry(
            "bluesky",
            "flarewatch.sources.bluesky:BlueskySource",
            "Bluesky posts: searchPosts by query, or the Jetstream firehose matched to topics",
        ),
        KindEntry(
            "discourse",
            "flarewatch.sources.discourse:DiscourseSource",
            "a Discourse forum: latest posts, a search or categories (JSON API, key if private)",
        ),
        KindEntry(
            "facebook",
            "flarewatch.sources.facebook:FacebookSource",
            "a Facebook Page you manage: its posts and all comments (Graph API, Page token)",
        ),
        KindEntry(
            "file",
            "flarewatch.sources.file:FileSource",
            "a JSONL or CSV file (or .gz) in the ingest format, read from where it stopped",
        ),
        KindEntry(
            "hackernews",
            "flarewatch.sources.hackernews:HackerNewsSource",
            "Hacker News stories and comments matching a query (Algolia HN Search API)",
        ),
        KindEntry(
            "instagram",
            "flarewatch.sources.instagram:InstagramSource",
            "an Instagram professional account: its media, comments and posts tagging it",
        ),
        KindEntry(
            "mastodon",
            "flarewatch.sources.mastodon:MastodonSource",
            "Mastodon statuses: hashtag timelines, watched accounts and full-text search",
        ),
        KindEntry(
            "reddit",
            "flarewatch.sources.reddit:RedditSource",
            "Reddit posts and comments: search, and subreddits' new posts and comments (OAuth API)",
        ),
        KindEntry(
            "rss",
            "flarewatch.sources.rss:RssSource",
            "an RSS 2.0, Atom or Google Alerts feed",
        ),
        KindEntry(
            "scenario",
            "flarewatch.sources.scenario:ScenarioSource",
            "a scripted crisis replayed in real or accelerated time (drills, demos)",
        ),
        KindEntry(
            "telegram",
            "flarewatch.sources.telegram:TelegramSource",
            "public Telegram channels through their t.me/s web preview (no account needed)",
        ),
        KindEntry(
            "webhook",
            "flarewatch.sources.webhook:WebhookSource",
            "posts pushed to POST /hooks/{workspace}/{key}: signed JSON, arrays or JSONL",
        ),
        KindEntry(
            "web",
            "flarewatch.sources.web:WebSource",
            "web pages and forums: article text, or items picked by CSS selectors",
        ),
        KindEntry(
            "x",
            "flarewatch.sources.x:XSource",
            "posts on X matching a query (API v2 recent search, last 7 days, bearer token)",
        ),
        KindEntry(
            "youtube",
            "flarewatch.sources.youtube:YouTubeSource",
            "YouTube: new videos matching a query, comments of listed videos and channels",
        ),
    )
}


def source_kinds() -> list[str]:
    return sorted(KINDS)


def kind_class(kind: str) -> type[SourceKind]:
    """The class of `kind`, imported on first use."""
    try:
        entry = KINDS[kind]
    except KeyError:
        raise SourceError(
            f"unknown source kind {kind!r}; use one of: {', '.join(source_kinds())} "
            "(see docs/sources.md)"
        ) from None
    module_name, _, class_name = entry.target.partition(":")
    cls: type[SourceKind] = getattr(importlib.import_module(module_name), class_name)
    return cls


def options_model(kind: str) -> type[BaseModel]:
    return kind_class(kind).Options


def default_every(kind: str) -> str:
    return kind_class(kind).default_every


def uses_topics(kind: str) -> bool:
    """Whether the kind filters by the workspace's topics (a firehose), so that its source
    must be rebuilt when they change."""
    return bool(getattr(kind_class(kind), "uses_topics", False))


def reads_inbox(kind: str) -> bool:
    """Whether the kind reads what the web app stored for it (the webhook inbox), so that its
    source needs the database and its row's id."""
    return bool(getattr(kind_class(kind), "reads_inbox", False))


def build_source(
    config: SourceConfig,
    base_dir: Path,
    secrets: Secrets | None = None,
    *,
    topics: Collection[str] | None = None,
    inbox: Inbox | None = None,
) -> Source:
    """Build the configured source; relative paths are read against the workspace file's folder.

    `secrets` resolves the variables that `*_env` keys name (the environment, then the
    workspace's stored credentials); by default only the environment. `topics` are the
    workspace's active topic queries, given to kinds that keep only what they match
    (`uses_topics`, e.g. Bluesky's Jetstream). `inbox` is the database and source row that a
    kind which `reads_inbox` (webhook) reads its stored deliveries from.
    """
    from flarewatch.sources.secrets import EnvironmentSecrets

    cls = kind_class(config.kind)
    secrets = secrets or EnvironmentSecrets()
    if getattr(cls, "uses_topics", False):
        return cls.from_config(config, base_dir, secrets, topics=list(topics or ()))  # type: ignore[call-arg]
    if getattr(cls, "reads_inbox", False):
        return cls.from_config(config, base_dir, secrets, inbox=inbox)  # type: ignore[call-arg]
    return cls.from_config(config, base_dir, secrets)


def describe_kinds() -> list[tuple[str, str]]:
    """(kind, what it reads) for every kind, sorted by kind."""
    return [(kind, KINDS[kind].reads) for kind in source_kinds()]


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON schema of a kind's own keys (the web settings build their form from it)."""
    return options_model(kind).model_json_schema()
