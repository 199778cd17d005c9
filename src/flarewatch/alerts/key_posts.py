"""An alert's key posts as people see them: who wrote each, how far it reached, its sentiment,
and how many near-identical copies it stands for ("and 37 similar posts").

Detection already chose and ranked them (`detect/runner.rank_key_posts`: no positive chatter,
one post per near-duplicate cluster, negative and far-reaching first); this reads the figures
behind each for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session

from flarewatch.alerts.models import Alert
from flarewatch.alerts.service import alert_posts
from flarewatch.mentions.models import Author, Mention, RawPost


@dataclass(slots=True)
class KeyPost:
    post: RawPost
    author: str | None
    followers: int | None
    reach: float
    sentiment: str
    similar: int  # other posts of its near-duplicate cluster in the alert's window


def key_posts(session: Session, alert: Alert, limit: int = 10) -> list[KeyPost]:
    # An alert merges the key posts of its updates, and two updates may have picked different
    # posts of one cluster: fold again here, from a few more than are shown.
    posts = alert_posts(session, alert, limit * 3)
    if not posts:
        return []
    ids = [p.id for p in posts]
    facts: dict[int, tuple[float, str, str | None]] = {}
    query = select(Mention.raw_post_id, Mention.reach, Mention.sentiment, Mention.near_dup_of)
    query = query.where(Mention.raw_post_id.in_(ids))
    if alert.topic_id is not None:
        query = query.where(Mention.topic_id == alert.topic_id)
    for raw_id, reach, sentiment, near in session.execute(query):
        facts.setdefault(raw_id, (reach or 0.0, sentiment or "neutral", near))
    wanted = {p.author_id for p in posts if p.author_id is not None}
    authors: dict[int, tuple[str, int | None]] = {
        row.id: (row.handle, row.followers)
        for row in session.execute(
            select(Author.id, Author.handle, Author.followers).where(Author.id.in_(wanted))
        )
    }
    out: list[KeyPost] = []
    clusters: set[str] = set()
    for post in posts:
        reach, sentiment, near = facts.get(post.id, (0.0, "neutral", None))
        cluster = near or post.external_id
        if cluster in clusters or sentiment == "positive":
            continue
        if len(out) == limit:
            break
        clusters.add(cluster)
        handle, followers = authors.get(post.author_id or 0, (None, None))
        out.append(
            KeyPost(
                post=post,
                author=handle,
                followers=followers,
                reach=reach,
                sentiment=sentiment,
                similar=_similar(session, alert, cluster, post.id),
            )
        )
    return out


def _similar(session: Session, alert: Alert, cluster: str, post_id: int) -> int:
    """Posts in the same near-duplicate cluster and the alert's window, this one aside."""
    query = (
        select(func.count(distinct(Mention.raw_post_id)))
        .join(RawPost, RawPost.id == Mention.raw_post_id)
        .where(
            Mention.workspace_id == alert.workspace_id,
            or_(Mention.near_dup_of == cluster, RawPost.external_id == cluster),
            Mention.raw_post_id != post_id,
            Mention.created_at >= alert.window_start,
            Mention.created_at < alert.window_end,
        )
    )
    if alert.topic_id is not None:
        query = query.where(Mention.topic_id == alert.topic_id)
    return int(session.scalar(query) or 0)
