"""What private contact says: the channels, statuses and outcomes as pages and the command
line name them, the task's title and the timeline entries (catalogue messages, `N_`)."""

from __future__ import annotations

from flarewatch.detect.explain import N_

# The channels as the timeline names them: the platforms' own product names.
CHANNEL_NAMES = {
    "facebook": "Facebook Messenger",
    "instagram": "Instagram Direct",
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
}
# The channels and outcomes as pages and the command line name them.
CHANNEL_LABELS = {
    "facebook": N_("Facebook Messenger (private reply)"),
    "instagram": N_("Instagram Direct (private reply)"),
    "x": N_("X direct message"),
    "bluesky": N_("Bluesky chat"),
    "mastodon": N_("Mastodon mention with direct visibility"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "other": N_("Other"),
}
STATUS_LABELS = {
    "to_contact": N_("To contact"),
    "sent": N_("Message sent"),
    "answered": N_("They answered"),
    "closed": N_("Closed"),
}
OUTCOME_LABELS = {
    "resolved": N_("Resolved"),
    "compensated": N_("Compensated"),
    "no_answer": N_("No answer"),
    "declined": N_("Declined"),
    "escalated": N_("Escalated"),
    "moved_to_phone": N_("Moved to a phone call"),
}
FOLLOWS_LABELS = {"yes": N_("Yes"), "no": N_("No"), "unknown": N_("Unknown")}
DM_SETTING_LABELS = {
    "everyone": N_("Everyone"),
    "following": N_("Only people they follow"),
    "nobody": N_("Nobody"),
    "unknown": N_("Unknown"),
}

# The task a contact opens, titled in the workspace's language.
TASK_TITLE = N_("Contact %(person)s privately (%(channel)s)")
# Timeline entries.
OPENED_UNTIL = N_(
    "Private contact #%(contact)s opened with %(person)s on %(channel)s: a message may go out "
    "until %(until_at)s"
)
OPENED = N_("Private contact #%(contact)s opened with %(person)s on %(channel)s")
SENT_APPROVED = {
    "platform": N_(
        "Private message to %(person)s sent on %(channel)s: draft #%(draft)s, approved version "
        "%(version)s"
    ),
    "email": N_(
        "Private message to %(person)s sent by e-mail: draft #%(draft)s, approved version "
        "%(version)s"
    ),
    "phone": N_(
        "Called %(person)s by phone, following draft #%(draft)s, approved version %(version)s"
    ),
}
SENT_BY_HAND = {
    "platform": N_("Private message to %(person)s sent on %(channel)s, written by hand"),
    "email": N_("Private message to %(person)s sent by e-mail, written by hand"),
    "phone": N_("Called %(person)s by phone"),
}
ANSWERED_UNTIL = N_(
    "%(person)s answered on %(answered_at)s: a message may go out until %(until_at)s"
)
ANSWERED = N_("%(person)s answered on %(answered_at)s")
CLOSED = {
    "resolved": N_("Private contact #%(contact)s with %(person)s closed: resolved"),
    "compensated": N_("Private contact #%(contact)s with %(person)s closed: compensated"),
    "no_answer": N_("Private contact #%(contact)s with %(person)s closed: no answer"),
    "declined": N_("Private contact #%(contact)s with %(person)s closed: they declined"),
    "escalated": N_("Private contact #%(contact)s with %(person)s closed: escalated"),
    "moved_to_phone": N_(
        "Private contact #%(contact)s with %(person)s closed: moved to a phone call"
    ),
}
REMINDER = N_(
    "Private contact #%(contact)s on case #%(case)s: the window to message %(person)s closes "
    "%(until_at)s"
)
REMINDED = N_("Reminder sent to %(assignee)s: the window to message %(person)s closes %(until_at)s")
