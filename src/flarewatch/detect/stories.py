"""Stories: online clustering of a topic's posts into what people are talking about.

Each post becomes a TF-IDF vector over hashed character 4-grams of its words (language-agnostic:
Hebrew prefixes and Polish endings still share most 4-grams with the bare word), with document
frequencies learned online per topic. A post joins the most similar live story when the cosine
similarity to the story's centroid is at least JOIN_SIMILARITY, otherwise it starts a new story
whose originator is the post's author. Brand names are in every post of a topic and so get a low
IDF weight: stories form around what is *different*, such as "worm" and "burger".

People retell a story in their own words, and two retellings often share a single rare word
("worm") and little else, which cosine similarity alone misses. So each story with ≥ 2 posts also
has *key terms*: words of ≥ 4 letters in at least half its posts that are rare in the rest of
the topic (≤ 1% of its other posts). A post that contains a key term
joins that story, before wording is compared at all.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from flarewatch.detect.labels import PhraseBook
from flarewatch.detect.score import StorySignal

DIM = 2048
JOIN_SIMILARITY = 0.32
CENTROID_TERMS = 96
SINGLETON_TTL_S = 6 * 3600  # a one-post story that nobody echoed is forgotten after this
STORY_TTL_S = 48 * 3600
DF_HALF_LIFE_DOCS = 5000.0
MAX_LIVE = 400
WORD_DF_MAX = 20_000
STORY_WORDS_MAX = 600
KEY_TERM_MIN_LEN = 4
KEY_TERM_SHARE = 0.5
KEY_TERM_RARITY = 0.01
KEY_TERM_MIN_DOCS = 200  # below this every word looks rare
LABEL_POSTS = 100
WORD_GRAMS_CACHE = 65_536  # distinct words whose gram slots are remembered (~10 MB at most)
_TOKEN = re.compile(r"\w{2,}", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+")
_DECAY = 0.5 ** (1.0 / DF_HALF_LIFE_DOCS)


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(_NOISE.sub(" ", text.lower())) if not t.isdigit()]


@lru_cache(maxsize=WORD_GRAMS_CACHE)
def word_grams(word: str) -> tuple[int, ...]:
    """A word's hashed 4-gram slots; words repeat across posts, so each is hashed once."""
    padded = f" {word} "
    return tuple(
        zlib.crc32(padded[i : i + 4].encode()) % DIM for i in range(max(1, len(padded) - 3))
    )


def grams(words: list[str]) -> Counter[int]:
    out: Counter[int] = Counter()
    for word in words:
        out.update(word_grams(word))
    return out


@dataclass(slots=True)
class StoryPost:
    post_id: int
    created_at: datetime
    text: str
    author: str | None
    platform: str


@dataclass(slots=True)
class Story:
    key: str
    first_post_id: int
    originator: str | None
    first_at: float  # epoch seconds
    last_at: float
    size: int = 0
    platforms: list[str] = field(default_factory=list)
    authors: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    first_words: list[str] = field(default_factory=list)
    centroid: dict[int, float] = field(default_factory=dict)
    recent: deque[tuple[float, str]] = field(default_factory=deque)  # (time, author) ≤ 60 min
    post_ids: deque[int] = field(default_factory=lambda: deque(maxlen=50))
    phrases: PhraseBook = field(default_factory=PhraseBook)

    def label(self, idf: Callable[[str], float]) -> str:
        """Its most distinctive phrase or its first post's opening (detect/labels.py)."""
        # A story restored from a state saved before phrase books has its first words.
        return self.phrases.label(idf) or " ".join(self.first_words[:6]) or self.key


