"""When the brand may message a person privately, per platform (issue 21 §6). Pure.

`window(facts, now)` answers, for one channel: may a private message go out now (`open`), not
(`closed`), or only if something we cannot see holds (`depends`: their follow or message
settings); until when; why (reasons) and what to keep in mind (caveats). Reasons and caveats
are stored messages (`N_` + parameters, alerts/wording.py `wording`), rendered in the reader's
language and time zone by `render_said`. The sources of each rule are in
docs/communication-contact.md.

- Facebook (a Messenger private reply) and Instagram (a private reply in Direct): one private
  reply to a comment, within 7 days of the comment; once the person answers, the standard
  24-hour messaging window from their last message. On Instagram the reply lands in their
  message Requests unless they follow the account.
- X: a direct message only if they accept messages from everyone or follow the account (or a
  conversation with them exists).
- Bluesky: a chat per their setting: everyone, people they follow, nobody.
- Mastodon: a mention with direct visibility, any time; it is not end-to-end encrypted.
- E-mail and phone: any time; outside the workspace's working hours the advice is to wait.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flarewatch.detect.explain import N_, Moment, format_params, utc_moment
from flarewatch.errors import InputError
from flarewatch.oncall.urgency import WorkingTime, is_working_time

# The channels a private message can take; the platforms' own names map onto them.
CHANNELS = ("facebook", "instagram", "x", "bluesky", "mastodon", "email", "phone", "other")
PLATFORM_CHANNELS = {
    "facebook": "facebook",
    "instagram": "instagram",
    "x": "x",
    "twitter": "x",
    "bluesky": "bluesky",
    "mastodon": "mastodon",
    "email": "email",
    "phone": "phone",
    "sms": "phone",
}
META_CHANNELS = ("facebook", "instagram")
# Whether the person follows the brand's account (Instagram: inbox or Requests; X, Bluesky).
FOLLOWS = ("yes", "no", "unknown")
# Who may start a conversation with them: X (everyone, or accounts they follow), Bluesky
# (everyone, people they follow, nobody).
DM_SETTINGS = ("everyone", "following", "nobody", "unknown")
STATES = ("open", "depends", "closed")

PRIVATE_REPLY_DAYS = 7  # Meta: a private reply within 7 days of the comment
MESSAGING_HOURS = 24  # Meta: the standard messaging window after the person's last message
HUMAN_AGENT_DAYS = 7  # Meta: the human agent tag, 7 days after the person's last message
# How long before a window closes its assignee is reminded (comms/contact/service.py).
REMIND_BEFORE = {"private_reply": timedelta(hours=24), "messaging_window": timedelta(hours=4)}

# Reasons: why a message may, may not or may perhaps go out now.
PRIVATE_REPLY_OPEN = N_(
    "One private reply to the comment is allowed within 7 days of it: until %(until_at)s"
)
PRIVATE_REPLY_EXPIRED = N_(
    "More than 7 days have passed since the comment: the private reply window closed at "
    "%(until_at)s"
)
PRIVATE_REPLY_USED = N_(
    "A private reply was already sent on %(sent_at)s and only one is allowed: wait for their "
    "answer, then you have 24 hours"
)
MESSAGING_OPEN = N_(
    "They wrote on %(answered_at)s: you may message them for 24 hours, until %(until_at)s"
)
MESSAGING_EXPIRED = N_(
    "The 24-hour window after their last message closed at %(until_at)s: you can write again "
    "once they write to you"
)
X_CONVERSATION = N_("They wrote to the account: answer in that conversation")
X_EVERYONE = N_("They accept direct messages from everyone")
X_FOLLOWS = N_("They follow the account, so it can send them a direct message")
X_CLOSED = N_(
    "They accept direct messages only from accounts they follow, and they do not follow this "
    "one: answer in public and ask them to write to you"
)
X_UNKNOWN = N_(
    "A direct message reaches them only if they accept messages from everyone or follow the "
    "account: check their profile, then record what you found"
)
BLUESKY_CONVERSATION = N_("They wrote to the account: answer in that chat")
BLUESKY_EVERYONE = N_("Their chat setting lets everyone start a chat")
BLUESKY_FOLLOWS = N_("Their chat setting lets people they follow start a chat, and they follow it")
BLUESKY_NOT_FOLLOWED = N_(
    "Their chat setting lets only people they follow start a chat, and they do not follow the "
    "account: answer in public and ask them to write to you"
)
BLUESKY_NOBODY = N_("Their chat setting lets nobody start a chat: answer in public instead")
BLUESKY_UNKNOWN = N_(
    "A chat reaches them only if their setting allows it (by default: people they follow): "
    "check whether they follow the account"
)
MASTODON_ANY_TIME = N_("A mention with direct visibility can be sent any time")
ANY_TIME = N_("You can write or call any time")
NO_RULES = N_(
    "There are no known rules for private messages on %(platform)s: check the platform's own "
    "rules, or write by e-mail or call"
)

# Caveats: what to keep in mind when the message goes out.
INSTAGRAM_INBOX = N_("They follow the account: the message goes to their inbox")
INSTAGRAM_REQUESTS = N_(
    "They do not follow the account: the message lands in their Requests folder, where it is "
    "easily missed; say in the public answer that you wrote to them"
)
INSTAGRAM_MAYBE_REQUESTS = N_(
    "Unless they follow the account, the message lands in their Requests folder: check whether "
    "they follow it"
)
HUMAN_AGENT = N_(
    "With Meta's human agent tag a person (not an automated reply) may still answer until "
    "%(until_at)s, if the page's app was granted it"
)
MASTODON_NOT_PRIVATE = N_(
    "A direct mention is not end-to-end encrypted: the administrators of both servers can read "
    "it, and everyone mentioned in it sees it; mention only them"
)
BLUESKY_SETTING_CHANGES = N_("They can change their chat setting or leave the chat at any time")
OUTSIDE_WORKING_HOURS = N_(
    "It is %(local_time)s in %(timezone)s, outside working hours: better to wait until working "
    "hours unless it is urgent"
)


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What the window depends on, for one channel."""

    channel: str
    comment_at: datetime | None = None  # when they commented (the post's time)
    sent_at: Sequence[datetime] = ()  # the private messages already sent on this channel
    answered_at: datetime | None = None  # their last message to the account on this channel
    follows: str = "unknown"  # whether they follow the brand's account
    dm_setting: str = "unknown"  # who may start a conversation with them (X, Bluesky)


