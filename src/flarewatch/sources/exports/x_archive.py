"""An X (Twitter) account archive's `data/tweets.js`: JavaScript that assigns one JSON array
(`window.YTD.tweets.part0 = [...]`) of {"tweet": {...}} objects. The archive holds one
account's posts, so the author comes from --map or stays empty; counts are strings. The array
is read one tweet at a time (ijson), so an archive of any size imports in bounded memory."""

from __future__ import annotations

from typing import Any

from flarewatch.sources.exports.preset import Preset, flatten


def tweet(item: Any) -> dict[str, Any]:
    inner = item.get("tweet", item) if isinstance(item, dict) else {}
    flat = flatten(inner)
    # The entities hold the links as t.co short links and their expansions: keep the latter.
    flat["expanded_urls"] = (
        " ".join(
            str(v)
            for k, v in flat.items()
            if k.startswith("entities.urls.") and k.endswith(".expanded_url") and v
        )
        or None
    )
    return flat


PRESET = Preset(
    name="x-archive",
    title="X archive (tweets.js)",
    shape="json",
    columns={
        "id": ("id_str", "id"),
        "text": ("full_text", "text"),
        "created_at": ("created_at",),
        "language": ("lang",),
        "likes": ("favorite_count",),
        "shares": ("retweet_count",),
        "reply_to": ("in_reply_to_status_id_str",),
        "links": ("expanded_urls",),
    },
    signature=frozenset({"id_str", "full_text", "favorite_count", "retweet_count"}),
    date_formats=("%a %b %d %H:%M:%S %z %Y",),
    record_paths=("item",),
    flatten=tweet,
    default_platform="twitter",
    url_template="https://x.com/i/web/status/{id}",
)
