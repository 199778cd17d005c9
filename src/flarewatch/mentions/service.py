"""Changes to stored mentions made by people: re-running a topic over history, relevance marks.

Both keep the rollups exact: they rebuild the affected topic-minutes from the stored mentions
instead of adding deltas, so a re-run or a mark applied twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from flarewatch.accounts import service as accounts
from flarewatch.accounts.models import User
from flarewatch.db.base import utcnow
from flarewatch.enrich import Enricher, RelevanceFilter
from flarewatch.enrich.sentiment.base import SentimentModel, predict_each
from flarewatch.errors import NotFoundError
from flarewatch.mentions.models import Author, Mention, RawPost, Rollup
from flarewatch.mentions.post import Post
from flarewatch.mentions.relevance import (
    counts_in_rollups,
    load_relevance,
    relevance_of,
    store_relevance,
)
from flarewatch.pipeline.batch import mention_columns
from flarewatch.pipeline.normalise import normalise_batch
from flarewatch.pipeline.rollup import MentionFacts, minute_of, rollup_batch
from flarewatch.pipeline.store import add_mentions, apply_rollups
from flarewatch.query import Matcher
from flarewatch.workspaces.models import Topic, Workspace
from flarewatch.workspaces.service import workspace_enricher

CHUNK = 1000
# Columns copied from another topic's mention of the same post: it was enriched once already.
_ENRICHED = (
    "language",
    "language_confidence",
    "sentiment",
    "sentiment_score",
    "emotion",
    "emotion_intensity",
    "emotions",
    "spam_score",
    "is_spam",
    "reach",
    "engagement",
    "engagement_velocity",
    "near_dup_of",
    "story_key",
    "relevant",
    "enrichment",
)


@dataclass(slots=True)
class RematchReport:
    added: int = 0
    removed: int = 0
    scanned: int = 0


def post_from_raw(raw: RawPost, author: Author | None = None) -> Post:
    """The in-flight post again, from the ingest fields kept in `raw_post.payload`."""
    p = raw.payload or {}
    return Post(
        external_id=raw.external_id,
        text=p.get("text") or raw.text,
        title=p.get("title", raw.title),
        author=p.get("author") or (author.handle if author else None),
        author_name=p.get("author_name") or (author.name if author else None),
        author_followers=p.get(
            "author_followers", author.followers if author is not None else None
        ),
        author_created_at=author.account_created_at if author is not None else None,
        author_verified=bool(author.verified) if author is not None else False,
        platform=p.get("platform") or raw.platform,
        url=p.get("url", raw.url),
        language=p.get("language"),
        country=p.get("country"),
        # The stored row's time is the normalised one the pipeline wrote; the payload's copy
        # is only a second source of the same value.
        created_at=raw.created_at,
        likes=int(p.get("likes") or 0),
        shares=int(p.get("shares") or 0),
        replies=int(p.get("replies") or 0),
        views=int(p.get("views") or 0),
        reply_to=p.get("reply_to"),
        repost_of=p.get("repost_of"),
        links=list(p.get("links") or []),
        raw=dict(p.get("raw") or {}),
    )


def rebuild_rollups(
    session: Session,
    workspace_id: int,
    topic_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> None:
    """Recompute the topic's rollup rows for [start, end] (whole minutes) from its mentions."""
    low = minute_of(start) if start is not None else None
    high = minute_of(end) if end is not None else None
    gone = delete(Rollup).where(Rollup.topic_id == topic_id)
    query = select(
        Mention.created_at,
        Mention.sentiment,
        Mention.engagement,
        Mention.reach,
        Mention.author_id,
        Mention.platform,
        Mention.is_spam,
        Mention.relevant,
        Mention.enrichment,
    ).where(Mention.topic_id == topic_id)
    if low is not None:
        gone = gone.where(Rollup.minute >= low)
        query = query.where(Mention.created_at >= low)
    if high is not None:
        gone = gone.where(Rollup.minute <= high)
        query = query.where(Mention.created_at < high + timedelta(minutes=1))
    session.execute(gone)
    facts = [
        MentionFacts(
            topic_id=topic_id,
            created_at=created,
            negative=sentiment == "negative",
            engagement=engagement,
            reach=reach,
            author_id=author_id,
            platform=platform,
        )
        for created, sentiment, engagement, reach, author_id, platform, spam, relevant, extra in (
            session.execute(query)
        )
        if counts_in_rollups(spam, relevant, relevance_of(extra))
    ]
    session.flush()
    apply_rollups(session, workspace_id, rollup_batch(facts))


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rematch_topic(
    session: Session,
    topic: Topic,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> RematchReport:
    """Re-evaluate the topic's current query over the workspace's stored posts since `since`.

    Posts that match now and have no mention get one (enriched like the pipeline does); mentions
    whose post no longer matches are deleted; the topic's rollups for the range are rebuilt.
    Duplicates (repeats in the ingest log) are skipped, as the pipeline skips them.
    """
    workspace = session.get_one(Workspace, topic.workspace_id)
    now = now or utcnow()
    report = RematchReport()
    matcher = Matcher()
    matcher.add(topic.id, topic.query, workspace=workspace.slug)

    posts_query = (
        select(RawPost, Author)
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(RawPost.workspace_id == workspace.id, RawPost.duplicate_of_id.is_(None))
        .order_by(RawPost.id)
    )
    mentions_query = select(Mention.raw_post_id, Mention.id).where(Mention.topic_id == topic.id)
    if since is not None:
        posts_query = posts_query.where(RawPost.created_at >= since)
        mentions_query = mentions_query.where(Mention.created_at >= since)
    existing: dict[int, int] = {raw_id: mid for raw_id, mid in session.execute(mentions_query)}

    matched: set[int] = set()
    to_add: list[tuple[RawPost, Post]] = []
    last_id = 0
    while True:
        page = session.execute(posts_query.where(RawPost.id > last_id).limit(CHUNK)).all()
        if not page:
            break
        last_id = page[-1][0].id
        raws = [raw for raw, _ in page]
        posts = normalise_batch([post_from_raw(raw, author) for raw, author in page])
        report.scanned += len(posts)
        for raw, post, keys in zip(
            raws, posts, matcher.match_batch(posts, workspace=workspace.slug), strict=True
        ):
            if not keys:
                continue
            matched.add(raw.id)
            if raw.id not in existing:
                to_add.append((raw, post))

    removed = [mid for raw_id, mid in existing.items() if raw_id not in matched]
    for chunk in _chunks(removed):
        session.execute(delete(Mention).where(Mention.id.in_(list(chunk))))
    report.removed = len(removed)

    if to_add:
        _add_mentions(session, workspace, topic.id, to_add, now)
    report.added = len(to_add)

    if report.added or report.removed:
        session.flush()
        changed = [raw.created_at for raw, _ in to_add]
        if removed or since is None:
            rebuild_rollups(session, workspace.id, topic.id, since)
        else:
            rebuild_rollups(session, workspace.id, topic.id, min(changed), max(changed))
    return report


@dataclass(slots=True)
class RescoreReport:
    posts: int = 0  # distinct stored posts scored again
    mentions_changed: int = 0  # mention rows whose label or score moved
    labels_changed: int = 0  # of those, rows whose label changed
    topics: list[int] = field(default_factory=list)  # topics whose rollups were rebuilt
    failed: int = 0  # posts the model could not score (they keep their score)


def rescore_scope(
    workspace_id: int, topic_id: int | None = None, since: datetime | None = None
) -> Select[tuple[int]]:
    """The raw post ids a re-scoring covers: the workspace's mentions, of `topic_id` when
    given, created at or after `since` when given."""
    scope = select(Mention.raw_post_id).where(Mention.workspace_id == workspace_id)
    if topic_id is not None:
        scope = scope.where(Mention.topic_id == topic_id)
    if since is not None:
        scope = scope.where(Mention.created_at >= since)
    return scope


def rescore_mentions(
    session: Session,
    workspace: Workspace,
    backend: str,
    *,
    topic_id: int | None = None,
    since: datetime | None = None,
    actor: User | str = "cli",
    progress: Callable[[int], None] | None = None,
) -> RescoreReport:
    """Score the sentiment of stored mentions again with another ``backend`` (e.g. the slow,
    accurate "e5" on a crisis topic's last day, while the pipeline runs the fast default).

    Scope: the workspace's mentions, of ``topic_id`` when given, created at or after ``since``
    when given. Sentiment belongs to the post, so every mention of a scored post (in any topic)
    gets the new label and score, and the rollups of every topic touched are rebuilt for the
    range, so charts and the negative share follow. Each mention's enrichment records the backend
    that scored it. Audited. Nothing else about the mentions changes. ``progress`` is called with
    the number of posts done after each chunk. A post the model cannot score keeps its score
    and is counted in ``failed``; the others are still scored.
    """
    from flarewatch.enrich import get_sentiment_model

    model = get_sentiment_model(backend)
    raw_ids = sorted(set(session.scalars(rescore_scope(workspace.id, topic_id, since))))
    report = RescoreReport()
    touched: dict[int, tuple[datetime, datetime]] = {}
    for chunk in _chunks(raw_ids):
        _rescore_chunk(session, workspace, model, backend, chunk, report, touched)
        if progress is not None:
            progress(len(chunk))
    _rebuild_touched(session, workspace.id, touched, report)
    accounts.record_audit(
        session,
        actor,
        "mentions.rescore",
        workspace_id=workspace.id,
        target_type="topic" if topic_id is not None else "workspace",
        target_id=topic_id if topic_id is not None else workspace.id,
        details={
            "backend": backend,
            "since": since.isoformat() if since is not None else None,
            "posts": report.posts,
            "mentions_changed": report.mentions_changed,
            "labels_changed": report.labels_changed,
            "failed": report.failed,
        },
    )
    return report


def rescore_posts(
    session: Session, workspace: Workspace, backend: str, raw_ids: Sequence[int]
) -> RescoreReport:
    """One step of a re-scoring job (mentions/rescore_jobs.py): these stored posts scored again
    with ``backend`` and their topics' rollups rebuilt, so each committed step is whole.
    Not audited here: the job records one audit entry when it ends."""
    from flarewatch.enrich import get_sentiment_model

    report = RescoreReport()
    touched: dict[int, tuple[datetime, datetime]] = {}
    model = get_sentiment_model(backend)
    _rescore_chunk(session, workspace, model, backend, raw_ids, report, touched)
    _rebuild_touched(session, workspace.id, touched, report)
    return report


def _rescore_chunk(
    session: Session,
    workspace: Workspace,
    model: SentimentModel,
    backend: str,
    chunk: Sequence[int],
    report: RescoreReport,
    touched: dict[int, tuple[datetime, datetime]],
) -> None:
    rows = session.execute(
        select(RawPost, Author)
        .outerjoin(Author, Author.id == RawPost.author_id)
        .where(RawPost.id.in_(list(chunk)))
        .order_by(RawPost.id)
    ).all()
    posts = normalise_batch([post_from_raw(raw, author) for raw, author in rows])
    mentions = list(
        session.scalars(
            select(Mention).where(
                Mention.workspace_id == workspace.id,
                Mention.raw_post_id.in_([raw.id for raw, _ in rows]),
            )
        )
    )
    language: dict[int, str] = {}
    for m in mentions:
        language.setdefault(m.raw_post_id, m.language or "und")
    scored = predict_each(
        model,
        [p.clean_text or p.text for p in posts],
        [language.get(raw.id, "und") for raw, _ in rows],
    )
    by_raw = {
        raw.id: (result[0], round(result[1], 4))
        for (raw, _), result in zip(rows, scored, strict=True)
        if result is not None
    }
    report.failed += len(rows) - len(by_raw)
    for m in mentions:
        if m.raw_post_id not in by_raw:
            continue  # the model could not score it: it keeps its score and its backend
        label, score = by_raw[m.raw_post_id]
        if (m.sentiment, m.sentiment_score) != (label, score):
            report.mentions_changed += 1
            report.labels_changed += m.sentiment != label
            m.sentiment, m.sentiment_score = label, score
            low, high = touched.get(m.topic_id, (m.created_at, m.created_at))
            touched[m.topic_id] = (min(low, m.created_at), max(high, m.created_at))
        m.enrichment = {**(m.enrichment or {}), "sentiment_backend": backend}
    report.posts += len(rows)
    session.flush()


def _rebuild_touched(
    session: Session,
    workspace_id: int,
    touched: dict[int, tuple[datetime, datetime]],
    report: RescoreReport,
) -> None:
    for topic, (low, high) in sorted(touched.items()):
        rebuild_rollups(session, workspace_id, topic, low, high)
    report.topics = sorted({*report.topics, *touched})


def _add_mentions(
    session: Session,
    workspace: Workspace,
    topic_id: int,
    to_add: list[tuple[RawPost, Post]],
    now: datetime,
) -> None:
    enricher: Enricher | None = None
    relevance = load_relevance(session, workspace.id)
    for chunk in _chunks(to_add):
        ids = [raw.id for raw, _ in chunk]
        # A post another topic already matched was enriched then: reuse that, stay consistent.
        known: dict[int, Mention] = {}
        for m in session.scalars(select(Mention).where(Mention.raw_post_id.in_(ids))):
            known.setdefault(m.raw_post_id, m)
        fresh = [(raw, post) for raw, post in chunk if raw.id not in known]
        enriched: dict[int, dict[str, Any]] = {}
        if fresh:
            enricher = enricher or workspace_enricher(workspace)
            for (raw, _), enrichment in zip(
                fresh,
                enricher.enrich_batch([p for _, p in fresh], now=now, relevance=relevance),
                strict=True,
            ):
                enriched[raw.id] = mention_columns(enrichment)
        rows = []
        for raw, _ in chunk:
            if raw.id in known:
                columns = {name: getattr(known[raw.id], name) for name in _ENRICHED}
            else:
                columns = enriched[raw.id]
            rows.append(
                {
                    "workspace_id": workspace.id,
                    "raw_post_id": raw.id,
                    "topic_id": topic_id,
                    "author_id": raw.author_id,
                    "platform": raw.platform,
                    "created_at": raw.created_at,
                    **columns,
                }
            )
        add_mentions(session, rows)


@dataclass(slots=True)
class RelevanceMark:
    raw_post_id: int
    relevant: bool
    mentions: int
    trained: bool


def mark_relevance(
    session: Session,
    mention_id: int,
    relevant: bool,
    actor: User | str,
    *,
    workspace_id: int,
) -> RelevanceMark:
    """A person's mark on a mention's post: set on all its mentions, train the filter, audit.

    Marking a post the way it is already marked does not train the filter twice. The post's
    topic-minutes are rebuilt, so a post marked not relevant stops counting at once.
    """
    mention = session.get(Mention, mention_id)
    if mention is None or mention.workspace_id != workspace_id:
        raise NotFoundError(f"No mention {mention_id} in this workspace.")
    raw = session.get_one(RawPost, mention.raw_post_id)
    siblings = list(
        session.scalars(
            select(Mention).where(
                Mention.raw_post_id == raw.id, Mention.workspace_id == workspace_id
            )
        )
    )
    already = all(m.relevant is relevant for m in siblings)
    trained = False
    if not already:
        model = load_relevance(session, workspace_id) or RelevanceFilter()
        author = session.get(Author, raw.author_id) if raw.author_id is not None else None
        [post] = normalise_batch([post_from_raw(raw, author)])
        # The same text the pipeline scores: the normalised one.
        model.mark(post.clean_text or post.text, relevant)
        store_relevance(session, workspace_id, model)
        trained = True
    session.execute(
        update(Mention)
        .where(Mention.raw_post_id == raw.id, Mention.workspace_id == workspace_id)
        .values(relevant=relevant)
    )
    session.flush()
    for topic_id in sorted({m.topic_id for m in siblings}):
        rebuild_rollups(session, workspace_id, topic_id, raw.created_at, raw.created_at)
    accounts.record_audit(
        session,
        actor,
        "mention.relevant" if relevant else "mention.not_relevant",
        workspace_id=workspace_id,
        target_type="mention",
        target_id=mention_id,
        details={"raw_post_id": raw.id, "mentions": len(siblings), "trained": trained},
    )
    return RelevanceMark(raw.id, relevant, len(siblings), trained)
