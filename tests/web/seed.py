"""Test data for the web tests, written through the models and services (not the demo runner)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from flarewatch.accounts import service as accounts
from flarewatch.alerts.models import Alert
from flarewatch.cases import service as cases
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope
from flarewatch.mentions.models import Author, Mention, RawPost, RescoreJob
from flarewatch.sources.models import Source
from flarewatch.workspaces.models import Topic, Workspace

PASSWORD = "correct-horse-1"
ROLES = ("admin", "analyst", "responder", "approver", "viewer")
TEXTS = [
    ("en", "negative", "Acme Air lost my luggage again, worst airline ever"),
    ("he", "negative", "אקמה איבדו לי את המזוודה, שירות נוראי"),
    ("pl", "neutral", "Acme ogłosiła nowe połączenie do Gdańska"),
    ("en", "positive", "Great flight with Acme today, friendly crew!"),
    ("he", "positive", "טיסה מצוינת עם אקמה, צוות נחמד"),
    ("en", "neutral", "Acme share price steady after the announcement"),
]


@dataclass
class Seeded:
    workspaces: dict[str, int] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # "acme-viewer" -> email
    alerts: dict[str, list[int]] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    tasks: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    rescore_jobs: dict[str, int] = field(default_factory=dict)  # a finished one per workspace
    now: datetime = field(default_factory=utcnow)


def _post(
    session,
    ws: Workspace,
    source: Source,
    topic: Topic,
    author: Author,
    i: int,
    lang: str,
    mood: str,
    text: str,
    at: datetime,
) -> Mention:  # type: ignore[no-untyped-def]
    raw = RawPost(
        workspace_id=ws.id,
        source_id=source.id,
        external_id=f"{ws.slug}-{i}",
        author_id=author.id,
        platform=author.platform,
        url=f"https://example.com/{ws.slug}/{i}",
        text=text,
        content_hash=hashlib.sha256(f"{ws.slug}{i}{text}".encode()).hexdigest(),
        payload={"language": lang},
        created_at=at,
    )
    session.add(raw)
    session.flush()
    mention = Mention(
        workspace_id=ws.id,
        raw_post_id=raw.id,
        topic_id=topic.id,
        author_id=author.id,
        platform=author.platform,
        created_at=at,
        language=lang,
        sentiment=mood,
        sentiment_score={"negative": -0.6, "neutral": 0.0, "positive": 0.7}[mood],
    )
    session.add(mention)
    session.flush()
    return mention


def add_mention(
    engine: Engine, seeded: Seeded, key: str, text: str, *, lang: str = "en", mood: str = "negative"
) -> int:
    """A new mention in workspace `key`, as the pipeline in another process would write it."""
    with session_scope(engine) as session:
        ws = session.get_one(Workspace, seeded.workspaces[key])
        source = session.query(Source).filter_by(workspace_id=ws.id).one()
        topic = session.get_one(Topic, seeded.topics[key])
        author = session.query(Author).filter_by(workspace_id=ws.id).first()
        assert author is not None
        count = session.query(RawPost).filter_by(workspace_id=ws.id).count()
        return _post(
            session, ws, source, topic, author, count + 1000, lang, mood, text, utcnow()
        ).id


def add_alert(
    engine: Engine, seeded: Seeded, key: str, title: str, severity: str = "crisis"
) -> int:
    with session_scope(engine) as session:
        now = utcnow()
        alert = Alert(
            workspace_id=seeded.workspaces[key],
            topic_id=seeded.topics[key],
            group_key=f"{key}:{title}",
            severity=severity,
            risk_score=87.5,
            status="open",
            title=title,
            explanation="Negative mentions are 6× the usual rate.",
            factors=[{"name": "volume", "detail": "6× baseline"}],
            post_ids=[],
            window_start=now - timedelta(minutes=30),
            window_end=now,
        )
        session.add(alert)
        session.flush()
        return alert.id


def seed(engine: Engine) -> Seeded:
    out = Seeded()
    now = out.now
    with session_scope(engine) as session:
        for key, name, tz in (
            ("acme", "Acme Air", "Asia/Jerusalem"),
            ("globex", "Globex", "Europe/Warsaw"),
        ):
            ws = Workspace(slug=key, name=name, timezone=tz, languages=["en", "he", "pl"])
            session.add(ws)
            session.flush()
            out.workspaces[key], out.slugs[key] = ws.id, ws.slug
            source = Source(workspace_id=ws.id, key="feed", kind="file", config={})
            topic = Topic(
                workspace_id=ws.id,
                key="brand",
                name=f"{name} brand",
                query=key if key == "globex" else 'acme OR "acme air" OR אקמה',
            )
            other = Topic(workspace_id=ws.id, key="service", name="Service", query="crew")
            session.add_all([source, topic, other])
            session.flush()
            out.topics[key] = topic.id
            out.sources[key] = source.id
            job = RescoreJob(
                workspace_id=ws.id,
                topic_id=topic.id,
                backend="use",
                status="done",
                created_by=f"{key}-admin@example.com",
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            session.flush()
            out.rescore_jobs[key] = job.id
            authors = [
                Author(
                    workspace_id=ws.id,
                    platform=platform,
                    handle=f"{key}_{handle}",
                    followers=followers,
                )
                for platform, handle, followers in (
                    ("twitter", "dana", 12000),
                    ("reddit", "yossi", 300),
                    ("news", "daily", 90000),
                )
            ]
            session.add_all(authors)
            session.flush()
            last: Mention | None = None
            # A calm baseline for four hours, then a negative spike in the last 20 minutes, so
            # the charts show a band, a surge and the alerts on it.
            schedule = [(now - timedelta(minutes=240 - 5 * i), i) for i in range(44)]
            schedule += [(now - timedelta(seconds=1200 - 50 * j), 100 + j) for j in range(24)]
            for at, i in schedule:
                lang, mood, text = TEXTS[i % len(TEXTS)] if i < 100 else TEXTS[(i % 2)]
                last = _post(
                    session,
                    ws,
                    source,
                    topic if i % 4 else other,
                    authors[i % len(authors)],
                    i,
                    lang,
                    mood,
                    f"{text} ({key} #{i})",
                    at,
                )
            assert last is not None
            out.mentions[key] = last.id
            alert_ids = []
            for title, severity in (
                (f"{name}: lost-luggage complaints surge", "crisis"),
                (f"{name}: negative mentions rising", "warning"),
            ):
                alert = Alert(
                    workspace_id=ws.id,
                    topic_id=topic.id,
                    group_key=f"{key}:{severity}",
                    severity=severity,
                    risk_score=80.0 if severity == "crisis" else 55.0,
                    status="open",
                    title=title,
                    explanation="Negative mentions are 5× the usual rate for this hour.",
                    factors=[{"name": "volume", "detail": "5× baseline"}],
                    post_ids=[],
                    window_start=now - timedelta(hours=1),
                    window_end=now,
                    created_at=now - timedelta(minutes=10 if severity == "crisis" else 40),
                )
                session.add(alert)
                session.flush()
                alert_ids.append(alert.id)
            out.alerts[key] = alert_ids
            case = cases.open_case_from_alert(session, alert_ids[1], "system", workspace_id=ws.id)
            cases.add_note(
                session,
                case.id,
                "הודעה ללקוחות נשלחה — holding statement sent",
                "system",
                workspace_id=ws.id,
            )
            task = cases.add_task(session, case.id, "Draft a reply", "system", workspace_id=ws.id)
            out.cases[key] = case.id
            out.tasks[key] = task.id
            for role in ROLES:
                user = accounts.create_user(
                    session, f"{role}@{key}.test", f"{role.title()} {key}", PASSWORD
                )
                accounts.add_member(session, ws, user, role)
                out.users[f"{key}-{role}"] = user.email
                if role == "admin":
                    token, _ = accounts.create_token(session, user, "seed")
                    out.tokens[key] = token.id
    return out
