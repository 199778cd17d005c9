"""X: API v2 `POST /2/tweets` (docs.x.com, "Manage Posts") with a user-context OAuth 2.0
token holding `tweet.write`; a reply sets `reply.in_reply_to_tweet_id`. X has no idempotency
key: a post whose send was interrupted is not sent again blindly (sender.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flarewatch.comms.publishing.base import Http, PublishError, PublishResult, Target
from flarewatch.comms.publishing.channels import ChannelConfig


class XPublisher:
    def __init__(self, channel: ChannelConfig, token: str, http: Http) -> None:
        self.channel = channel
        self.token = token
        self.http = http

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult:
        return self._tweet({"text": text})

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult:
        return self._tweet({"text": text, "reply": {"in_reply_to_tweet_id": target.external_id}})

    def _tweet(self, body: dict[str, Any]) -> PublishResult:
        data = self.http.call(
            "POST",
            "/2/tweets",
            headers={"Authorization": f"Bearer {self.token}"},
            json_body=body,
        )
        tweet = data.get("data") if isinstance(data, dict) else None
        remote = tweet.get("id") if isinstance(tweet, dict) else None
        if not remote:
            raise PublishError(
                "server", f"channel {self.channel.key!r}: X answered without a post id"
            )
        return PublishResult(str(remote), f"https://x.com/{self.channel.account}/status/{remote}")
