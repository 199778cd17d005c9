"""Talkwalker documents: the JSONL stream of its search and collector API (one chunk per line,
the document under chunk_result.data.data) or a CSV export with the same field names flattened
("extra_author_attributes.name"). `published` is Unix milliseconds."""

from __future__ import annotations

from typing import Any

from flarewatch.sources.exports.preset import Preset, flatten

_PLATFORMS = {
    "socialmedia_twitter": "twitter",
    "socialmedia_facebook": "facebook",
    "socialmedia_instagram": "instagram",
    "socialmedia_youtube": "youtube",
    "socialmedia_reddit": "reddit",
    "socialmedia_tiktok": "tiktok",
    "socialmedia_linkedin": "linkedin",
    "online_news": "news",
    "online_news_online": "news",
    "blog": "blog",
    "messageboard": "forum",
    "print": "print",
    "broadcast": "broadcast",
}


def document(chunk: Any) -> dict[str, Any]:
    """The document of one API line, flattened; other chunk types (control, progress) → {}."""
    if not isinstance(chunk, dict):
        return {}
    if "chunk_result" in chunk or "chunk_type" in chunk:
        if chunk.get("chunk_type") not in (None, "CT_RESULT"):
            return {}
        data = (chunk.get("chunk_result") or {}).get("data") or {}
        inner = data.get("data", data) if isinstance(data, dict) else {}
        flat = flatten(inner)
    else:
        flat = flatten(chunk)
    # source_type lists the general kind first ("SOCIALMEDIA SOCIALMEDIA_TWITTER"): the last,
    # most specific kind names the platform.
    kinds = str(flat.get("source_type") or "").split()
    if kinds:
        flat["source_type"] = kinds[-1]
    return flat


PRESET = Preset(
    name="talkwalker",
    title="Talkwalker",
    shape="jsonl",
    columns={
        "id": ("external_id", "id", "url"),
        "text": ("content", "content_snippet", "title"),
        "title": ("title",),
        "author": ("extra_author_attributes.short_name", "extra_author_attributes.id"),
        "author_name": ("extra_author_attributes.name",),
        "author_followers": (
            "article_extended_attributes.twitter_followers",
            "extra_author_attributes.followers",
        ),
        "created_at": ("published",),
        "url": ("url",),
        "platform": ("source_type",),
        "country": (
            "extra_source_attributes.world_data.country_code",
            "extra_article_attributes.world_data.country_code",
            "extra_source_attributes.world_data.country",
        ),
        "language": ("lang",),
        "likes": ("article_extended_attributes.twitter_likes", "likes"),
        "shares": ("article_extended_attributes.twitter_retweets", "shares"),
        "replies": ("comments", "article_extended_attributes.facebook_comments"),
        "views": ("reach",),
        "sentiment": ("sentiment",),
    },
    signature=frozenset(
        {
            "published",
            "indexed",
            "search_indexed",
            "content",
            "source_type",
            "post_type",
            "extra_author_attributes.name",
            "extra_source_attributes.world_data.country_code",
        }
    ),
    flatten=document,
    platforms=_PLATFORMS,
)

# The CSV export names its columns like the API's flattened fields.
TABLE_PRESET = Preset(
    name="talkwalker",
    title="Talkwalker",
    shape="table",
    columns=PRESET.columns,
    signature=PRESET.signature,
    platforms=_PLATFORMS,
)