@dataclass(frozen=True, slots=True)
class Window:
    """May a private message go out now on this channel, until when, why, and what to mind."""

    channel: str
    state: str  # open, depends, closed
    rule: str  # private_reply, messaging_window, direct_message, chat, direct_mention, any_time
    until: datetime | None = None  # None: no end (or closed for good until they write)
    reasons: tuple[dict[str, Any], ...] = ()
    caveats: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def may_send(self) -> bool:
        """True unless the platform would refuse the message now (`depends`: perhaps)."""
        return self.state != "closed"

    def remind_at(self) -> datetime | None:
        """When the assignee is told that the window is closing; None: nothing closes."""
        lead = REMIND_BEFORE.get(self.rule)
        if self.state != "open" or self.until is None or lead is None:
            return None
        return self.until - lead

    def as_dict(self) -> dict[str, Any]:
        """What the API returns (the messages as stored: message and parameters)."""
        return {
            "channel": self.channel,
            "state": self.state,
            "may_send": self.may_send,
            "rule": self.rule,
            "until": self.until,
            "reasons": list(self.reasons),
            "caveats": list(self.caveats),
        }


def said(message: str, **params: Any) -> dict[str, Any]:
    """A message and its parameters as stored (moments as ISO 8601, named `*_at`)."""
    return {
        "message": message,
        "params": {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items()},
    }


def channel_of(platform: str) -> str:
    """The private channel of a post's platform ("twitter" → "x"); `other` when unknown."""
    return PLATFORM_CHANNELS.get(platform.strip().lower(), "other")


def window(
    facts: ContactFacts, now: datetime, working: WorkingTime | None = None, platform: str = ""
) -> Window:
    """The window of `facts.channel` at `now`. `working` (the workspace's working time) turns
    into advice for e-mail and phone; `platform` names an unknown platform in its reason."""
    if facts.channel in META_CHANNELS:
        return _meta(facts, now)
    if facts.channel == "x":
        return _x(facts)
    if facts.channel == "bluesky":
        return _bluesky(facts)
    if facts.channel == "mastodon":
        caveat = said(MASTODON_NOT_PRIVATE)
        return Window(
            "mastodon", "open", "direct_mention", None, (said(MASTODON_ANY_TIME),), (caveat,)
        )
    if facts.channel in ("email", "phone"):
        advice = ()
        if working is not None and not is_working_time(working, now):
            local = now.astimezone(ZoneInfo(working.timezone))
            advice = (
                said(OUTSIDE_WORKING_HOURS, local_time=f"{local:%H:%M}", timezone=working.timezone),
            )
        return Window(facts.channel, "open", "any_time", None, (said(ANY_TIME),), advice)
    return Window("other", "depends", "unknown", None, (said(NO_RULES, platform=platform or "?"),))


