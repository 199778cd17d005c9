"""The HTML of a Telegram channel's web preview (`t.me/s/<channel>`) read into messages.

Telegram documents no format for this page, so the selectors are the page's own class names
(`tgme_widget_message`, `data-post="channel/123"`, …) and every message that lacks its id is
a problem, never a guess. A page that is cut off, or that is not a channel's history (private
and unknown channels redirect to `t.me/<channel>`), is a `PageError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from flarewatch.sources.base import SourceProblem
from flarewatch.sources.connector import absolute_url, clean_text

_END_OF_PAGE = re.compile(rb"</html\s*>\s*$", re.IGNORECASE)
_COUNT = re.compile(r"^([\d]+(?:[.,]\d+)?)\s*([KMB]?)$", re.IGNORECASE)
_TRAILING_COUNT = re.compile(r"(\d+(?:[.,]\d+)?[KMB]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_PARSER = lxml.html.HTMLParser(encoding="utf-8")
# What a message without text shows, in the order it is looked for: (CSS class, marker).
_MEDIA = (
    ("tgme_widget_message_photo_wrap", "photo"),
    ("tgme_widget_message_video_player", "video"),
    ("tgme_widget_message_roundvideo_player", "video message"),
    ("tgme_widget_message_voice_player", "voice message"),
    ("tgme_widget_message_document_wrap", "file"),
    ("tgme_widget_message_sticker_wrap", "sticker"),
    ("tgme_widget_message_location_wrap", "location"),
    ("tgme_widget_message_poll", "poll"),
    ("message_media_not_supported", "media only the Telegram app shows"),
)
# Text blocks inside these belong to another message (the replied one, a link preview).
_NOT_OWN_TEXT = ("tgme_widget_message_reply", "tgme_widget_message_link_preview")


class PageError(ValueError):
    """The page cannot be read as the channel's history; the message says why and what to do."""


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element: Any, name: str) -> bool:
    return name in _classes(element)


def _first(element: Any, selector: str) -> Any | None:
    found = element.cssselect(selector)
    return found[0] if found else None


def _text(element: Any | None) -> str:
    if element is None:
        return ""
    return clean_text(" ".join(element.text_content().split()))


def parse_count(value: str | None) -> int | None:
    """Telegram's short counts: "950" → 950, "1.57K" → 1570, "1.2M" → 1200000."""
    if not value:
        return None
    match = _COUNT.match(value.strip().replace(" ", ""))
    if not match:
        return None
    number = float(match.group(1).replace(",", "."))
    return round(number * _SCALE[match.group(2).upper()])


def _reaction_count(text: str) -> int:
    """ "❤ 1.2K" (the emoji, then the count) → 1200."""
    match = _TRAILING_COUNT.search(text)
    return (parse_count(match.group(1)) or 0) if match else 0


