"""Near-duplicate folding: retweets, quotes and copy-paste campaigns onto their original.

MinHash over word 3-gram shingles (128 permutations computed for a whole batch with numpy), indexed
by LSH banding (32 bands x 4 rows: pairs with Jaccard 0.6 collide with probability ~0.99, pairs at
0.3 with ~0.23, then the estimated Jaccard must reach ``threshold``). Runs on posts that already
passed exact dedup; an explicit ``repost_of`` folds without looking at the text.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from flarewatch.enrich.features import mix, tokenize
from flarewatch.enrich.text import normalise
from flarewatch.mentions.post import Post

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
MAX_ORIGINALS = 30_000  # per workspace index; see NearDuplicateIndex
# Copies fold onto an original first seen at most this long before them (the posts' own clock).
WINDOW = timedelta(hours=48)
MAX_ACCOUNTS = 1_000  # distinct authors listed per cluster (its count goes on counting)
_RT = re.compile(r"^\s*(?:rt|mt)\s+@\w+:?\s*", re.IGNORECASE)
_rng = np.random.default_rng(20240605)  # fixed: signatures must be comparable across restarts
_A = (_rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class NearDupResult:
    external_id: str
    original_id: str | None  # the post this one folds onto; None when it is an original
    similarity: float  # estimated Jaccard with the original (1.0 for an explicit repost)


@dataclass(slots=True)
class Cluster:
    original_id: str
    count: int  # posts in the cluster, the original included
    accounts: list[str] = field(default_factory=list)  # distinct authors, first seen first


def signatures(texts: Sequence[str]) -> np.ndarray:
    """(n, NUM_PERM) MinHash signatures of word 3-gram shingles (whole text when shorter)."""
    norm = [normalise(_RT.sub("", t)) for t in texts]
    tok = tokenize(norm)
    n = tok.n_docs
    wd = tok.word_doc
    if len(wd) >= 3:
        tri = np.flatnonzero(wd[:-2] == wd[2:])
        span = tok.word_start[tri + 2] + tok.word_len[tri + 2] - tok.word_start[tri]
        sh_doc = wd[tri]
        sh_hash = tok.substring(tok.word_start[tri], span)
    else:
        sh_doc = np.empty(0, dtype=np.int64)
        sh_hash = np.empty(0, dtype=np.uint64)
    # Posts under three words get one shingle: their whole normalised text.
    has = np.zeros(n, dtype=bool)
    has[sh_doc] = True
    short = np.flatnonzero(~has)
    if len(short):
        sh_doc = np.concatenate([sh_doc, short])
        whole = np.asarray([hash_text(norm[i]) for i in short], dtype=np.uint64)
        sh_hash = np.concatenate([sh_hash, whole])
    order = np.argsort(sh_doc, kind="stable")
    sh_doc, sh_hash = sh_doc[order], mix(sh_hash[order], 11)
    with np.errstate(over="ignore"):
        perm = sh_hash[:, None] * _A[None, :] + _B[None, :]
    starts = np.searchsorted(sh_doc, np.arange(n))
    return np.minimum.reduceat(perm, starts, axis=0)


def hash_text(text: str) -> int:
    """Stable 64-bit hash of a whole text (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def band_keys(sigs: np.ndarray) -> np.ndarray:
    """(n, BANDS) 64-bit LSH keys, one per band of each signature."""
    rows = sigs.reshape(len(sigs), BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys = rows[:, :, 0]
        for r in range(1, ROWS):
            keys = mix(keys, 3) ^ rows[:, :, r]
    return mix(keys + np.arange(BANDS, dtype=np.uint64), 5)


class NearDuplicateIndex:
    """In-memory index for one workspace; keeps originals' signatures and cluster membership.

    Bounded by time and by count, oldest first. An original (signature, LSH buckets, cluster)
    is forgotten `window` after it was posted, by the posts' own clock (``created_at``: a
    backfill ages like the live stream), or sooner when more than `max_originals` are held. The
    remembered post ids (which cluster each seen post went to, so a redelivery or a repost of a
    copy folds correctly) are kept in two generations of `window` / 2 or 2 × `max_originals`
    ids each. A copy of an original forgotten that way starts a new cluster; at ~3.5 KB per
    original the count bound holds ~100 MB, the time bound whatever two days brought.
    """

    def __init__(
        self,
        threshold: float = 0.6,
        max_originals: int = MAX_ORIGINALS,
        window: timedelta = WINDOW,
    ) -> None:
        self.threshold = threshold
        self.max_originals = max_originals
        self.window = window
        self._buckets: dict[int, str] = {}
        self._sigs: dict[str, np.ndarray] = {}
        self._clusters: dict[str, Cluster] = {}
        self._born: deque[tuple[datetime, str]] = deque()  # clusters' roots, oldest first
        self._folded: dict[str, str] = {}  # any seen id → its original (this generation)
        self._folded_before: dict[str, str] = {}  # the generation before
        self._generation_started: datetime | None = None
        self._newest: datetime | None = None  # the current batch's time

    def __len__(self) -> int:
        return len(self._sigs)

    def remembered_ids(self) -> int:
        return len(self._folded) + len(self._folded_before)

    def _root_of(self, pid: str) -> str | None:
        root = self._folded.get(pid)
        return self._folded_before.get(pid) if root is None else root

    def add_batch(self, posts: Sequence[Post]) -> list[NearDupResult]:
        if not posts:
            return []
        # The batch's median time, not its newest: one post dated years ahead (bad data) must
        # not age the whole index out.
        self._age(sorted(p.created_at for p in posts)[len(posts) // 2])
        self._evict()  # what the batch's time has aged out must not take its copies
        sigs = signatures([p.clean_text or p.text for p in posts])
        # One 64-bit key per band, computed for the whole batch; Python ints hash fast in dicts.
        keys = band_keys(sigs)
        results = [
            self._add(p, sig, band) for p, sig, band in zip(posts, sigs, keys.tolist(), strict=True)
        ]
        self._evict()
        return results

    def _add(self, post: Post, sig: np.ndarray, bands: list[int]) -> NearDupResult:
        pid = post.external_id
        if post.repost_of:
            root = self._root_of(post.repost_of) or post.repost_of
            self._join(root, post)
            return NearDupResult(pid, root, 1.0)
        best, best_sim = None, 0.0
        for cand in {self._buckets[k] for k in bands if k in self._buckets}:
            if cand != pid:
                sim = np.count_nonzero(self._sigs[cand] == sig) / NUM_PERM
                if sim > best_sim:
                    best, best_sim = cand, sim
        if best is not None and best_sim >= self.threshold:
            self._join(best, post)
            return NearDupResult(pid, best, round(best_sim, 4))
        self._sigs[pid] = sig
        for key in bands:
            self._buckets.setdefault(key, pid)
        self._join(pid, post)
        return NearDupResult(pid, None, 1.0)

    def _join(self, root: str, post: Post) -> None:
        cluster = self._clusters.get(root)
        if cluster is None:
            cluster = self._clusters[root] = Cluster(root, 0, [])
            self._born.append((post.created_at, root))
        if self._root_of(post.external_id) is not None:
            return  # the same post delivered twice must not inflate the count
        self._folded[post.external_id] = root
        cluster.count += 1
        if (
            post.author
            and len(cluster.accounts) < MAX_ACCOUNTS
            and post.author not in cluster.accounts
        ):
            cluster.accounts.append(post.author)

    def _age(self, newest: datetime) -> None:
        """Start a new generation of remembered ids when the current one is full or old."""
        self._newest = newest
        started = self._generation_started
        if started is None:
            self._generation_started = newest
        elif newest - started >= self.window / 2 or len(self._folded) >= 2 * self.max_originals:
            self._folded_before = {} if newest - started >= self.window else self._folded
            self._folded = {}
            self._generation_started = newest

    def _evict(self) -> None:
        """Forget the originals (and clusters of explicit reposts) past the bounds, oldest first."""
        born = self._born
        gone = [born.popleft()[1] for _ in range(len(born) - self.max_originals)]
        if self._newest is not None:
            oldest = self._newest - self.window
            while born and born[0][0] < oldest:
                gone.append(born.popleft()[1])
        if not gone:
            return
        for root in gone:
            self._clusters.pop(root, None)
        signed = [root for root in gone if root in self._sigs]
        if signed:
            keys = band_keys(np.stack([self._sigs.pop(root) for root in signed]))
            for root, bands in zip(signed, keys.tolist(), strict=True):
                for key in bands:
                    if self._buckets.get(key) == root:
                        del self._buckets[key]

    def clusters(self, min_count: int = 2) -> list[Cluster]:
        """Clusters with at least ``min_count`` posts, biggest first."""
        out = [c for c in self._clusters.values() if c.count >= min_count]
        return sorted(out, key=lambda c: (-c.count, c.original_id))
