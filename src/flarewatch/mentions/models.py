"""Stored posts: the durable ingest log, authors, mentions (post x topic), per-minute rollups,
and what people put on posts in the inbox (tags, assignment, saved views)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from flarewatch.db.base import Base, UTCDateTime, utcnow


class Author(Base):
    __tablename__ = "author"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "handle"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    followers: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    account_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posts_seen: Mapped[int] = mapped_column(Integer, default=0)


class RawPost(Base):
    """Every post a source produced, exactly once per (source, external id)."""

    __tablename__ = "raw_post"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index("ix_raw_post_workspace_hash", "workspace_id", "content_hash"),
        Index("ix_raw_post_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(300))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"), nullable=True)
    platform: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("raw_post.id"), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Mention(Base):
    """A post that matched a topic, with its enrichment."""

    __tablename__ = "mention"
    __table_args__ = (
        UniqueConstraint("raw_post_id", "topic_id"),
        Index("ix_mention_topic_created", "topic_id", "created_at"),
        Index("ix_mention_workspace_created", "workspace_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    raw_post_id: Mapped[int] = mapped_column(ForeignKey("raw_post.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"), nullable=True)
    platform: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    language: Mapped[str] = mapped_column(String(8), default="und")
    language_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    sentiment: Mapped[str] = mapped_column(String(16), default="neutral")
    sentiment_score: Mapped[float] = mapped_column(Float, default=0.0)
    emotion: Mapped[str | None] = mapped_column(String(16), nullable=True)
    emotion_intensity: Mapped[float] = mapped_column(Float, default=0.0)
    emotions: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    spam_score: Mapped[float] = mapped_column(Float, default=0.0)
    is_spam: Mapped[bool] = mapped_column(Boolean, default=False)
    reach: Mapped[float] = mapped_column(Float, default=0.0)
    engagement: Mapped[float] = mapped_column(Float, default=0.0)
    engagement_velocity: Mapped[float] = mapped_column(Float, default=0.0)
    near_dup_of: Mapped[str | None] = mapped_column(String(300), nullable=True)
    story_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # None until a person marks it; False trains the workspace's relevance filter.
    relevant: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    enrichment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Rollup(Base):
    """Per topic per minute aggregates that detection reads instead of scanning mentions."""

    __tablename__ = "rollup"
    __table_args__ = (UniqueConstraint("topic_id", "minute"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    minute: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    negative_count: Mapped[int] = mapped_column(Integer, default=0)
    engagement: Mapped[float] = mapped_column(Float, default=0.0)
    unique_authors: Mapped[int] = mapped_column(Integer, default=0)
    reach: Mapped[float] = mapped_column(Float, default=0.0)
    # Author ids and platforms seen this minute, so re-rolling a late batch stays exact.
    author_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    platforms: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class WorkspaceModel(Base):
    """A model a workspace trains itself, e.g. the relevance filter its people's marks train."""

    __tablename__ = "workspace_model"
    __table_args__ = (UniqueConstraint("workspace_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RescoreJob(Base):
    """A re-scoring of stored mentions started from the web UI (mentions/rescore_jobs.py).

    Its progress lives here rather than in the server's memory, so the page's live progress
    reads the same row from any process, and a job cut short by a restart resumes after the
    last post it committed (`last_raw_post_id`).
    """

    __tablename__ = "rescore_job"
    __table_args__ = (Index("ix_rescore_job_workspace", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topic.id", ondelete="SET NULL"), nullable=True
    )
    backend: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # queued, running, done, failed
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)  # distinct posts in scope
    done: Mapped[int] = mapped_column(Integer, default=0)  # posts scored (or given up on)
    failed: Mapped[int] = mapped_column(Integer, default=0)  # posts the model could not score
    changed: Mapped[int] = mapped_column(Integer, default=0)  # mentions whose score moved
    last_raw_post_id: Mapped[int] = mapped_column(Integer, default=0)  # resume after this one
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostTag(Base):
    """A tag a person put on a post (lower case, without '#'): the inbox filters by it."""

    __tablename__ = "post_tag"
    __table_args__ = (
        UniqueConstraint("raw_post_id", "tag"),
        Index("ix_post_tag_workspace_tag", "workspace_id", "tag"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    raw_post_id: Mapped[int] = mapped_column(ForeignKey("raw_post.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostAssignment(Base):
    """The one workspace member a post is assigned to, to answer or to look into."""

    __tablename__ = "post_assignment"
    __table_args__ = (Index("ix_post_assignment_workspace_user", "workspace_id", "user_id"),)

    raw_post_id: Mapped[int] = mapped_column(
        ForeignKey("raw_post.id", ondelete="CASCADE"), primary_key=True
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    assigned_by: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedView(Base):
    """A person's named set of inbox filters."""

    __tablename__ = "saved_view"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
