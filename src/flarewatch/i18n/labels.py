"""Human names for stored codes (statuses, severities, sentiments, roles), marked for translation.

`N_` only marks the string for extraction (`pybabel extract -k N_`); templates translate it at
render time through `label()`.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name)
    return message


LABELS: dict[str, str] = {
    # alert statuses
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "resolved": N_("Resolved"),
    "noise": N_("Noise"),
    "merged": N_("Merged"),
    # severities and overview levels
    "watch": N_("Watch"),
    "warning": N_("Warning"),
    "crisis": N_("Crisis"),
    "calm": N_("Calm"),
    # source health states, and the overview's level when sources fail
    "ok": N_("OK"),
    "failing": N_("Failing"),
    "stale": N_("Stale"),
    "silent": N_("Silent"),
    "learning": N_("Learning"),
    "paused": N_("Paused"),
    "sources": N_("Sources failing"),
    # case statuses
    "new": N_("New"),
    "triage": N_("Triage"),
    "responding": N_("Responding"),
    "monitoring": N_("Monitoring"),
    "closed": N_("Closed"),
    # task statuses (and re-scoring jobs')
    "done": N_("Done"),
    # re-scoring job statuses
    "queued": N_("Queued"),
    "running": N_("Running"),
    "failed": N_("Failed"),
    # escalation rounds and deliveries (the alert page)
    "pending": N_("Pending"),
    "sent": N_("Sent"),
    "cancelled": N_("Cancelled"),
    "skipped": N_("Skipped"),
    # sentiments
    "negative": N_("Negative"),
    "neutral": N_("Neutral"),
    "positive": N_("Positive"),
    # roles
    "admin": N_("Admin"),
    "analyst": N_("Analyst"),
    "responder": N_("Responder"),
    "approver": N_("Approver (legal)"),
    "viewer": N_("Viewer"),
    # case timeline kinds
    "alert": N_("Alert"),
    "post": N_("Post"),
    "status": N_("Status"),
    "note": N_("Note"),
    "task": N_("Task"),
    "owner": N_("Owner"),
    "review": N_("Post-mortem"),
    "followup": N_("Follow-up"),
    "routing": N_("Routing"),
    "publication": N_("Publication"),
    "moderation": N_("Moderation"),
    "public_page": N_("Public page"),
    # built-in case roles (cases/roles.py) and case types (cases/routing.py)
    "incident_lead": N_("Incident lead"),
    "spokesperson": N_("Spokesperson"),
    "legal": N_("Legal"),
    "social_media": N_("Social media"),
    "customer_care": N_("Customer care"),
    "it": N_("IT"),
    "executive": N_("Executive"),
    "product_safety": N_("Product safety"),
    "service_failure": N_("Service failure"),
    "employee_conduct": N_("Employee conduct"),
    "data_privacy": N_("Data and privacy"),
    "false_accusation": N_("Fake news or false accusation"),
    "executive_statement": N_("Executive statement"),
    # stakeholder update audiences (comms/stakeholders; "customer_care" is above) and the
    # timeline kinds of stakeholder updates and advocate briefings
    "executives": N_("Executives"),
    "marketing": N_("Marketing"),
    "hr": N_("Human resources"),
    "stakeholders": N_("Stakeholder update"),
    "advocates": N_("Advocates"),
    # a routing request's state (cases/routing.py)
    "routing-requested": N_("Waiting for their answer"),
    "routing-escalated": N_("Unanswered, escalated"),
    "routing-answered": N_("Answered"),
    # drafts (comms/): the timeline kind and a draft's status, its kinds, an approver's answer
    "draft": N_("Draft"),
    "in_review": N_("In review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "withdrawn": N_("Withdrawn"),
    "statement": N_("Statement"),
    "reply": N_("Reply"),
    "update": N_("Update"),
    "private_message": N_("Private message"),
    "waiting": N_("Waiting"),
    "not_needed": N_("Not needed"),
    # a case's stretches of time (cases/followup.py)
    "phase-before": N_("Before"),
    "phase-during": N_("During the response"),
    "phase-after": N_("After"),
    "playbook": N_("Playbook"),
    "response": N_("Public answer"),
    "contact": N_("Private contact"),  # a private contact's timeline entries (comms/contact)
    "met": N_("Met"),
    "missed": N_("Missed"),
    # sensitivity
    "fewer": N_("Fewer alerts"),
    "balanced": N_("Balanced"),
    "more": N_("More alerts (earlier)"),
    # sentiment models (workspace setting)
    "sentiment-default": N_("Standard (fast)"),
    "sentiment-use": N_("Accurate (USE, about 500 posts/s)"),
    "sentiment-e5": N_("Most accurate (E5, about 20 posts/s per core)"),
    "sentiment-transformers": N_("Transformer model (Hugging Face)"),
    # time filters
    "1h": N_("Last hour"),
    "24h": N_("Last 24 hours"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    # emotions
    "anger": N_("anger"),
    "fear": N_("fear"),
    "sadness": N_("sadness"),
    "joy": N_("joy"),
    "disgust": N_("disgust"),
    "surprise": N_("surprise"),
    # spam signals
    "rate": N_("posting rate"),
    "new_account": N_("new account"),
    "copies": N_("copies"),
    "link_only": N_("link only"),
    "irrelevant": N_("not relevant"),
    # where a source is defined, and its state (source settings)
    "origin-file": N_("Workspace file"),
    "origin-web": N_("Web settings"),
    "source-active": N_("Active"),
    "source-paused": N_("Paused"),
    "source-disabled": N_("Disabled"),
    # where a credential that a source names comes from
    "credential-environment": N_("set in the environment (used first)"),
    "credential-stored": N_("stored here"),
    "credential-missing": N_("missing: store it here or set the variable"),
    # local weekends offered when creating a workspace (workspaces/create.py WEEKENDS)
    "weekend-sat-sun": N_("Saturday and Sunday"),
    "weekend-fri-sat": N_("Friday and Saturday (Israel)"),
    "weekend-fri": N_("Friday"),
    "weekend-thu-fri": N_("Thursday and Friday"),
    "weekend-sun": N_("Sunday"),
}


def language_name(code: str, locale: str) -> str:
    """A language's name in the reader's language ("Hebrew", "hebrajski", "עברית") from CLDR;
    the code itself for one CLDR does not know."""
    try:
        name = Locale.parse(locale).languages.get(code)
    except (ValueError, UnknownLocaleError):
        name = None
    return name or code
