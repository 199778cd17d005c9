"""Mention (mention.com) alert exports: one CSV per alert with the mention, its source and
author, tone and reach."""

from __future__ import annotations

from flarewatch.sources.exports.preset import Preset

PRESET = Preset(
    name="mention",
    title="Mention",
    shape="table",
    columns={
        "id": ("Mention ID", "Id"),
        "text": ("Description", "Text", "Title"),
        "title": ("Title",),
        "author": ("Author Handle", "Author Username", "Author"),
        "author_name": ("Author Name", "Author"),
        "author_followers": ("Author Followers", "Followers"),
        "created_at": ("Published At", "Published Date", "Date"),
        "url": ("URL", "Original URL"),
        "platform": ("Source Type", "Source Name", "Source"),
        "country": ("Country",),
        "language": ("Language",),
        "likes": ("Likes",),
        "shares": ("Shares",),
        "replies": ("Comments",),
        "views": ("Reach", "Cumulative Reach"),
        "sentiment": ("Tone", "Sentiment"),
    },
    signature=frozenset(
        {
            "alert name",
            "mention id",
            "author influence score",
            "tone",
            "published at",
            "author handle",
        }
    ),
)
