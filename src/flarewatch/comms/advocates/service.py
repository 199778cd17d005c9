"""Briefing advocates on a case: pick them (by default those whose topics and languages match
the case), pick approved facts (the approved, locked text of the case's drafts only: every
fact passes the approval gate `comms.drafts.approved_text` before anything goes out), send the
briefing on each advocate's contact route or mark it "by hand", and make one follow-up task
per advocate. Every briefing is stored (`advocate_briefing`) and written on the timeline.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.wording import wording
from flarewatch.cases.models import Case
from flarewatch.cases.service import add_task, get_case
from flarewatch.cases.timeline import add_entry
from flarewatch.comms.advocates.config import AdvocateConfig
from flarewatch.comms.advocates.models import AdvocateBriefing
from flarewatch.comms.advocates.render import render_briefing
from flarewatch.comms.drafts import approved_text, get_draft
from flarewatch.comms.models import Draft, DraftVersion
from flarewatch.comms.stakeholders.build import case_topic_ids
from flarewatch.comms.stakeholders.delivery import deliver, failure_reason
from flarewatch.detect.explain import N_
from flarewatch.digests.render import RenderedDigest
from flarewatch.digests.service import resolve_targets
from flarewatch.errors import InputError, InvalidTransitionError, NotFoundError
from flarewatch.i18n.languages import LANGUAGES, translations_for, workspace_language
from flarewatch.mentions.models import Mention
from flarewatch.workspaces.models import Topic, Workspace

log = logging.getLogger(__name__)
FOLLOW_UP_AFTER = timedelta(hours=24)
TIMELINE_KIND = "advocates"

BRIEFED = N_("Advocate %(advocate)s briefed with the approved text of drafts %(drafts)s")
BRIEFED_BY_HAND = N_(
    "Briefing of advocate %(advocate)s with the approved text of drafts %(drafts)s: to be "
    "sent by hand"
)
BRIEF_FAILED = N_(
    "Briefing of advocate %(advocate)s could not be sent (%(error)s); pass it on by hand"
)
# The follow-up task, titled in the workspace's language (task titles are stored as text).
TASK_FOLLOW_UP = N_("Follow up with advocate %(advocate)s on the briefing")
TASK_BY_HAND = N_("Send the briefing to advocate %(advocate)s by hand, then follow up")


def advocates_of(workspace: Workspace) -> list[AdvocateConfig]:
    """The workspace's `[[advocates]]`; an unreadable one is logged and left out."""
    out = []
    for n, raw in enumerate((workspace.config or {}).get("advocates") or []):
        try:
            out.append(AdvocateConfig.model_validate(raw))
        except ValidationError as err:
            log.error("workspace %s: advocates[%s] unreadable: %s", workspace.slug, n, err)
    return out


def case_topic_keys(session: Session, case: Case) -> set[str]:
    ids = case_topic_ids(session, case)
    if not ids:
        return set()
    return set(session.scalars(select(Topic.key).where(Topic.id.in_(ids))))


def case_languages(session: Session, case: Case, workspace: Workspace) -> list[str]:
    """The languages of the case's key posts, most used first; else the workspace's."""
    alert = session.get(Alert, case.alert_id) if case.alert_id is not None else None
    posts = list(alert.post_ids or []) if alert is not None else []
    counted: Counter[str] = Counter()
    if posts:
        rows = session.execute(
            select(Mention.raw_post_id, Mention.language).where(Mention.raw_post_id.in_(posts))
        )
        counted.update(dict(rows.tuples().all()).values())
    counted.pop("und", None)
    return [code for code, _ in counted.most_common()] or list(workspace.languages or ["en"])


def matching_advocates(session: Session, case: Case) -> list[AdvocateConfig]:
    """Advocates whose topics include one of the case's (none listed: every topic) and who
    speak one of its languages (none listed: any)."""
    workspace = session.get_one(Workspace, case.workspace_id)
    topics = case_topic_keys(session, case)
    languages = set(case_languages(session, case, workspace))
    return [
        a
        for a in advocates_of(workspace)
        if (not a.topics or topics & set(a.topics))
        and (not a.languages or languages & set(a.languages))
    ]


def briefing_language(advocate: AdvocateConfig, workspace: Workspace) -> str:
    """The advocate's first language with a catalogue, else the workspace's."""
    for code in advocate.languages:
        if code in LANGUAGES:
            return code
    return workspace_language(list(workspace.languages or []))


def approved_facts(
    session: Session, case: Case, draft_ids: Sequence[int]
) -> list[tuple[Draft, DraftVersion]]:
    """Each draft's approved, locked version, through the approval gate. A draft of another
    case is not found here; a draft whose current text is not approved is refused (409)."""
    if not draft_ids:
        raise InputError(
            "a briefing needs at least one approved fact; name the approved drafts to send "
            "(--draft N, `flarewatch cases show` lists the case's drafts)"
        )
    facts = []
    for draft_id in dict.fromkeys(draft_ids):
        draft = get_draft(session, draft_id, workspace_id=case.workspace_id)
        if draft.case_id != case.id:
            raise NotFoundError(
                f"draft #{draft_id} belongs to case #{draft.case_id}, not case #{case.id}; "
                "brief advocates with the facts approved for this case"
            )
        facts.append((draft, approved_text(session, draft)))
    return facts


