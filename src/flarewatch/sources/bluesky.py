"""Kind "bluesky": posts from Bluesky, by full-text search or from the Jetstream firehose.

`mode = "search"` pages `app.bsky.feed.searchPosts` (newest first, `sort=latest`) back to the
checkpoint: the newest post time already taken plus the ids seen near it (the search index can
add a post a little out of order, so a short overlap is read again and deduplicated by id). A
batch cut by `limit` keeps the page cursor and the run's newest time, so the next fetch goes on
backwards from there before it moves the checkpoint forward: nothing between is skipped.

`mode = "jetstream"` (see `sources/jetstream.py`) reads every new public post from the Jetstream
websocket and keeps the ones one of the workspace's topics matches.

Where the AppView requires a login, `handle_env` and `app_password_env` name the variables
holding the account's handle and an app password; the session (accessJwt) is kept by the source
and refreshed when the platform says `ExpiredToken`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from flarewatch.mentions.post import Post
from flarewatch.query.analysis import normalize_language
from flarewatch.sources.base import CredentialError, FetchResult, SourceError, SourceProblem
from flarewatch.sources.connector import remember, to_post
from flarewatch.sources.http import Answer, PoliteClient, platform_message
from flarewatch.sources.options import KindOptions
from flarewatch.sources.secrets import require_secret

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.secrets import Secrets

PUBLIC_APPVIEW = "https://public.api.bsky.app"
# The entryway that logs an account in and proxies its AppView calls.
LOGIN_SERVICE = "https://bsky.social"
JETSTREAM = "wss://jetstream2.us-east.bsky.network"
PAGE_SIZE = 100
# Posts indexed this much before the checkpoint's newest are read again (ids dedup them).
OVERLAP = timedelta(minutes=2)
MAX_PAGES = 50
VIDEO_EMBED = "app.bsky.embed.video"
AUTH_HINT = (
    "set handle_env and app_password_env to variables holding the account's handle and an app "
    "password (Bluesky → Settings → Privacy and security → App passwords)"
)


def _check_stream_endpoint(value: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https", "ws", "wss") or not parts.hostname:
        raise ValueError(
            f"endpoint {value!r} is not a service address; give its base URL, e.g. "
            f'endpoint = "{PUBLIC_APPVIEW}" (search) or "{JETSTREAM}" (jetstream)'
        )
    return value.rstrip("/")


class BlueskyOptions(KindOptions):
    mode: Literal["search", "jetstream"] = Field(
        default="search",
        description="search: posts matching a query; jetstream: every new post, kept when a "
        "topic matches",
    )
    query: str | None = Field(
        default=None, description="Search mode: the searchPosts query (Lucene-like syntax)"
    )
    endpoint: str | None = None
    handle_env: str | None = Field(
        default=None, description="Variable holding the account's handle (optional login)"
    )
    app_password_env: str | None = Field(
        default=None, description="Variable holding an app password of that account"
    )
    language: str | None = Field(
        default=None, description="Search mode: only posts in this language, e.g. he"
    )
    quiet_seconds: float = Field(
        default=10.0, description="Jetstream: end a fetch after this long without an event"
    )
    max_seconds: float = Field(
        default=60.0, description="Jetstream: the longest one fetch reads the stream"
    )

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return _check_stream_endpoint(value) if value else None

    @model_validator(mode="after")
    def _mode_needs(self) -> BlueskyOptions:
        if self.mode == "search" and not (self.query or "").strip():
            raise ValueError(
                'mode = "search" needs query = "…" (what to search for, e.g. query = "acme")'
            )
        if bool(self.handle_env) != bool(self.app_password_env):
            raise ValueError(
                "give both handle_env and app_password_env (an app password logs in with "
                "the account's handle), or neither for anonymous access"
            )
        return self


def parse_time(value: Any) -> datetime | None:
    """An AT Protocol datetime ("2024-11-20T10:00:00.123Z"); None when missing or invalid."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def post_url(author: str, uri: str) -> str:
    return f"https://bsky.app/profile/{author}/post/{rkey_of(uri)}"


