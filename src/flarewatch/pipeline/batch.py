"""One batch through the pipeline: normalise → dedup → match → enrich → store → roll up.

The caller owns the transaction: it commits the batch together with the source's new
checkpoint, which is what makes ingestion exactly-once across restarts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from flarewatch.enrich import Enrichment
from flarewatch.mentions.post import Post
from flarewatch.mentions.relevance import counts_in_rollups
from flarewatch.pipeline.context import WorkspaceContext
from flarewatch.pipeline.dedup import dedup_batch, split_known
from flarewatch.pipeline.normalise import normalise_batch
from flarewatch.pipeline.rollup import MentionFacts, rollup_batch
from flarewatch.pipeline.store import (
    add_mentions,
    apply_rollups,
    existing_external_ids,
    insert_raw_posts,
    known_identities,
    upsert_authors,
)


@dataclass(slots=True)
class BatchReport:
    received: int = 0
    already_stored: int = 0
    stored: int = 0
    duplicates: int = 0
    mentions: int = 0
    spam: int = 0
    filtered: int = 0  # scored not relevant by the workspace's filter
    newest: datetime | None = None

    def add(self, other: BatchReport) -> None:
        self.received += other.received
        self.already_stored += other.already_stored
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.mentions += other.mentions
        self.spam += other.spam
        self.filtered += other.filtered
        if other.newest and (self.newest is None or other.newest > self.newest):
            self.newest = other.newest


def mention_columns(enrichment: Enrichment) -> dict[str, Any]:
    """The mention columns an enrichment fills; what has no column of its own goes to JSON."""
    return {
        "language": enrichment.language,
        "language_confidence": enrichment.language_confidence,
        "sentiment": enrichment.sentiment,
        "sentiment_score": enrichment.sentiment_score,
        "emotion": enrichment.emotion,
        "emotion_intensity": enrichment.emotion_intensity,
        "emotions": enrichment.emotions,
        "spam_score": enrichment.spam_score,
        "is_spam": enrichment.is_spam,
        "reach": enrichment.reach,
        "engagement": enrichment.engagement,
        "engagement_velocity": enrichment.engagement_velocity,
        "enrichment": {
            "relevance": enrichment.relevance,
            "spam_signals": enrichment.spam_signals,
            "sentiment_backend": enrichment.sentiment_backend,
        },
    }


def first_of_each_id(posts: Sequence[Post]) -> list[Post]:
    """The posts in order, without later copies of an external id already seen."""
    seen: set[str] = set()
    kept: list[Post] = []
    for post in posts:
        if post.external_id not in seen:
            seen.add(post.external_id)
            kept.append(post)
    return kept


def process_batch(
    session: Session,
    context: WorkspaceContext,
    source_id: int,
    posts: Sequence[Post],
    now: datetime,
) -> BatchReport:
    report = BatchReport(received=len(posts))
    normalised = normalise_batch(posts)
    stored_ids = existing_external_ids(session, source_id, normalised)
    fresh = [p for p in normalised if p.external_id not in stored_ids]
    report.already_stored = len(normalised) - len(fresh)
    if not fresh:
        return report

    # The same id twice in one batch is one post: the first copy is stored, the others are
    # counted as already stored (they are, by the first), never as new.
    kept = first_of_each_id(fresh)
    report.already_stored = len(normalised) - len(kept)
    deduped = dedup_batch(kept)
    originals, repeats = split_known(
        deduped.unique, known_identities(session, context.workspace_id, deduped.unique)
    )
    author_ids = upsert_authors(session, context.workspace_id, kept)
    rows = insert_raw_posts(session, context.workspace_id, source_id, originals, author_ids)
    # Repeats are kept in the ingest log, pointing at what they repeat, so nothing is lost.
    duplicate_of = dict(repeats)
    for ext, original in deduped.duplicates.items():
        # The batch's first copy may itself repeat a stored post: point at the stored one then.
        duplicate_of[ext] = rows[original].id if original in rows else repeats[original]
    by_id = {p.external_id: p for p in kept}
    insert_raw_posts(
        session,
        context.workspace_id,
        source_id,
        [by_id[ext] for ext in duplicate_of],
        author_ids,
        duplicate_of=duplicate_of,
    )
    report.stored = len(originals) + len(duplicate_of)  # the raw_post rows just written
    report.duplicates = len(duplicate_of)
    report.newest = max(p.created_at for p in kept)

    matched = context.matcher.match_batch(originals, workspace=context.slug)
    hits = [(post, keys) for post, keys in zip(originals, matched, strict=True) if keys]
    if not hits:
        return report
    hit_posts = [post for post, _ in hits]
    enrichments = context.enricher.enrich_batch(hit_posts, now=now, relevance=context.relevance)
    near = context.near_duplicates.add_batch(hit_posts)

    mentions: list[dict[str, Any]] = []
    facts: list[MentionFacts] = []
    for (post, topic_ids), enrichment, dup in zip(hits, enrichments, near, strict=True):
        row = rows[post.external_id]
        report.spam += int(enrichment.is_spam)
        counted = counts_in_rollups(enrichment.is_spam, None, enrichment.relevance)
        report.filtered += int(not enrichment.is_spam and not counted)
        columns = mention_columns(enrichment)
        for topic_id in topic_ids:
            mentions.append(
                {
                    "workspace_id": context.workspace_id,
                    "raw_post_id": row.id,
                    "topic_id": topic_id,
                    "author_id": row.author_id,
                    "platform": post.platform,
                    "created_at": post.created_at,
                    "near_dup_of": dup.original_id,
                    **columns,
                }
            )
            # Spam and posts the relevance filter rejects stay stored (and can be shown), but
            # do not move the series detection reads.
            if counted:
                facts.append(
                    MentionFacts(
                        topic_id=topic_id,
                        created_at=post.created_at,
                        negative=enrichment.sentiment == "negative",
                        engagement=enrichment.engagement,
                        reach=enrichment.reach,
                        author_id=row.author_id,
                        platform=post.platform,
                    )
                )
    add_mentions(session, mentions)
    apply_rollups(session, context.workspace_id, rollup_batch(facts))
    report.mentions = len(mentions)
    return report
