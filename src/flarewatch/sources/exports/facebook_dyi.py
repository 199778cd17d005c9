"""Facebook "Download your information" `comments.json` (JSON format, not HTML): the comments
the account wrote, under `comments_v2` (older archives: `comments`). Facebook writes non-ASCII
text as UTF-8 bytes escaped one by one ("\\u00c5\\u00bc" for "ż"): that is undone here, or
Hebrew and Polish comments arrive garbled. The comments are read one at a time (ijson), so a
download of any size imports in bounded memory."""

from __future__ import annotations

from typing import Any

from flarewatch.sources.exports.preset import Preset


def fix_text(value: Any) -> Any:
    """Facebook's mojibake undone: text whose characters are all below U+0100 and that decodes
    as UTF-8 was UTF-8 bytes escaped one by one."""
    if not isinstance(value, str) or value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value  # already real text


def comment(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {}
    flat: dict[str, Any] = {
        "timestamp": item.get("timestamp"),
        "title": fix_text(item.get("title")),
    }
    for entry in item.get("data") or []:
        body = entry.get("comment") if isinstance(entry, dict) else None
        if isinstance(body, dict):
            flat["comment"] = fix_text(body.get("comment"))
            flat["author"] = fix_text(body.get("author"))
            flat["group"] = fix_text(body.get("group"))
            flat["timestamp"] = body.get("timestamp") or flat["timestamp"]
    for index, attachment in enumerate(item.get("attachments") or []):
        for data in (attachment or {}).get("data") or []:
            uri = ((data or {}).get("external_context") or {}).get("url")
            if uri:
                flat[f"attachment.{index}.url"] = uri
    return {k: v for k, v in flat.items() if v is not None}


PRESET = Preset(
    name="facebook-dyi",
    title="Facebook 'Download your information' (comments.json)",
    shape="json",
    columns={
        "text": ("comment",),
        "author_name": ("author",),
        "created_at": ("timestamp",),
        "title": ("title",),
    },
    signature=frozenset({"comments_v2"}),
    record_paths=("comments_v2.item", "comments.item", "item"),
    flatten=comment,
    default_platform="facebook",
)