class StoryTracker:
    """Per-topic online clusterer; `add` posts in time order, then read `signal`."""

    def __init__(self) -> None:
        self.df = np.zeros(DIM, dtype=np.float64)
        self.docs = 0.0
        self.word_df: Counter[str] = Counter()
        self.stories: dict[str, Story] = {}
        self._matrix = np.zeros((64, DIM), dtype=np.float32)
        self._rows: dict[str, int] = {}
        self._free: list[int] = list(range(63, -1, -1))
        self._keys_by_row: dict[int, str] = {}
        self.key_terms: dict[str, str] = {}  # word -> story key

    # -- clustering -------------------------------------------------------------------------
    def _vector(self, counts: Counter[int]) -> dict[int, float]:
        if not counts:
            return {}
        # Vectorised over the post's grams (~100): the same formula as one log per gram.
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        idf = np.maximum(0.0, math.log(self.docs + 1.0) - np.log(self.df[idx] + 1.0))
        weights = tf * idf
        norm = math.sqrt(float(weights @ weights)) or 1.0
        keep = weights > 0
        return dict(zip(idx[keep].tolist(), (weights[keep] / norm).tolist(), strict=True))

    def _set_row(self, story: Story) -> None:
        """Write a story's normalised centroid into the similarity matrix (rows are reused)."""
        row = self._rows.get(story.key)
        if row is None:
            if not self._free:
                old = self._matrix.shape[0]
                self._matrix = np.vstack([self._matrix, np.zeros((old, DIM), np.float32)])
                self._free.extend(range(old * 2 - 1, old - 1, -1))
            row = self._free.pop()
            self._rows[story.key] = row
        dense = np.zeros(DIM, dtype=np.float32)
        for i, v in story.centroid.items():
            dense[i] = v
        self._matrix[row] = dense / (np.linalg.norm(dense) or 1.0)

    def _drop_row(self, key: str) -> None:
        row = self._rows.pop(key, None)
        if row is not None:
            self._matrix[row] = 0.0
            self._free.append(row)

    def add(self, post: StoryPost) -> str:
        """Assign a post to a story and return the story key."""
        now = post.created_at.timestamp()
        words = tokens(post.text)
        counts = grams(words)
        # Learn document frequencies first, so a post's own rare grams do not look universal.
        self.df *= _DECAY
        self.docs = self.docs * _DECAY + 1.0
        for i in counts:
            self.df[i] += 1.0
        for w in set(words):
            self.word_df[w] += 1
        if len(self.word_df) > WORD_DF_MAX:
            self.word_df = Counter(dict(self.word_df.most_common(WORD_DF_MAX // 2)))
        vec = self._vector(counts)

        # A shared rare key term is more specific than overall wording, so it is tried first.
        best_key = self._by_key_term(words)
        best_sim = 1.0 if best_key is not None else 0.0
        if best_key is None and vec and self._rows:
            idx = np.fromiter(vec.keys(), dtype=np.int64)
            sims = self._matrix[:, idx] @ np.fromiter(vec.values(), dtype=np.float32)
            row = int(np.argmax(sims))
            best_sim = float(sims[row])
            best_key = self._row_key(row)
        if best_key is not None and best_sim >= JOIN_SIMILARITY:
            story = self.stories[best_key]
        else:
            story = Story(
                key=f"s{post.post_id}",
                first_post_id=post.post_id,
                originator=post.author,
                first_at=now,
                last_at=now,
                first_words=words[:40],
            )
            self.stories[story.key] = story
            self._expire(now)
        self._join(story, post, now, vec, words)
        return story.key

    def _join(
        self, story: Story, post: StoryPost, now: float, vec: dict[int, float], words: list[str]
    ) -> None:
        story.size += 1
        story.last_at = max(story.last_at, now)
        if post.platform not in story.platforms:
            story.platforms.append(post.platform)
        if post.author:
            story.authors[post.author] += 1
            if len(story.authors) > STORY_WORDS_MAX:
                story.authors = Counter(dict(story.authors.most_common(STORY_WORDS_MAX // 2)))
        story.words.update(set(words))
        if len(story.words) > STORY_WORDS_MAX:
            story.words = Counter(dict(story.words.most_common(STORY_WORDS_MAX // 2)))
        if story.size <= LABEL_POSTS or story.size % (story.size // LABEL_POSTS) == 0:
            # Phrase counting is the dearest part of a join; past LABEL_POSTS a story's label
            # is learnt from a thinning sample (every n-th post, n = size // LABEL_POSTS), so a
            # story of N posts pays for ~LABEL_POSTS·(1 + ln(N / LABEL_POSTS)) of them.
            story.phrases.add(post.text)
        recent = story.recent
        recent.append((now, post.author or f"#{post.post_id}"))
        # Only the last hour is ever read (`signal`), and `signal` trims only the stories it
        # reads (new ones): a story that lives for days trims its own, or it grows per post.
        while recent and recent[0][0] <= now - 3600:
            recent.popleft()
        story.post_ids.append(post.post_id)
        # Running mean of member vectors, pruned so the state stays small.
        weight = 1.0 / story.size
        merged = {i: v * (1 - weight) for i, v in story.centroid.items()}
        for i, v in vec.items():
            merged[i] = merged.get(i, 0.0) + v * weight
        if len(merged) > CENTROID_TERMS:
            merged = dict(sorted(merged.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS])
        story.centroid = merged
        self._set_row(story)
        if story.size >= 2:
            self._update_key_terms(story, words)

    def _is_key(self, word: str, story: Story) -> bool:
        """Still a key term? Words that were rare when a topic was young stop being rare."""
        count = story.words.get(word, 0)
        return (
            self.docs >= KEY_TERM_MIN_DOCS
            and count >= KEY_TERM_SHARE * story.size
            and self.word_df[word] - count <= KEY_TERM_RARITY * self.docs + 1.0
        )

    def _by_key_term(self, words: list[str]) -> str | None:
        votes: dict[str, tuple[int, float]] = {}
        for word in set(words):
            story = self.stories.get(self.key_terms.get(word, ""))
            if story is None or not self._is_key(word, story):
                continue
            hits, rarest = votes.get(story.key, (0, math.inf))
            votes[story.key] = (hits + 1, min(rarest, self.word_df[word]))
        if not votes:
            return None
        # Most shared key terms wins; then the story whose shared term is rarest.
        return max(votes, key=lambda k: (votes[k][0], -votes[k][1]))

    def _update_key_terms(self, story: Story, words: list[str]) -> None:
        # Only this post's words changed count; others are re-checked when looked up.
        for word in set(words):
            if len(word) < KEY_TERM_MIN_LEN or not self._is_key(word, story):
                continue
            owner = self.stories.get(self.key_terms.get(word, ""))
            if owner is None or owner.size <= story.size:
                self.key_terms[word] = story.key

    def _row_key(self, row: int) -> str | None:
        if not self._keys_by_row or len(self._keys_by_row) != len(self._rows):
            self._keys_by_row = {r: k for k, r in self._rows.items()}
        return self._keys_by_row.get(row)

    def _expire(self, now: float) -> None:
        dead = [
            k
            for k, s in self.stories.items()
            if now - s.last_at > (SINGLETON_TTL_S if s.size == 1 else STORY_TTL_S)
        ]
        if len(self.stories) - len(dead) > MAX_LIVE:
            alive = sorted(
                (s for k, s in self.stories.items() if k not in dead),
                key=lambda s: (s.size > 1, s.last_at),
            )
            dead += [s.key for s in alive[: len(alive) - MAX_LIVE]]
        for k in dead:
            self.stories.pop(k, None)
            self._drop_row(k)
        if dead:
            self._keys_by_row = {}
            self.key_terms = {w: k for w, k in self.key_terms.items() if k in self.stories}

    # -- signals ----------------------------------------------------------------------------
    def signal(
        self, now: datetime, new_within_s: float = 6 * 3600
    ) -> tuple[StorySignal | None, float]:
        """The most active new story as of `now`, and the biggest new story's 30-min size."""
        t = now.timestamp()
        best: StorySignal | None = None
        biggest = 0.0
        idf = None
        for story in self.stories.values():
            if t - story.last_at > 3600 or t - story.first_at > new_within_s:
                continue
            while story.recent and story.recent[0][0] <= t - 3600:
                story.recent.popleft()
            recent = [(ts, a) for ts, a in story.recent if ts > t - 1800 and ts <= t]
            n_recent = len(recent)
            biggest = max(biggest, float(n_recent))
            if n_recent < 2 or (best is not None and n_recent <= best.recent):
                continue
            previous = sum(1 for ts, _ in story.recent if ts <= t - 1800)
            if idf is None:
                idf = self._word_idf()
            best = StorySignal(
                key=story.key,
                label=story.label(idf),
                recent=n_recent,
                previous=previous,
                authors=len({a for _, a in recent}),
                platforms=list(story.platforms),
                originator=story.originator,
                age_minutes=(t - story.first_at) / 60.0,
                top_authors=[a for a, _ in story.authors.most_common(3)],
                acceleration=float(n_recent - 2 * previous),
            )
        return best, biggest

    def _word_idf(self) -> Callable[[str], float]:
        total = max(1.0, self.docs) + 1.0

        def idf(word: str) -> float:
            return math.log(total / (self.word_df.get(word, 0) + 1))

        return idf

    def story_post_ids(self, key: str) -> list[int]:
        story = self.stories.get(key)
        return list(story.post_ids) if story else []

    # -- durability -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        nz = np.nonzero(self.df)[0]
        return {
            "docs": self.docs,
            "df": [[int(i), float(self.df[i])] for i in nz],
            "word_df": dict(self.word_df),
            "key_terms": self.key_terms,
            "stories": [
                {
                    "key": s.key,
                    "first_post_id": s.first_post_id,
                    "originator": s.originator,
                    "first_at": s.first_at,
                    "last_at": s.last_at,
                    "size": s.size,
                    "platforms": s.platforms,
                    "authors": dict(s.authors),
                    "words": dict(s.words),
                    "first_words": s.first_words,
                    "centroid": [[i, v] for i, v in s.centroid.items()],
                    "recent": [list(r) for r in s.recent],
                    "post_ids": list(s.post_ids),
                    "phrases": s.phrases.to_dict(),
                }
                for s in self.stories.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryTracker:
        tracker = cls()
        tracker.docs = float(data.get("docs", 0.0))
        for i, v in data.get("df", []):
            tracker.df[int(i)] = v
        tracker.word_df = Counter(data.get("word_df", {}))
        tracker.key_terms = dict(data.get("key_terms", {}))
        for s in data.get("stories", []):
            story = Story(
                key=s["key"],
                first_post_id=s["first_post_id"],
                originator=s["originator"],
                first_at=s["first_at"],
                last_at=s["last_at"],
                size=s["size"],
                platforms=list(s["platforms"]),
                authors=Counter(s["authors"]),
                words=Counter(s["words"]),
                first_words=list(s["first_words"]),
                centroid={int(i): float(v) for i, v in s["centroid"]},
                recent=deque((float(t), str(a)) for t, a in s["recent"]),
                post_ids=deque(s["post_ids"], maxlen=50),
                phrases=PhraseBook.from_dict(s.get("phrases")),
            )
            tracker.stories[story.key] = story
            tracker._set_row(story)
        return tracker
