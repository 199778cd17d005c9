"""Facebook pages and Instagram business accounts over the Graph API: the page feed and
comment replies, Instagram comment replies, and the moderation the guard allows (hiding and
deleting comments). The token travels as the `access_token` parameter, as Meta documents."""

from __future__ import annotations

from datetime import datetime

from flarewatch.comms.publishing.base import Http, PublishError, PublishResult, Target
from flarewatch.comms.publishing.channels import ChannelConfig

FACEBOOK_URL = "https://www.facebook.com/"


class GraphPublisher:
    def __init__(self, channel: ChannelConfig, token: str, http: Http) -> None:
        self.channel = channel
        self.token = token
        self.http = http

    def _created(self, path: str, message: str) -> str:
        data = self.http.call("POST", path, form={"message": message, "access_token": self.token})
        remote = data.get("id") if isinstance(data, dict) else None
        if not remote:
            raise PublishError(
                "server", f"channel {self.channel.key!r}: the Graph API answered without an id"
            )
        return str(remote)

    def moderate(self, comment_id: str, action: str) -> None:
        """Hides or deletes a comment (`POST /{id}` with is_hidden/hide, `DELETE /{id}`)."""
        if action == "delete":
            self.http.call("DELETE", f"/{comment_id}", params={"access_token": self.token})
            return
        flag = "hide" if self.channel.platform == "instagram" else "is_hidden"
        self.http.call("POST", f"/{comment_id}", form={flag: "true", "access_token": self.token})


class FacebookPublisher(GraphPublisher):
    """`POST /{page-id}/feed` for a statement, `POST /{object-id}/comments` for a reply."""

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult:
        remote = self._created(f"/{self.channel.page_id}/feed", text)
        return PublishResult(remote, FACEBOOK_URL + remote)

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult:
        remote = self._created(f"/{target.external_id}/comments", text)
        return PublishResult(remote, target.url or FACEBOOK_URL + remote)


class InstagramPublisher(GraphPublisher):
    """`POST /{ig-comment-id}/replies`. Instagram has no text-only posts: a statement needs an
    image or video, which Flarewatch does not make, so it is refused before anything is sent."""

    def post(self, text: str, *, key: str, at: datetime) -> PublishResult:
        raise PublishError("unsupported", instagram_statement_problem(self.channel.key))

    def reply(self, text: str, target: Target, *, key: str, at: datetime) -> PublishResult:
        remote = self._created(f"/{target.external_id}/replies", text)
        return PublishResult(remote, target.url)


def instagram_statement_problem(channel: str) -> str:
    return (
        f"channel {channel!r}: Instagram cannot publish a text-only post (every post needs an "
        "image or a video); publish the statement on another channel, or answer comments on "
        "Instagram with reply drafts"
    )
