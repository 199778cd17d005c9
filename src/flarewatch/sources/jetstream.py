"""Bluesky's Jetstream firehose (`bluesky` kind, `mode = "jetstream"`): every new public post,
kept only when one of the workspace's topics matches it.

Jetstream sends one JSON event per websocket message:

    {"did": "did:plc:…", "time_us": 1725911162329308, "kind": "commit",
     "commit": {"rev": "…", "operation": "create", "collection": "app.bsky.feed.post",
                "rkey": "3l3qo2vutsw2b", "record": {"$type": "app.bsky.feed.post", …},
                "cid": "bafy…"}}

`kind` is also "identity" or "account" (ignored), and `operation` also "update" or "delete"
(ignored: a deleted post stays stored, criticism is never deleted for its author). One fetch
reads until `limit` matching posts, the deadline, `max_seconds` or `quiet_seconds` without an
event, and returns the checkpoint {"cursor": time_us of the last event processed}. The next
fetch subscribes with that cursor; Jetstream replays from that time, so the last event may come
again and is deduplicated by its id (the at:// uri).

Matching uses the query package's `Matcher` (the pipeline's own matcher, with the same query
strings), in batches so that its per-batch work is paid once per few hundred events.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

from flarewatch.mentions.post import Post
from flarewatch.query import Matcher, QuerySyntaxError
from flarewatch.sources.base import FetchResult, SourceError, SourceProblem
from flarewatch.sources.bluesky import (
    JETSTREAM,
    language_of,
    post_text,
    post_url,
    record_fields,
)
from flarewatch.sources.connector import to_post

if TYPE_CHECKING:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.bluesky import BlueskyOptions

POST_COLLECTION = "app.bsky.feed.post"
MATCH_BATCH = 256
# A slow stream is matched at least this often, so that `limit` and the cursor keep up.
MATCH_EVERY_SECONDS = 0.25
# A fetch ends this long before the runner's deadline, so its batch is stored in time.
DEADLINE_MARGIN = 3.0
# A full batch is "not exhausted" (fetch again at once) only while this far behind live.
CATCHING_UP_US = 60_000_000
OPEN_TIMEOUT = 15.0
MAX_MESSAGE_BYTES = 2 * 1024 * 1024


def build_topic_matcher(topics: Collection[str], source_key: str) -> Matcher:
    matcher = Matcher()
    for index, query in enumerate(topics):
        try:
            matcher.add(index, query)
        except QuerySyntaxError as err:
            raise SourceError(
                f"source {source_key!r}: topic query {query!r} does not parse ({err}); "
                "fix the topic"
            ) from None
    return matcher


def _ws_address(endpoint: str) -> str:
    if endpoint.startswith("https://"):
        return "wss://" + endpoint[len("https://") :]
    if endpoint.startswith("http://"):
        return "ws://" + endpoint[len("http://") :]
    return endpoint


class _Candidate:
    """A create event whose text the matcher looks at; mapped fully only when it matches."""

    __slots__ = ("event", "probe", "where")

    def __init__(self, event: dict[str, Any], probe: Post, where: str) -> None:
        self.event = event
        self.probe = probe
        self.where = where


class JetstreamSource:
    kind = "bluesky"

    def __init__(
        self,
        key: str,
        topics: Collection[str],
        *,
        endpoint: str | None = None,
        platform: str | None = None,
        quiet_seconds: float = 10.0,
        max_seconds: float = 60.0,
    ) -> None:
        self.key = key
        self.topics = list(topics)
        self.endpoint = _ws_address(endpoint or JETSTREAM)
        self.platform = platform or "bluesky"
        self.quiet_seconds = quiet_seconds
        self.max_seconds = max_seconds
        self.matcher = build_topic_matcher(self.topics, key)

    @classmethod
    def from_options(
        cls, config: SourceConfig, options: BlueskyOptions, topics: Collection[str]
    ) -> JetstreamSource:
        return cls(
            config.key,
            topics,
            endpoint=options.endpoint,
            platform=config.platform,
            quiet_seconds=options.quiet_seconds,
            max_seconds=options.max_seconds,
        )

    def address(self, cursor: int | None) -> str:
        params: dict[str, Any] = {"wantedCollections": POST_COLLECTION}
        if cursor is not None:
            params["cursor"] = cursor
        path = "" if self.endpoint.endswith("/subscribe") else "/subscribe"
        return f"{self.endpoint}{path}?{urlencode(params)}"

    def fetch(
        self,
        checkpoint: dict[str, Any] | None,
        *,
        limit: int = 1000,
        now: datetime | None = None,
        deadline: float | None = None,
    ) -> FetchResult:
        if not self.topics:
            raise SourceError(
                f"source {self.key!r}: jetstream mode keeps only posts that one of the "
                "workspace's topics matches, and the workspace has no active topic; add a "
                'topic, or use mode = "search" with a query'
            )
        cursor = (checkpoint or {}).get("cursor")
        cursor = int(cursor) if isinstance(cursor, int | float | str) and str(cursor) else None
        end = time.monotonic() + self.max_seconds
        if deadline is not None:
            end = min(end, deadline - DEADLINE_MARGIN)
        reader = _StreamRead(self, limit)
        try:
            with connect(
                self.address(cursor),
                open_timeout=max(1.0, min(OPEN_TIMEOUT, end - time.monotonic())),
                close_timeout=1.0,
                max_size=MAX_MESSAGE_BYTES,
                compression=None,
            ) as socket:
                reader.read(socket, end)
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as err:
            if reader.events == 0:
                raise SourceError(
                    f"source {self.key!r}: cannot read Jetstream at {self.endpoint} ({err}); "
                    "check the endpoint and the network; retried at the next poll"
                ) from None
            reader.problems.append(
                SourceProblem(self.endpoint, f"the stream broke off ({err}); resumed next poll")
            )
        reader.flush()
        last = reader.last_time_us if reader.last_time_us is not None else cursor
        behind = last is not None and (time.time() * 1e6 - last) > CATCHING_UP_US
        return FetchResult(
            posts=reader.posts,
            checkpoint={"cursor": last} if last is not None else {},
            problems=reader.problems,
            exhausted=not (reader.full and behind),
        )


class _StreamRead:
    """One fetch's pass over the stream."""

    def __init__(self, source: JetstreamSource, limit: int) -> None:
        self.source = source
        self.limit = limit
        self.posts: list[Post] = []
        self.problems: list[SourceProblem] = []
        self.pending: list[_Candidate] = []
        self.events = 0
        self.last_time_us: int | None = None
        self.pending_time_us: int | None = None
        self.pending_since = 0.0
        self.full = False

    def read(self, socket: Any, end: float) -> None:
        quiet = self.source.quiet_seconds
        while not self.full:
            left = end - time.monotonic()
            if left <= 0:
                return
            try:
                message = socket.recv(timeout=min(quiet, left))
            except TimeoutError:
                return  # quiet period (or the deadline): what came is returned
            except ConnectionClosed:
                return
            self.events += 1
            self.take(message)

    def take(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
        except ValueError as err:
            self._problem(f"Jetstream event {self.events}", f"not JSON ({err})")
            return
        if not isinstance(event, dict):
            self._problem(f"Jetstream event {self.events}", "not a JSON object")
            return
        time_us = event.get("time_us")
        if not isinstance(time_us, int):
            self._problem(f"Jetstream event {self.events}", "has no integer time_us")
            return
        self.pending_time_us = time_us
        commit = event.get("commit")
        if (
            event.get("kind") != "commit"
            or not isinstance(commit, dict)
            or commit.get("operation") != "create"
            or commit.get("collection") != POST_COLLECTION
        ):
            self._advance()
            return
        where = f"Jetstream {event.get('did')}/{commit.get('rkey')} at time_us {time_us}"
        record = commit.get("record")
        if not isinstance(record, dict) or not isinstance(commit.get("rkey"), str):
            self._problem(where, "a post create without a record or rkey")
            return
        if not isinstance(record.get("text"), str):
            self._problem(where, "a post record without text")
            return
        # The matcher sees what the post will say: for an image-only post, its alt texts.
        probe = Post(
            external_id="", text=post_text(record), language=language_of(record.get("langs"))
        )
        if not self.pending:
            self.pending_since = time.monotonic()
        self.pending.append(_Candidate(event, probe, where))
        if (
            len(self.pending) >= MATCH_BATCH
            or time.monotonic() - self.pending_since > MATCH_EVERY_SECONDS
        ):
            self.flush()

    def _problem(self, where: str, what: str) -> None:
        self.problems.append(SourceProblem(where, f"{what}; this event is skipped"))
        self._advance()

    def _advance(self) -> None:
        # Events before any pending candidate are done; otherwise the cursor moves at flush.
        if not self.pending:
            self.last_time_us = self.pending_time_us

    def flush(self) -> None:
        if not self.pending:
            return  # events without a candidate moved the cursor as they came
        done_until = self.pending_time_us
        matched = self.source.matcher.match_batch([c.probe for c in self.pending])
        for candidate, keys in zip(self.pending, matched, strict=True):
            if not keys:
                continue
            self._keep(candidate)
            if len(self.posts) >= self.limit:
                # The rest of this batch is read again next time, from this event on.
                done_until = candidate.event["time_us"]
                break
        self.pending = []
        self.last_time_us = done_until
        self.full = len(self.posts) >= self.limit

    def _keep(self, candidate: _Candidate) -> None:
        event = candidate.event
        commit = event["commit"]
        did = event.get("did")
        if not isinstance(did, str) or not did.startswith("did:"):
            self.problems.append(SourceProblem(candidate.where, "no did; this event is skipped"))
            return
        uri = f"at://{did}/{POST_COLLECTION}/{commit['rkey']}"
        fields = record_fields(commit["record"])
        fields.update(
            id=uri,
            author=did,
            url=post_url(did, uri),
            did=did,
            cid=commit.get("cid"),
            rev=commit.get("rev"),
            time_us=event["time_us"],
        )
        if not fields.get("created_at"):
            fields["created_at"] = datetime.fromtimestamp(event["time_us"] / 1e6, UTC).isoformat()
        item = to_post(
            fields, source_key=self.source.key, platform=self.source.platform, where=candidate.where
        )
        (self.posts if isinstance(item, Post) else self.problems).append(item)  # type: ignore[arg-type]