def _meta(facts: ContactFacts, now: datetime) -> Window:
    """Facebook and Instagram: one private reply within 7 days of the comment; after their
    answer, 24 hours from their last message (and the human agent tag's 7 days)."""
    caveats: list[dict[str, Any]] = []
    if facts.channel == "instagram":
        caveats.append(
            said(
                {
                    "yes": INSTAGRAM_INBOX,
                    "no": INSTAGRAM_REQUESTS,
                }.get(facts.follows, INSTAGRAM_MAYBE_REQUESTS)
            )
        )
    if facts.answered_at is not None:
        until = facts.answered_at + timedelta(hours=MESSAGING_HOURS)
        if now < until:
            reason = said(MESSAGING_OPEN, answered_at=facts.answered_at, until_at=until)
            return Window(
                facts.channel, "open", "messaging_window", until, (reason,), tuple(caveats)
            )
        agent_until = facts.answered_at + timedelta(days=HUMAN_AGENT_DAYS)
        if now < agent_until:
            caveats.append(said(HUMAN_AGENT, until_at=agent_until))
        reason = said(MESSAGING_EXPIRED, until_at=until)
        return Window(facts.channel, "closed", "messaging_window", None, (reason,), tuple(caveats))
    if facts.sent_at:
        reason = said(PRIVATE_REPLY_USED, sent_at=min(facts.sent_at))
        return Window(facts.channel, "closed", "private_reply", None, (reason,), tuple(caveats))
    if facts.comment_at is None:  # nothing to count from: the platform decides
        reason = said(NO_RULES, platform=facts.channel)
        return Window(facts.channel, "depends", "private_reply", None, (reason,), tuple(caveats))
    until = facts.comment_at + timedelta(days=PRIVATE_REPLY_DAYS)
    if now < until:
        reason = said(PRIVATE_REPLY_OPEN, until_at=until)
        return Window(facts.channel, "open", "private_reply", until, (reason,), tuple(caveats))
    reason = said(PRIVATE_REPLY_EXPIRED, until_at=until)
    return Window(facts.channel, "closed", "private_reply", None, (reason,), tuple(caveats))


def _x(facts: ContactFacts) -> Window:
    if facts.answered_at is not None:
        return Window("x", "open", "direct_message", None, (said(X_CONVERSATION),))
    if facts.dm_setting == "everyone":
        return Window("x", "open", "direct_message", None, (said(X_EVERYONE),))
    if facts.follows == "yes":
        return Window("x", "open", "direct_message", None, (said(X_FOLLOWS),))
    if facts.dm_setting in ("following", "nobody") and facts.follows == "no":
        return Window("x", "closed", "direct_message", None, (said(X_CLOSED),))
    return Window("x", "depends", "direct_message", None, (said(X_UNKNOWN),))


def _bluesky(facts: ContactFacts) -> Window:
    changes = (said(BLUESKY_SETTING_CHANGES),)
    if facts.answered_at is not None:
        return Window("bluesky", "open", "chat", None, (said(BLUESKY_CONVERSATION),), changes)
    if facts.dm_setting == "everyone":
        return Window("bluesky", "open", "chat", None, (said(BLUESKY_EVERYONE),), changes)
    if facts.dm_setting == "nobody":
        return Window("bluesky", "closed", "chat", None, (said(BLUESKY_NOBODY),))
    if facts.dm_setting == "following" and facts.follows == "yes":
        return Window("bluesky", "open", "chat", None, (said(BLUESKY_FOLLOWS),), changes)
    if facts.dm_setting == "following" and facts.follows == "no":
        return Window("bluesky", "closed", "chat", None, (said(BLUESKY_NOT_FOLLOWED),))
    return Window("bluesky", "depends", "chat", None, (said(BLUESKY_UNKNOWN),))


def render_said(
    stored: Mapping[str, Any],
    *,
    locale: str = "en",
    gettext: Callable[[str], str] = lambda text: text,
    isolate: Callable[[str], str] = lambda text: text,
    moment: Moment = utc_moment,
) -> str:
    """A reason or caveat in the reader's language, moments in their zone (`moment`)."""
    return gettext(stored["message"]) % format_params(stored["params"], locale, isolate, moment)


def check_choice(name: str, value: str, allowed: Sequence[str]) -> str:
    """`value` when it is one of `allowed`; else an error naming the choices."""
    if value not in allowed:
        raise InputError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
    return value
