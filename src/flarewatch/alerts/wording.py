"""The system's own sentences about alerts and cases, stored as messages so each reader gets
them in their language.

Like an alert's reasons (`detect/explain.py`), an alert title and a timeline entry written by
Flarewatch are kept as a message (an English sentence with `%(name)s` placeholders, marked with
`N_` for `pybabel extract`) plus its parameters, next to the English rendering that the API and
older readers use. `render_stored` turns the stored pair into words in one locale; a row from
before messages existed has none and shows its stored English text.

Parameters follow explain.py's rules (numbers in the locale, strings isolated as user or
generated text), with one addition: parameters named in `TERM_PARAMS` hold a stored code
(a severity, a status) that is translated through `LABELS`, not isolated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flarewatch.detect.explain import N_, format_params
from flarewatch.i18n.labels import LABELS

# Alert titles (detect/runner.py, alerts/source_alerts.py).
STORY_GROWING = N_("%(topic)s: story '%(label)s' is growing")
UNUSUAL_ACTIVITY = N_("%(topic)s: unusual activity")
UNUSUAL_NEGATIVE = N_("%(topic)s: unusual negative activity")
SOURCE_FAILING = N_("Source %(source)s is failing")
SOURCE_STALE = N_("Source %(source)s is stale")
SOURCE_SILENT = N_("Source %(source)s is silent")

# Case timeline entries written by the system (cases/service.py).
CASE_OPENED = N_("Case opened from alert #%(alert)s")
ALERT_AT = N_("Alert #%(alert)s %(severity)s (risk %(risk)s): %(explanation)s")
ALERT_ESCALATED = N_(
    "Alert #%(alert)s escalated from %(was)s to %(severity)s (risk %(risk)s): %(explanation)s"
)
ALERT_NOW = N_("Alert #%(alert)s is now %(severity)s (risk %(risk)s): %(explanation)s")
ALERT_COVERS = N_("Alert #%(alert)s now also covers %(topics)s: the same posts drive it")
ALERT_MERGED_FOLLOW = N_(
    "Alert #%(merged)s was merged into alert #%(alert)s (the same incident); "
    "this case now follows alert #%(alert)s"
)
CASE_MERGED_IN = N_("Case #%(case)s (alert #%(merged)s) merged into this case: the same incident")
CASE_CLOSED_MERGED = N_(
    "Closed: merged into case #%(case)s (alert #%(merged)s is part of alert #%(alert)s)"
)
STATUS_MOVED = N_("%(was)s → %(status)s")
STATUS_MOVED_NOTE = N_("%(was)s → %(status)s: %(note)s")
CASE_REOPENED = N_("Reopened (closed → responding)")
CASE_REOPENED_NOTE = N_("Reopened (closed → responding): %(note)s")
CASE_RELAPSE = N_("Relapse (monitoring → responding)")
CASE_RELAPSE_NOTE = N_("Relapse (monitoring → responding): %(note)s")
TASK_ADDED = N_("Task #%(task)s added: %(title)s")
TASK_ADDED_FOR = N_("Task #%(task)s added for %(assignee)s: %(title)s")
ESCALATION_NOTIFIED = N_("Alert #%(alert)s, escalation step %(step)s: notified %(who)s")
ESCALATION_NOBODY = N_(
    "Alert #%(alert)s, escalation step %(step)s: no one is on call in %(target)s"
)
# The alert's own timeline (alerts/timeline.py): deliveries, reminders, lapses.
DELIVERY_SENT = N_("Alert #%(alert)s: delivered to %(who)s by %(channel)s (attempt %(attempts)s)")
DELIVERY_RETRYING = N_(
    "Alert #%(alert)s: delivery to %(who)s by %(channel)s failed (attempt %(attempts)s): "
    "%(error)s; trying again in %(retry_seconds)s"
)
DELIVERY_FAILED = N_(
    "Alert #%(alert)s: delivery to %(who)s by %(channel)s failed for good "
    "(attempt %(attempts)s): %(error)s"
)
REMINDED = N_(
    "Alert #%(alert)s is acknowledged but nothing happened for %(idle_seconds)s: reminded %(who)s"
)
UNACKNOWLEDGED = N_(
    "Alert #%(alert)s: nothing happened for %(idle_seconds)s after the acknowledgement; it is "
    "open again and the escalation starts over"
)
ACKNOWLEDGED_BY_LINK = N_("Alert #%(alert)s acknowledged by %(actor)s with the link in a message")
TASK_DONE = N_("Task #%(task)s done: %(title)s")
TRIAGED = {
    "acknowledged": N_("Alert #%(alert)s acknowledged by %(actor)s"),
    "resolved": N_("Alert #%(alert)s resolved by %(actor)s"),
    "noise": N_("Alert #%(alert)s marked as noise by %(actor)s"),
}

# Parameters holding a stored code (severity, status) that reads as its translated label.
# A case role or case type (cases/roles.py, cases/routing.py) is stored as its key when it is a
# built-in one (translated by its label) and as its own name otherwise (shown as written).
TERM_PARAMS = frozenset({"severity", "was", "status", "role", "case_type", "audience"})
# Parameters that are identifiers, printed as they are ("#1234", not "#1,234").
ID_PARAMS = frozenset(
    {"alert", "merged", "case", "task", "draft", "contact", "post", "event", "delivery", "id"}
)

Gettext = Callable[[str], str]


def _identity(text: str) -> str:
    return text


def wording(message: str, **params: Any) -> dict[str, Any]:
    """A message and its parameters as stored (`Alert.title_message`, `CaseEvent.data`)."""
    return {"message": message, "params": params}


def render_wording(
    message: str,
    params: Mapping[str, Any],
    *,
    locale: str = "en",
    gettext: Gettext = _identity,
    isolate: Gettext = _identity,
) -> str:
    """One stored sentence in `locale`: terms translated, ids as written, the rest per explain."""
    plain = {k: v for k, v in params.items() if k not in TERM_PARAMS and k not in ID_PARAMS}
    values = format_params(plain, locale, isolate)
    for name in ID_PARAMS & params.keys():
        values[name] = str(params[name])
    for name in TERM_PARAMS & params.keys():
        code = str(params[name])
        values[name] = gettext(LABELS[code]).lower() if code in LABELS else isolate(code)
    text = gettext(message) % values
    # A sentence that opens with a status reads "Triage → responding", as people write it.
    opens_with_term = any(message.startswith(f"%({name})s") for name in TERM_PARAMS)
    return text[:1].upper() + text[1:] if opens_with_term else text


def english(message: str, **params: Any) -> str:
    """The English rendering stored next to the message (API, terminal, older readers)."""
    return render_wording(message, params)


def render_stored(
    stored: Mapping[str, Any] | None,
    fallback: str,
    *,
    locale: str = "en",
    gettext: Gettext = _identity,
    isolate: Gettext = _identity,
) -> str | None:
    """A stored message in words, or None when there is none (old rows) or it cannot be
    rendered (a catalogue entry that lost a placeholder): the caller shows `fallback`."""
    if not stored:
        return None
    message, params = stored.get("message"), stored.get("params")
    if not isinstance(message, str) or not isinstance(params, Mapping):
        return None
    try:
        return render_wording(message, params, locale=locale, gettext=gettext, isolate=isolate)
    except (KeyError, TypeError, ValueError):
        return None


def spoken(stored: Mapping[str, Any]) -> str:
    """The English rendering of a `wording` (the stored text column)."""
    return render_wording(stored["message"], stored["params"])


def move_wording(current: str, new: str, note: str | None) -> dict[str, Any]:
    """A case's status change as a stored message (cases/lifecycle.py `describe_move`)."""
    noted = {"note": note} if note else {}
    if current == "closed" and new == "responding":
        return wording(CASE_REOPENED_NOTE if note else CASE_REOPENED, **noted)
    if current == "monitoring" and new == "responding":
        return wording(CASE_RELAPSE_NOTE if note else CASE_RELAPSE, **noted)
    return wording(STATUS_MOVED_NOTE if note else STATUS_MOVED, was=current, status=new, **noted)
