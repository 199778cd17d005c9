"""What a preset says about one tool's export: its shape, which of its columns hold which
ingest field, how it writes dates, and the columns that identify it when sniffing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Shape = Literal["table", "jsonl", "json"]


@dataclass(frozen=True, slots=True)
class Preset:
    name: str  # the --format value
    title: str  # the tool, for messages
    shape: Shape
    # ingest field (or "sentiment") → the tool's columns holding it, best first; per row the
    # first of them with a value is used (Brandwatch has one likes column per platform).
    columns: Mapping[str, tuple[str, ...]]
    # lower-cased column names only this tool writes: `auto` picks the preset naming most.
    signature: frozenset[str] = frozenset()
    # strptime formats tried after ISO 8601 and Unix times.
    date_formats: tuple[str, ...] = ()
    # For the json shape: where the records are (ijson paths, read in a stream: "item" for a
    # top-level array) and one record flattened to columns.
    record_paths: tuple[str, ...] = ()
    flatten: Callable[[Any], dict[str, Any]] | None = None
    # Values of the platform column → the platform names Flarewatch uses.
    platforms: Mapping[str, str] = field(default_factory=dict)
    default_platform: str | None = None
    # A URL for posts whose export has only an id (X archives): filled with the id.
    url_template: str | None = None

    def known_columns(self) -> frozenset[str]:
        return frozenset(c.lower() for names in self.columns.values() for c in names)


def flatten(value: Any, prefix: str = "", into: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nested JSON as dotted column names ("extra_author_attributes.name"); lists of plain
    values become one space-separated cell, lists of objects get their index in the name."""
    out: dict[str, Any] = {} if into is None else into
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            out[prefix] = " ".join(str(item) for item in value if item is not None) or None
        else:
            for index, item in enumerate(value):
                flatten(item, f"{prefix}.{index}", out)
    else:
        out[prefix] = value
    return out


# Platform names the tools write, lower-cased, → Flarewatch's platform names.
COMMON_PLATFORMS = {
    "twitter": "twitter",
    "x": "twitter",
    "x (twitter)": "twitter",
    "facebook": "facebook",
    "instagram": "instagram",
    "youtube": "youtube",
    "reddit": "reddit",
    "tiktok": "tiktok",
    "linkedin": "linkedin",
    "telegram": "telegram",
    "news": "news",
    "online news": "news",
    "blog": "blog",
    "blogs": "blog",
    "forum": "forum",
    "forums": "forum",
    "review": "reviews",
    "reviews": "reviews",
    "tumblr": "tumblr",
    "podcast": "podcast",
    "broadcast": "broadcast",
    "print": "print",
}
