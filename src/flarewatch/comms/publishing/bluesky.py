"""Bluesky: `com.atproto.server.createSession` with the handle and an app password, then
`com.atproto.repo.createRecord` of an `app.bsky.feed.post` (docs.bsky.app). A reply carries
`reply.root` and `reply.parent` strong refs (uri + cid), read with `app.bsky.feed.getPosts`.

The record key is a TID made from the publication's own creation time and key, so a retry
after a crash writes the same record key: the PDS refuses a second record under it, and the
post already made is read back instead of a duplicate being written.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from flarewatch.comms.publishing.base import Http, PublishError, PublishResult, Target
from flarewatch.comms.publishing.channels import ChannelConfig

POST_COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(at: datetime, key: str) -> str:
    """A record key in the TID format: 53 bits of microseconds since 1970 and a 10-bit clock
    id (here from the idempotency key), base32-sortable, 13 characters."""
    micros = int(at.astimezone(UTC).timestamp() * 1_000_000)
    clock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") % 1024
    value = ((micros & ((1 << 53) - 1)) << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


class BlueskyPublisher:
    def __init__(self, channel: ChannelConfig, password: str, http: Http) -> None:
        self.channel = channel
        self.password = password
        self.http = http

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult:
        return self._create(text, None, key, at)

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult:
        return self._create(text, target, key, at)

    def _session(self) -> tuple[str, str, str]:
        data = self.http.call(
            "POST",
            "/xrpc/com.atproto.server.createSession",
            json_body={"identifier": self.channel.handle, "password": self.password},
        )
        if not isinstance(data, dict) or not data.get("accessJwt") or not data.get("did"):
            raise PublishError(
                "auth",
                f"channel {self.channel.key!r}: Bluesky answered the sign-in without a session",
            )
        return (
            str(data["accessJwt"]),
            str(data["did"]),
            str(data.get("handle") or self.channel.handle),
        )

    def _reply_refs(self, jwt: str, target: Target) -> dict[str, Any]:
        data = self.http.call(
            "GET",
            "/xrpc/app.bsky.feed.getPosts",
            headers={"Authorization": f"Bearer {jwt}"},
            params={"uris": target.external_id},
        )
        posts = data.get("posts") if isinstance(data, dict) else None
        if not posts:
            raise PublishError(
                "not_found",
                f"channel {self.channel.key!r}: the post answered ({target.external_id}) is not "
                "on Bluesky any more; it may have been deleted",
            )
        parent = {"uri": posts[0]["uri"], "cid": posts[0]["cid"]}
        root = ((posts[0].get("record") or {}).get("reply") or {}).get("root") or parent
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent}

    def _create(self, text: str, target: Target | None, key: str, at: datetime) -> PublishResult:
        jwt, did, handle = self._session()
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
        if target is not None:
            record["reply"] = self._reply_refs(jwt, target)
        rkey = tid(at, key)
        auth = {"Authorization": f"Bearer {jwt}"}
        try:
            data = self.http.call(
                "POST",
                "/xrpc/com.atproto.repo.createRecord",
                headers=auth,
                json_body={
                    "repo": did,
                    "collection": POST_COLLECTION,
                    "rkey": rkey,
                    "record": record,
                },
            )
        except PublishError as err:
            if err.kind in ("auth", "rate_limit", "too_long"):
                raise
            # The record key is this publication's own: if a record is under it, an earlier
            # attempt (or this one, before its answer was lost) made the post.
            data = self._existing(auth, did, rkey, err)
        uri = data.get("uri") if isinstance(data, dict) else None
        if not uri:
            raise PublishError(
                "server", f"channel {self.channel.key!r}: Bluesky answered without the post's uri"
            )
        return PublishResult(str(uri), post_url(handle, str(uri)))

    def _existing(self, auth: dict[str, str], did: str, rkey: str, err: PublishError) -> Any:
        try:
            return self.http.call(
                "GET",
                "/xrpc/com.atproto.repo.getRecord",
                headers=auth,
                params={"repo": did, "collection": POST_COLLECTION, "rkey": rkey},
            )
        except PublishError:
            raise err from None