def pick_advocates(
    session: Session, case: Case, keys: Sequence[str] | None
) -> list[AdvocateConfig]:
    workspace = session.get_one(Workspace, case.workspace_id)
    if keys:
        known = {a.key: a for a in advocates_of(workspace)}
        missing = [k for k in keys if k not in known]
        if missing:
            have = ", ".join(known) or "none"
            raise InputError(
                f"unknown advocate {', '.join(map(repr, missing))}; this workspace's "
                f"advocates: {have} (`flarewatch advocates list`)"
            )
        return [known[k] for k in dict.fromkeys(keys)]
    chosen = matching_advocates(session, case)
    if not chosen:
        raise InputError(
            f"no advocate of workspace {workspace.slug!r} matches case #{case.id}'s topics and "
            "languages; name them with --advocate KEY (`flarewatch advocates list`), or add "
            "[[advocates]] to the workspace file"
        )
    return chosen


def brief_advocates(
    session: Session,
    case_id: int,
    draft_ids: Sequence[int],
    actor: str,
    *,
    advocate_keys: Sequence[str] | None = None,
    workspace_id: int | None = None,
    now: datetime,
) -> list[AdvocateBriefing]:
    """Briefs the chosen advocates with the approved facts; the caller commits. The facts are
    checked first, so a refused fact sends nothing to anyone."""
    case = get_case(session, case_id, workspace_id=workspace_id)
    if case.status == "closed":
        raise InvalidTransitionError(
            f"case #{case.id} is closed; reopen it before briefing advocates on it"
        )
    facts = approved_facts(session, case, draft_ids)
    chosen = pick_advocates(session, case, advocate_keys)
    workspace = session.get_one(Workspace, case.workspace_id)
    texts = [version.text for _, version in facts]
    record = [{"draft": draft.id, "version": version.number} for draft, version in facts]
    drafts_named = ", ".join(f"#{draft.id}" for draft, _ in facts)
    out = []
    for advocate in chosen:
        language = briefing_language(advocate, workspace)
        rendered = render_briefing(workspace.name, advocate.name, texts, language)
        status, error = _send(workspace, advocate, rendered, case.severity)
        task = add_task(
            session,
            case.id,
            _task_title(workspace, advocate, by_hand=status != "sent"),
            actor,
            assignee=actor if "@" in actor else None,
            due_at=now + FOLLOW_UP_AFTER,
        )
        row = AdvocateBriefing(
            workspace_id=workspace.id,
            case_id=case.id,
            advocate=advocate.key,
            facts=record,
            language=language,
            status=status,
            error=error,
            task_id=task.id,
            actor=actor,
            at=now,
        )
        session.add(row)
        session.flush()
        if status == "sent":
            said = wording(BRIEFED, advocate=advocate.name, drafts=drafts_named)
        elif status == "by_hand":
            said = wording(BRIEFED_BY_HAND, advocate=advocate.name, drafts=drafts_named)
        else:
            said = wording(BRIEF_FAILED, advocate=advocate.name, error=error or "")
        data = {"briefing_id": row.id, "advocate": advocate.key, "task_id": task.id}
        add_entry(session, case, TIMELINE_KIND, actor, said, now, {**data, "facts": record})
        out.append(row)
    case.updated_at = now
    session.flush()
    return out


def briefings(session: Session, case_id: int) -> list[AdvocateBriefing]:
    """The case's briefings, newest first."""
    return list(
        session.scalars(
            select(AdvocateBriefing)
            .where(AdvocateBriefing.case_id == case_id)
            .order_by(AdvocateBriefing.id.desc())
        )
    )


def _send(
    workspace: Workspace, advocate: AdvocateConfig, rendered: RenderedDigest, severity: str
) -> tuple[str, str | None]:
    """("sent" | "by_hand" | "failed", error): each URL the contact names until one takes it."""
    if advocate.by_hand:
        return "by_hand", None
    targets = resolve_targets(workspace, [advocate.contact], "advocate")
    if not targets:
        return "failed", "the contact names no known route or person; check `workspace check`"
    errors = []
    for label, url in targets:
        try:
            deliver(url, rendered, severity)
        except Exception as err:  # noqa: BLE001 - the briefing is kept; a person passes it on
            errors.append(f"{label}: {failure_reason(err)}")
        else:
            return "sent", None
    return "failed", "; ".join(errors)[:500]


def _task_title(workspace: Workspace, advocate: AdvocateConfig, *, by_hand: bool) -> str:
    language = workspace_language(list(workspace.languages or []))
    gettext = translations_for(language).gettext
    return gettext(TASK_BY_HAND if by_hand else TASK_FOLLOW_UP) % {"advocate": advocate.name}
