"""Meltwater Explore exports: a CSV often saved as UTF-16 with tabs, one row per mention,
dates like 15-Jan-2024 09:30AM in the account's time zone, country and language as names (the
API's export templates write ISO 8601 times in UTC under `published_date`)."""

from __future__ import annotations

from flarewatch.sources.exports.preset import Preset

PRESET = Preset(
    name="meltwater",
    title="Meltwater",
    shape="table",
    columns={
        "id": ("Tweet Id", "Document ID", "Id"),
        "text": ("Hit Sentence", "Opening Text", "Headline"),
        "title": ("Headline",),
        "author": ("Twitter Screen Name", "Influencer"),
        "author_name": ("Influencer",),
        "author_followers": ("Twitter Followers",),
        "created_at": ("Date", "published_date", "Published Date"),
        "url": ("URL",),
        "platform": ("Source Type", "Source"),
        "country": ("Country",),
        "language": ("Language",),
        "likes": ("Likes",),
        "shares": ("Shares", "Twitter Social Echo"),
        "replies": ("Comments", "Replies"),
        "views": ("Reach",),
        "sentiment": ("Sentiment",),
    },
    signature=frozenset(
        {
            "hit sentence",
            "opening text",
            "influencer",
            "ave",
            "alternate date format",
            "twitter social echo",
            "key phrases",
            "input name",
        }
    ),
    date_formats=("%d-%b-%Y %I:%M%p", "%d-%b-%Y %I:%M %p", "%b %d, %Y %I:%M %p"),
)
