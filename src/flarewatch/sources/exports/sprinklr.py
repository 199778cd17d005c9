"""Sprinklr Listening exports (CSV or .xlsx from a stream or a listening dashboard)."""

from __future__ import annotations

from flarewatch.sources.exports.preset import Preset

PRESET = Preset(
    name="sprinklr",
    title="Sprinklr",
    shape="table",
    columns={
        "id": ("Universal Message Id", "Message Id", "Social Network Message Id"),
        "text": ("Message", "Conversation Stream"),
        "title": ("Title",),
        "author": ("Sender Screen Name", "Sender Handle"),
        "author_name": ("Sender Name",),
        "author_followers": ("Sender Followers Count", "Followers"),
        "created_at": ("Created Time", "CreatedTime", "Published Time"),
        "url": ("Permalink", "Message URL"),
        "platform": ("Social Network", "Source"),
        "country": ("Country",),
        "language": ("Language",),
        "likes": ("Likes", "Number of Likes"),
        "shares": ("Shares", "Retweets"),
        "replies": ("Comments", "Replies"),
        "views": ("Impressions", "Reach"),
        "sentiment": ("Sentiment",),
    },
    signature=frozenset(
        {
            "universal message id",
            "sender screen name",
            "sender name",
            "social network",
            "permalink",
            "sender followers count",
        }
    ),
    date_formats=("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%b %d, %Y %I:%M:%S %p"),
)
