"""The time mark a checkpoint keeps for a platform that lists newest first: the newest time
taken and the ids taken at that very time, {"newest": ISO time, "ids": [...]}.

Platforms give times to the second, so the time alone cannot tell a new item from one taken in
the same second; the ids at that time can. They are bounded (`keep`): only a burst of more than
that many items within one second could bring one back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flarewatch.sources.connector import parse_time


def past_mark(item_id: str, when: datetime, mark: Mapping[str, Any]) -> bool:
    """Whether an item is new to the mark: newer than its time, or at it and not yet taken.
    Everything is new to an empty mark."""
    newest = parse_time(mark.get("newest"))
    if newest is None or when > newest:
        return True
    return when == newest and item_id not in mark.get("ids", [])


def advance_mark(
    mark: Mapping[str, Any], taken: Iterable[tuple[str, datetime]], *, keep: int
) -> dict[str, Any]:
    """The mark after taking `taken` (items past it): the newest time of all, and the ids at
    that time, the mark's own ones too when no taken item is newer. Other keys are kept."""
    taken = list(taken)
    if not taken:
        return dict(mark)
    old = parse_time(mark.get("newest"))
    top = max(when for _, when in taken)
    ids = {item_id for item_id, when in taken if when == top}
    if old is not None and top <= old:
        top = old
        ids |= {str(item_id) for item_id in mark.get("ids", [])}
    return {**mark, "newest": top.isoformat(), "ids": sorted(ids)[-keep:]}