def quoted_uri(embed: Any) -> str | None:
    """The post an embed quotes: app.bsky.embed.record(#view) or recordWithMedia(#view)."""
    if not isinstance(embed, dict):
        return None
    kind = str(embed.get("$type") or "")
    inner = embed.get("record")
    if kind.startswith("app.bsky.embed.recordWithMedia") and isinstance(inner, dict):
        inner = inner.get("record")
    if isinstance(inner, dict):
        uri = inner.get("uri")
        if isinstance(uri, str) and "/app.bsky.feed.post/" in uri:
            return uri
    return None


def embed_links(record: dict[str, Any]) -> list[str]:
    """External links: link cards (app.bsky.embed.external) and link facets."""
    links: list[str] = []
    embed = record.get("embed")
    if isinstance(embed, dict):
        media = embed.get("media") if isinstance(embed.get("media"), dict) else embed
        external = media.get("external") if isinstance(media, dict) else None
        if isinstance(external, dict) and isinstance(external.get("uri"), str):
            links.append(external["uri"])
    for facet in record.get("facets") or []:
        for feature in (facet or {}).get("features") or [] if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and isinstance(feature.get("uri"), str):
                links.append(feature["uri"])
    return list(dict.fromkeys(links))


def media_text(embed: Any) -> str | None:
    """What an image-only or link-only post says: its images' alt texts or its link card (the
    search index matches on them, so they stand for the missing text)."""
    if not isinstance(embed, dict):
        return None
    media = embed.get("media") if isinstance(embed.get("media"), dict) else embed
    parts: list[str] = []
    for image in media.get("images") or [] if isinstance(media, dict) else []:
        if isinstance(image, dict) and isinstance(image.get("alt"), str):
            parts.append(image["alt"])
    if isinstance(media, dict) and str(media.get("$type") or "").startswith(VIDEO_EMBED):
        parts.append(media.get("alt") or "")  # a video's alt text sits on the embed itself
    external = media.get("external") if isinstance(media, dict) else None
    if isinstance(external, dict):
        parts += [v for v in (external.get("title"), external.get("description")) if v]
    text = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return text or None


def language_of(langs: Any) -> str | None:
    """The post's first language as an ISO 639-1 code: `langs` holds BCP-47 tags ("en-US",
    "zh-Hant-TW"), and a post's language is stored as the primary subtag."""
    if not isinstance(langs, list):
        return None
    for tag in langs:
        code = normalize_language(tag) if isinstance(tag, str) else None
        if code and code.isalpha() and 2 <= len(code) <= 3:
            return code
    return None


def post_text(record: dict[str, Any]) -> str:
    """What a post says: its text, or for an image-, video- or link-only post the media's alt
    texts and link card (the search index matches on them too)."""
    text = record.get("text")
    return (text if isinstance(text, str) else "") or media_text(record.get("embed")) or ""