def text_with_breaks(element: Any) -> str:
    """The element's text with its <br> line breaks kept and runs of spaces folded."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    lines = (_SPACES.sub(" ", line).strip() for line in element.text_content().split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _post_ref(href: str | None) -> str | None:
    """ "channel/123" from a message link (https://t.me/channel/123); None for a channel link."""
    if not href:
        return None
    parts = [part for part in urlsplit(href).path.split("/") if part]
    if parts and parts[0] == "s":
        parts = parts[1:]
    if len(parts) == 2 and parts[1].isdigit():
        return f"{parts[0]}/{parts[1]}"
    return None


@dataclass(slots=True)
class Message:
    post_id: str  # "channel/123", as Telegram writes it in data-post
    number: int  # 123: the message id inside the channel, increasing
    element: Any


@dataclass(slots=True)
class ChannelPage:
    channel: str
    url: str
    base: str
    title: str | None = None
    subscribers: int | None = None
    verified: bool = False
    messages: list[Message] = field(default_factory=list)
    problems: list[SourceProblem] = field(default_factory=list)

    def record(self, message: Message) -> dict[str, Any]:
        """The message in the ingest format (extra preview fields stay in the record → raw)."""
        element = message.element
        body = self._own_text(element)
        links: list[str] = []
        text = ""
        if body is not None:
            links = [
                link
                for link in (absolute_url(self.url, a.get("href")) for a in body.iter("a"))
                if link
            ]
            text = text_with_breaks(body)
        media = self._media(element)
        if not text:
            question = _text(_first(element, ".tgme_widget_message_poll_question"))
            text = f"[{media}] {question}".strip() if media else ""
        stamp = _first(element, ".tgme_widget_message_date time[datetime]")
        if stamp is None:
            stamp = _first(element, "time[datetime]")
        forwarded = _first(element, ".tgme_widget_message_forwarded_from_name")
        reply = _first(element, "a.tgme_widget_message_reply")
        signature = _text(_first(element, ".tgme_widget_message_from_author"))
        owner = _text(_first(element, ".tgme_widget_message_owner_name"))
        reactions = [
            _reaction_count(_text(reaction)) for reaction in element.cssselect(".tgme_reaction")
        ]
        return {
            "id": message.post_id,
            "text": text,
            "author": message.post_id.rpartition("/")[0],  # Telegram's own spelling
            "author_name": signature or owner or self.title,
            "author_followers": self.subscribers,
            "author_verified": self.verified,
            "url": f"{self.base}/{message.post_id}",
            "created_at": stamp.get("datetime") if stamp is not None else None,
            "views": parse_count(_text(_first(element, ".tgme_widget_message_views"))),
            "likes": sum(reactions) if reactions else None,
            "reply_to": _post_ref(reply.get("href")) if reply is not None else None,
            "repost_of": _post_ref(forwarded.get("href")) if forwarded is not None else None,
            "links": links or None,
            "channel": message.post_id.rpartition("/")[0],
            "message_id": message.number,
            "media": media,
            "forwarded_from": _text(forwarded) or None,
            "signature": signature or None,
        }

    @staticmethod
    def _own_text(element: Any) -> Any | None:
        for candidate in element.cssselect(".tgme_widget_message_text"):
            inside_other = any(
                any(_has_class(parent, name) for name in _NOT_OWN_TEXT)
                for parent in candidate.iterancestors()
            )
            if not inside_other:
                return candidate  # the outermost: an album's caption nests a second copy
        return None

    @staticmethod
    def _media(element: Any) -> str | None:
        for css_class, marker in _MEDIA:
            if element.cssselect(f".{css_class}"):
                return marker
        return None


def parse_channel_page(body: bytes, *, channel: str, url: str, base: str) -> ChannelPage:
    """The messages of one preview page; `url` is where the page was finally read from (after
    redirects), `base` the endpoint the message links are built on."""
    if not _END_OF_PAGE.search(body.rstrip()):
        raise PageError(
            f"the page of channel {channel!r} ({url}) was cut off before its end (no </html>, "
            f"{len(body):,} bytes); nothing from it is stored, retried at the next poll"
        )
    try:
        # Telegram serves UTF-8; without a <meta charset> lxml would read bytes as Latin-1.
        # NUL is dropped here: lxml would turn it into U+FFFD, which clean_text keeps.
        document = lxml.html.document_fromstring(body.replace(b"\x00", b""), parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as err:
        raise PageError(f"the page of channel {channel!r} ({url}) cannot be read ({err})") from None
    redirected = not urlsplit(url).path.startswith("/s/")
    if redirected or _first(document, ".tgme_channel_history") is None:
        raise PageError(
            f"channel {channel!r} has no public message history at {base}/s/{channel} (it is "
            "private, does not exist, or is a group or a person); only public channels can be "
            "read — check the username in channels"
        )
    page = ChannelPage(channel=channel, url=url, base=base)
    page.title = _text(_first(document, ".tgme_channel_info_header_title")) or None
    page.verified = _first(document, ".tgme_channel_info_header .verified-icon") is not None
    for counter in document.cssselect(".tgme_channel_info_counter"):
        kind = _text(_first(counter, ".counter_type")).lower()
        if kind in ("subscriber", "subscribers", "member", "members"):
            page.subscribers = parse_count(_text(_first(counter, ".counter_value")))
    for index, element in enumerate(document.cssselect(".tgme_widget_message"), start=1):
        if _has_class(element, "service_message"):
            continue  # "channel created", "photo updated": no one said anything
        post_id = element.get("data-post") or ""
        name, _, number = post_id.rpartition("/")
        if not name or not number.isdigit():
            page.problems.append(
                SourceProblem(
                    f"{url} message {index}",
                    f'has no data-post="channel/id" (found {post_id!r}); this message is '
                    "skipped, the rest are kept",
                )
            )
            continue
        page.messages.append(Message(post_id, int(number), element))
    return page
