"""Brandwatch Consumer Research mention exports (CSV or .xlsx, from the UI or a scheduled
download): report details above the header, then up to ~130 columns, one per field and per
platform (likes and followers have a column for each network)."""

from __future__ import annotations

from flarewatch.sources.exports.preset import Preset

PRESET = Preset(
    name="brandwatch",
    title="Brandwatch",
    shape="table",
    columns={
        "id": ("Resource Id", "Mention Id", "Guid"),
        "text": ("Full Text", "Snippet", "Title"),
        "title": ("Title",),
        "author": ("Author", "Twitter Screen Name"),
        "author_name": ("Full Name",),
        "author_followers": (
            "Twitter Followers",
            "Instagram Followers",
            "Facebook Followers",
            "Reddit Author Karma",
        ),
        "author_verified": ("Twitter Verified",),
        "created_at": ("Date",),
        "url": ("Url", "Original Url"),
        "platform": ("Page Type", "Content Source Name"),
        "country": ("Country Code", "Country"),
        "language": ("Language",),
        "likes": ("Twitter Likes", "Facebook Likes", "Instagram Likes", "Reddit Score"),
        "shares": ("Twitter Retweets", "Facebook Shares"),
        "replies": (
            "Twitter Reply Count",
            "Facebook Comments",
            "Instagram Comments",
            "Reddit Comments",
        ),
        "views": ("Impressions",),
        "reply_to": ("Twitter Reply to",),
        "repost_of": ("Twitter Retweet of",),
        "links": ("Expanded URLs",),
        "sentiment": ("Sentiment",),
    },
    signature=frozenset(
        {"query id", "query name", "page type", "full text", "resource id", "impact", "thread id"}
    ),
    date_formats=("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"),
)
