"""Detector state held in memory between the cycles of one runner.

Loading every topic's detector and story tracker from JSON and writing them back each cycle
cost about 15% of a cycle's CPU and set a floor under the poll interval. A long-lived runner
(`flarewatch run`) therefore keeps each topic's TopicRunner between cycles and writes the
durable row only at a cadence: when the late-post checkpoints change (every
CHECKPOINT_MINUTES of event time) or once PERSIST_EVERY evaluated minutes went unsaved.

Surviving SIGKILL needs nothing more: the durable row always holds a consistent state as of
its own `last_minute`, so a new runner resumes from there and evaluates the (at most
PERSIST_EVERY) unsaved minutes again — the same path as a late-post replay, and alerting joins
their candidates to the episodes' open alerts instead of opening second ones.

An entry is used only while the row still says what the entry last wrote (nobody else moved
it) and the workspace's detection settings are unchanged; otherwise the row wins. The cache is
owned by one runner (no process-global state) and bounded by MAX_TOPICS, least recently used
first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flarewatch.detect.runner import TopicRunner

# At most this many evaluated minutes are kept only in memory (and evaluated again after a
# crash). Checkpoints come every 30 minutes (detect/late.py) and persist the state as well.
PERSIST_EVERY = timedelta(minutes=10)
MAX_TOPICS = 2_000  # a runner watching more topics reloads the least recently used ones


@dataclass(slots=True)
class HeldTopic:
    runner: TopicRunner
    settings: str  # the detection settings the runner was built with
    last_minute: datetime  # the newest minute evaluated in memory
    persisted_minute: datetime | None  # the row's last_minute as this runner last wrote it
    checkpoints: list[dict[str, Any]]  # what the row's rewind holds


class DetectorStateCache:
    """Topic id → the topic's runner as the last cycle left it."""

    def __init__(self, max_topics: int = MAX_TOPICS, persist_every: timedelta = PERSIST_EVERY):
        self.max_topics = max_topics
        self.persist_every = persist_every
        self._held: OrderedDict[int, HeldTopic] = OrderedDict()

    def __len__(self) -> int:
        return len(self._held)

    def get(self, topic_id: int, row_minute: datetime | None, settings: str) -> HeldTopic | None:
        """The held runner, if the durable row is still where this runner left it and the
        settings are the same; a stale entry is dropped."""
        held = self._held.get(topic_id)
        if held is None:
            return None
        if held.persisted_minute != row_minute or held.settings != settings:
            del self._held[topic_id]
            return None
        self._held.move_to_end(topic_id)
        return held

    def put(self, topic_id: int, held: HeldTopic) -> None:
        self._held[topic_id] = held
        self._held.move_to_end(topic_id)
        while len(self._held) > self.max_topics:
            self._held.popitem(last=False)

    def due(self, held_minute: datetime | None, last_minute: datetime) -> bool:
        """Write the row now? When PERSIST_EVERY evaluated minutes would otherwise go unsaved."""
        return held_minute is None or last_minute - held_minute >= self.persist_every

    def clear(self) -> None:
        """Forget everything: after a failed cycle whose writes were rolled back."""
        self._held.clear()