def record_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The ingest fields an app.bsky.feed.post record gives (search and Jetstream alike).

    createdAt is the client's claim: one that does not parse is kept as `record_created_at`
    and the post is dated by the platform instead (indexedAt, or the event's time)."""
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    created = record.get("createdAt")
    readable = parse_time(created) is not None
    return {
        "text": post_text(record),
        "created_at": created if readable else None,
        "record_created_at": None if readable else created,
        "language": language_of(record.get("langs")),
        "reply_to": parent.get("uri") if isinstance(parent, dict) else None,
        "repost_of": quoted_uri(record.get("embed")),
        "links": embed_links(record) or None,
    }


def post_view_to_post(view: Any, *, source_key: str, platform: str, where: str) -> Post | Any:
    """A searchPosts postView as a post, or the SourceProblem that skips it."""
    if not isinstance(view, dict):
        return SourceProblem(where, "an item is not a post object; skipped, the rest are kept")
    uri = view.get("uri")
    record = view.get("record")
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    if not isinstance(uri, str) or not uri.startswith("at://") or not isinstance(record, dict):
        return SourceProblem(
            where, "an item has no at:// uri or no record; skipped, the rest are kept"
        )
    handle = author.get("handle")
    if not handle or handle == "handle.invalid":  # a broken handle: the DID still resolves
        handle = author.get("did")
    fields = record_fields(record)
    fields["repost_of"] = fields["repost_of"] or quoted_uri(view.get("embed"))
    fields.update(
        id=uri,
        author=handle,
        author_name=author.get("displayName") or None,
        author_followers=author.get("followersCount"),
        author_created_at=author.get("createdAt") if parse_time(author.get("createdAt")) else None,
        url=post_url(handle or uri.split("/")[2], uri),
        likes=view.get("likeCount"),
        shares=(view.get("repostCount") or 0) + (view.get("quoteCount") or 0),
        replies=view.get("replyCount"),
        did=author.get("did"),
        cid=view.get("cid"),
        indexed_at=view.get("indexedAt"),
    )
    if not fields.get("created_at"):
        fields["created_at"] = view.get("indexedAt")
    return to_post(fields, source_key=source_key, platform=platform, where=where)


def sort_time(view: dict[str, Any]) -> datetime | None:
    """What searchPosts orders by: the earlier of the record's createdAt and indexedAt."""
    record = view.get("record") if isinstance(view.get("record"), dict) else {}
    times = (parse_time(record.get("createdAt")), parse_time(view.get("indexedAt")))
    known = [t for t in times if t is not None]
    return min(known) if known else None


class BlueskySource:
    kind = "bluesky"
    Options = BlueskyOptions
    default_every = "2m"
    uses_topics = True  # jetstream mode keeps only what the workspace's topics match

    def __init__(
        self,
        key: str,
        query: str,
        *,
        endpoint: str | None = None,
        handle: str | None = None,
        app_password: str | None = None,
        language: str | None = None,
        platform: str | None = None,
        password_variable: str | None = None,
    ) -> None:
        self.key = key
        self.query = query
        self.handle = handle
        self.app_password = app_password
        self.endpoint = endpoint or (LOGIN_SERVICE if handle else PUBLIC_APPVIEW)
        self.language = language
        self.platform = platform or "bluesky"
        self.password_variable = password_variable or "app_password_env"
        self._session: dict[str, str] | None = None  # accessJwt/refreshJwt, kept between polls

    @classmethod
    def from_config(
        cls,
        config: SourceConfig,
        base_dir: Path,
        secrets: Secrets,
        *,
        topics: Collection[str] | None = None,
    ) -> Any:
        options: BlueskyOptions = config.options()
        if options.mode == "jetstream":
            from flarewatch.sources.jetstream import JetstreamSource

            return JetstreamSource.from_options(config, options, topics or ())
        handle = password = None
        if options.handle_env:
            handle = require_secret(secrets, config.key, "handle_env", options.handle_env)
            password = require_secret(
                secrets, config.key, "app_password_env", options.app_password_env
            )
        return cls(
            config.key,
            options.query or "",
            endpoint=options.endpoint,
            handle=handle,
            app_password=password,
            language=options.language,
            platform=config.platform,
            password_variable=options.app_password_env,
        )

    # -- the session ----------------------------------------------------------------------

    def _xrpc(self, method: str) -> str:
        return f"{self.endpoint}/xrpc/{method}"

    def _login(self, client: PoliteClient) -> None:
        answer = client.request(
            "POST",
            self._xrpc("com.atproto.server.createSession"),
            json_body={"identifier": self.handle, "password": self.app_password},
            ok=(400, 401),
        )
        if answer.status >= 400:
            raise self._credential_error(answer, "logging in was refused")
        data = client.parse_json(answer)
        if not isinstance(data, dict) or not isinstance(data.get("accessJwt"), str):
            raise SourceError(f"source {self.key!r}: createSession answered without accessJwt")
        self._session = {"access": data["accessJwt"], "refresh": str(data.get("refreshJwt", ""))}

    def _refresh(self, client: PoliteClient) -> bool:
        if not self._session or not self._session.get("refresh"):
            return False
        answer = client.request(
            "POST",
            self._xrpc("com.atproto.server.refreshSession"),
            headers={"Authorization": f"Bearer {self._session['refresh']}"},
            ok=(400, 401),
        )
        if answer.status >= 400:
            self._session = None
            return False
        data = client.parse_json(answer)
        if not isinstance(data, dict) or not isinstance(data.get("accessJwt"), str):
            self._session = None
            return False
        self._session = {"access": data["accessJwt"], "refresh": str(data.get("refreshJwt", ""))}
        return True

    def _credential_error(self, answer: Answer, what: str) -> CredentialError:
        said = platform_message(answer.body)
        if self.handle:
            fix = (
                f"check the handle and the app password in {self.password_variable}, or create "
                "a new app password (Bluesky → Settings → Privacy and security → App passwords)"
            )
        else:
            fix = f"this service needs a login: {AUTH_HINT}"
        return CredentialError(
            f"source {self.key!r}: {self.endpoint}: {what} (HTTP {answer.status}: {said}); {fix}"
        )

    def _search_page(self, client: PoliteClient, params: dict[str, Any]) -> Any:
        url = self._xrpc("app.bsky.feed.searchPosts")
        if self.handle and self._session is None:
            self._login(client)
        for attempt in range(3):
            headers = {"Accept": "application/json"}
            if self._session:
                headers["Authorization"] = f"Bearer {self._session['access']}"
            answer = client.get(url, params=params, headers=headers, ok=(400, 401))
            if answer.status < 400:
                return client.parse_json(answer)
            said = platform_message(answer.body)
            expired = (
                answer.status == 401 or "ExpiredToken" in said or b"ExpiredToken" in (answer.body)
            )
            if not expired:
                raise SourceError(
                    f"source {self.key!r}: {url}: HTTP {answer.status} ({said}); check the "
                    "query (searchPosts syntax) and the endpoint"
                )
            if not self.handle or attempt == 2:
                raise self._credential_error(answer, "the token was refused or has expired")
            if not self._refresh(client):
                self._login(client)
        raise AssertionError("unreachable")

    # -- fetch ----------------------------------------------------------------------------

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        now = now or datetime.now(UTC)
        state = dict(checkpoint or {})
        if state.get("query") != self.query:
            state = {"query": self.query}
        newest = parse_time(state.get("newest"))
        seen: list[str] = list(state.get("seen", []))
        known = set(seen)
        backfill = state.get("backfill") or {}
        cursor = backfill.get("cursor")
        run_newest = parse_time(backfill.get("newest"))
        stop_at = newest - OVERLAP if newest else None
        posts: list[Post] = []
        problems: list[SourceProblem] = []
        taken: list[str] = []
        reached_end = False
        with PoliteClient(
            self.key, deadline=deadline, auth_hint=AUTH_HINT, clock=lambda: now
        ) as client:
            for _ in range(MAX_PAGES):
                params: dict[str, Any] = {"q": self.query, "sort": "latest", "limit": PAGE_SIZE}
                if cursor:
                    params["cursor"] = cursor
                if stop_at:
                    params["since"] = (
                        stop_at.astimezone(UTC)
                        .isoformat(timespec="milliseconds")
                        .replace("+00:00", "Z")
                    )
                if self.language:
                    params["lang"] = self.language
                data = self._search_page(client, params)
                if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
                    raise SourceError(
                        f"source {self.key!r}: searchPosts answered without a posts list; "
                        "check that the endpoint is a Bluesky AppView"
                    )
                for index, view in enumerate(data["posts"]):
                    where = f"searchPosts page {cursor or 'first'} item {index}"
                    when = sort_time(view) if isinstance(view, dict) else None
                    if when is not None:
                        run_newest = max(run_newest, when) if run_newest else when
                    if when is not None and stop_at is not None and when < stop_at:
                        reached_end = True
                        break
                    uri = view.get("uri") if isinstance(view, dict) else None
                    if isinstance(uri, str) and (uri in known or uri in taken):
                        continue
                    item = post_view_to_post(
                        view, source_key=self.key, platform=self.platform, where=where
                    )
                    if isinstance(item, Post):
                        posts.append(item)
                        taken.append(item.external_id)
                    else:
                        problems.append(item)
                cursor = data.get("cursor")
                if reached_end or not cursor or not data["posts"]:
                    reached_end = True
                    break
                if len(posts) >= limit:
                    break
            quota = client.quota
        seen = remember(seen, taken)
        if reached_end:
            state["newest"] = (run_newest or newest or now).isoformat()
            state.pop("backfill", None)
        else:  # cut short: go on backwards from this cursor next time, then move forward
            state["backfill"] = {
                "cursor": cursor,
                "newest": (run_newest or now).isoformat(),
            }
        state["seen"] = seen
        return FetchResult(
            posts=posts,
            checkpoint=state,
            problems=problems,
            exhausted=reached_end,
            quota=quota,
        )
