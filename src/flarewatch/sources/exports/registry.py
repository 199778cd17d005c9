"""The --format names and their presets."""

from __future__ import annotations

from flarewatch.sources.exports import (
    brandwatch,
    facebook_dyi,
    generic,
    meltwater,
    mention,
    sprinklr,
    talkwalker,
    x_archive,
)
from flarewatch.sources.exports.preset import Preset

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        brandwatch.PRESET,
        talkwalker.PRESET,
        meltwater.PRESET,
        sprinklr.PRESET,
        mention.PRESET,
        x_archive.PRESET,
        facebook_dyi.PRESET,
        generic.JSONL,
        generic.CSV,
    )
}
FORMATS = ("auto", *PRESETS)
# Table presets, for header sniffing and for Talkwalker's CSV export.
TABLE_PRESETS: dict[str, Preset] = {
    name: (talkwalker.TABLE_PRESET if name == "talkwalker" else p)
    for name, p in PRESETS.items()
    if p.shape == "table" or name == "talkwalker"
}


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(
            f"--format {name!r} is not a format Flarewatch reads; use one of {', '.join(FORMATS)}"
        ) from None


def known_columns() -> frozenset[str]:
    """Every column name a table preset reads: what marks a line as the header."""
    names: set[str] = set()
    for p in TABLE_PRESETS.values():
        names |= p.known_columns() | p.signature
    return frozenset(names)
