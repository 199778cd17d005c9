"""Sending a rendered update or briefing to one route, the way alerts and digests do.

A scheme someone registered (`alerts.notify.register_notifier`) and the console go through
their notifier (`notifier_for`); every Apprise URL goes through the digests' sender, so email
gets the HTML body with a plain-text part and chat routes the short text.
"""

from __future__ import annotations

from flarewatch.alerts.message import AlertMessage
from flarewatch.alerts.notify import AppriseNotifier, notifier_for
from flarewatch.digests.render import RenderedDigest
from flarewatch.digests.service import send_one


def deliver(url: str, rendered: RenderedDigest, severity: str) -> None:
    """Sends `rendered` to `url`; raises with the service's reason when it is refused."""
    notifier = notifier_for(url)
    if isinstance(notifier, AppriseNotifier):
        send_one(url, rendered)
        return
    # No alert behind it: id 0 tells a registered notifier there is nothing to acknowledge.
    notifier.send(url, AlertMessage(0, severity, rendered.subject, rendered.text))


def failure_reason(err: BaseException) -> str:
    """One line for the record and the timeline; never the route's URL (it may hold a password)."""
    return (str(err) or type(err).__name__).splitlines()[0][:300]
