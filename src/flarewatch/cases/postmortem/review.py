"""The lessons-learned fields of a case: read and saved by the team (page, API, CLI).

Saving writes one timeline entry per field that changed (a translatable message, like
`alerts/wording.py`); saving the same words again changes nothing and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from flarewatch.alerts.wording import spoken, wording
from flarewatch.cases.models import Case, CaseEvent
from flarewatch.cases.postmortem.models import REVIEW_FIELDS, CaseReview
from flarewatch.db.base import utcnow
from flarewatch.detect.explain import N_
from flarewatch.errors import InputError

MAX_FIELD = 20_000  # characters per field
# One timeline entry per field changed, in the reader's language.
FIELD_UPDATED = {
    "went_well": N_("Post-mortem: “What went well” updated"),
    "to_improve": N_("Post-mortem: “What to improve” updated"),
    "lessons": N_("Post-mortem: “Lessons learned” updated"),
    "compensation": N_("Post-mortem: “Compensation offered” updated"),
}
# The fields' names as the page, the report and the timeline show them.
FIELD_NAMES = {
    "went_well": N_("What went well"),
    "to_improve": N_("What to improve"),
    "lessons": N_("Lessons learned"),
    "compensation": N_("Compensation offered"),
}


def review_of(session: Session, case_id: int) -> dict[str, str]:
    """The case's review fields, each "" when not filled in."""
    row = session.get(CaseReview, case_id)
    return {name: (getattr(row, name) or "") if row else "" for name in REVIEW_FIELDS}


def check_review(values: Mapping[str, object]) -> dict[str, str]:
    """The known fields, stripped; an unknown field or a too long text is refused."""
    unknown = sorted(set(values) - set(REVIEW_FIELDS))
    if unknown:
        raise InputError(f"unknown review field {unknown[0]!r}; use {', '.join(REVIEW_FIELDS)}")
    clean: dict[str, str] = {}
    for name, value in values.items():
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_FIELD:
            raise InputError(
                f"the review field {name!r} has {len(text)} characters; keep it under "
                f"{MAX_FIELD} (link a longer document instead)"
            )
        clean[name] = text
    return clean


def save_review(
    session: Session, case: Case, values: Mapping[str, object], actor: str
) -> list[str]:
    """Saves the given fields (others keep their text); returns the names of those changed."""
    clean = check_review(values)
    row = session.get(CaseReview, case.id)
    if row is None:
        row = CaseReview(case_id=case.id, **{name: "" for name in REVIEW_FIELDS})
        session.add(row)
    changed = [
        name for name in REVIEW_FIELDS if name in clean and clean[name] != getattr(row, name)
    ]
    if not changed:
        session.flush()
        return []
    now = utcnow()
    for name in changed:
        setattr(row, name, clean[name])
    row.updated_by, row.updated_at = actor, now
    case.updated_at = now
    for name in changed:
        stored = wording(FIELD_UPDATED[name])
        session.add(
            CaseEvent(
                case_id=case.id,
                at=now,
                kind="review",
                actor=actor,
                text=spoken(stored),
                data={"field": name, **stored},
            )
        )
    session.flush()
    return changed
