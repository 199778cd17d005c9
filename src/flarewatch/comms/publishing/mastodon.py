"""Mastodon: `POST /api/v1/statuses` (docs.joinmastodon.org/methods/statuses/#create), with
`in_reply_to_id` for a reply and the `Idempotency-Key` header, which the server honours for an
hour: a retry after a crash returns the status already made instead of a second one."""

from __future__ import annotations

from datetime import datetime

from flarewatch.comms.publishing.base import Http, PublishError, PublishResult, Target
from flarewatch.comms.publishing.channels import ChannelConfig


class MastodonPublisher:
    def __init__(self, channel: ChannelConfig, token: str, http: Http) -> None:
        self.channel = channel
        self.token = token
        self.http = http

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult:
        return self._status({"status": text}, key)

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult:
        return self._status({"status": text, "in_reply_to_id": target.external_id}, key)

    def _status(self, form: dict[str, str], key: str) -> PublishResult:
        data = self.http.call(
            "POST",
            "/api/v1/statuses",
            headers={"Authorization": f"Bearer {self.token}", "Idempotency-Key": key},
            form=form,
        )
        remote = data.get("id") if isinstance(data, dict) else None
        if not remote:
            raise PublishError(
                "server", f"channel {self.channel.key!r}: Mastodon answered without a status id"
            )
        return PublishResult(str(remote), data.get("url") or data.get("uri"))
