"""The names people read for a template's kind, audience and variant, as catalogue entries
(the CLI's Reader and the pages translate them); stages are the playbooks' (STAGES)."""

from __future__ import annotations

from flarewatch.i18n.labels import N_
from flarewatch.playbooks.library import STAGES

KINDS = {
    "statement": N_("Statement"),
    "reply": N_("Reply"),
    "update": N_("Update"),
    "private_message": N_("Private message"),
}
AUDIENCES = {
    "customers": N_("Customers"),
    "employees": N_("Employees"),
    "press": N_("Press"),
    "regulators": N_("Regulators"),
    "partners": N_("Partners"),
}
VARIANTS = {
    "short": N_("Short (X, Bluesky)"),
    "sms": N_("SMS"),
    "long": N_("Long (Facebook, Instagram, Mastodon, email)"),
}
PLATFORMS = {
    "x": "X",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "email": N_("Email"),
    "sms": N_("SMS"),
}
NO_STAGE = N_("Any stage")
__all__ = ["AUDIENCES", "KINDS", "NO_STAGE", "PLATFORMS", "STAGES", "VARIANTS"]
