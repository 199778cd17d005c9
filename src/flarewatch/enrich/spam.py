"""Spam and bot signals, and the per-workspace relevance filter trained by "not relevant" marks.

Each signal is a probability-like value in [0, 1]; they combine by noisy-OR,
``spam = 1 - prod(1 - weight_i * signal_i)``, so any one strong signal can flag a post while weak
ones add up. A post is spam at ``spam >= 0.6``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from flarewatch.enrich.features import SALT_BIGRAM, SALT_WORD, mix, tokenize
from flarewatch.enrich.neardup import hash_text
from flarewatch.enrich.text import normalise
from flarewatch.mentions.post import Post

# "copies" alone stays below SPAM_AT: in a crisis, real people repeat the same outraged sentence
# ("boycott until they explain"), and dropping them from the series would hide the crisis itself.
# Copies count as spam only together with a bot signal (new account, flooding, link-only).
WEIGHTS = {"rate": 0.7, "new_account": 0.4, "copies": 0.5, "link_only": 0.6, "irrelevant": 0.75}
SIGNALS = ("rate", "new_account", "copies", "link_only", "irrelevant")
SPAM_AT = 0.6
_STRIP = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")
_LETTER = re.compile(r"[^\W\d_]")
# In normalised text links are "http", handles "@user" and hashtags "# tag".
_KEY_DROP = re.compile(r"(?:^| )(?:http|@user|# [^ ]+)(?= |$)")


@dataclass(frozen=True, slots=True)
class SpamResult:
    score: float
    is_spam: bool
    signals: dict[str, float]


class RelevanceFilter:
    """Multinomial naive Bayes over hashed words and word pairs, trained by the workspace's marks.

    With no "not relevant" marks every post scores 1.0 (relevant). Stored as JSON via
    :meth:`to_dict`; counts stay sparse, so a workspace's filter is a few kB per hundred marks.
    """

    BITS = 18
    ALPHA = 0.5

    def __init__(self) -> None:
        self.docs = [0, 0]  # [not relevant, relevant]
        self.counts: dict[int, list[int]] = {}
        self.totals = [0, 0]

    @staticmethod
    def _features(texts: Sequence[str]) -> list[np.ndarray]:
        tok = tokenize([normalise(t) for t in texts])
        mask = np.uint64((1 << RelevanceFilter.BITS) - 1)
        doc = [tok.word_doc]
        idx = [mix(tok.word_hash, SALT_WORD) & mask]
        if len(tok.word_hash) > 1:
            pair = np.flatnonzero(tok.word_doc[:-1] == tok.word_doc[1:])
            span = tok.word_start[pair + 1] + tok.word_len[pair + 1] - tok.word_start[pair]
            doc.append(tok.word_doc[pair])
            idx.append(mix(tok.substring(tok.word_start[pair], span), SALT_BIGRAM) & mask)
        d = np.concatenate(doc)
        i = np.concatenate(idx).astype(np.int64)
        return [i[d == k] for k in range(tok.n_docs)]

    def mark(self, text: str, relevant: bool) -> None:
        cls = int(relevant)
        self.docs[cls] += 1
        for f in self._features([text])[0].tolist():
            row = self.counts.setdefault(f, [0, 0])
            row[cls] += 1
            self.totals[cls] += 1

    @property
    def trained(self) -> bool:
        return self.docs[0] > 0

    def score(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is relevant to the workspace."""
        if not self.trained:
            return [1.0] * len(texts)
        vocab = 1 << self.BITS
        # Until the workspace has marked relevant posts too, assume relevance is the norm: the
        # prior counts stand in for the posts nobody bothered to mark.
        docs = [self.docs[0] + 1, max(self.docs[1], 3 * self.docs[0]) + 1]
        prior = math.log(docs[1] / docs[0])
        denom = [self.totals[c] + self.ALPHA * vocab for c in (0, 1)]
        out: list[float] = []
        for feats in self._features(texts):
            llr = prior
            for f in feats.tolist():
                row = self.counts.get(f)
                if row is None:
                    continue  # unseen in both classes: its likelihood ratio is ~1
                llr += math.log((row[1] + self.ALPHA) / denom[1])
                llr -= math.log((row[0] + self.ALPHA) / denom[0])
            out.append(1.0 / (1.0 + math.exp(-max(min(llr, 30.0), -30.0))))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "bits": self.BITS,
            "docs": list(self.docs),
            "totals": list(self.totals),
            "counts": {str(k): v for k, v in self.counts.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RelevanceFilter:
        if data.get("version") != 1 or data.get("bits") != cls.BITS:
            raise ValueError("unsupported relevance filter format")
        f = cls()
        f.docs = [int(x) for x in data["docs"]]
        f.totals = [int(x) for x in data["totals"]]
        f.counts = {int(k): [int(v[0]), int(v[1])] for k, v in data["counts"].items()}
        return f


# The copy-paste memory spans a day of the stream: accounts that posted the same text within
# 12 to 24 hours of each other (two generations of COPY_WINDOW / 2) count as copies.
COPY_WINDOW = timedelta(hours=24)
# The copies signal is full at this many accounts, so no text remembers more (a viral text's
# thousands of accounts cost five strings).
COPIES_FULL = 5


class SpamScorer:
    """Scores batches; remembers which accounts posted which text across recent batches.

    The memory is bounded by time and by count: two generations of text keys, the current one
    and the one before, each spanning half of `window` of the posts' own clock
    (``created_at``), so a backfill of last year counts copies the way the live stream did.
    A generation also ends when it holds `memory` / 2 texts. A text's authors are the union of
    both generations'.
    """

    def __init__(self, memory: int = 200_000, window: timedelta = COPY_WINDOW) -> None:
        self.memory = memory
        self.window = window
        self._authors_by_text: dict[int, set[str]] = defaultdict(set)
        self._previous: dict[int, set[str]] = {}
        self._started: datetime | None = None  # the current generation's first post time

    def __len__(self) -> int:
        """Texts remembered (both generations)."""
        return len(self._authors_by_text) + len(self._previous)

    def _rotate(self, newest: datetime) -> None:
        if self._started is None:
            self._started = newest
        half = self.window / 2
        if newest - self._started >= half or len(self._authors_by_text) >= self.memory // 2:
            # Two generations back: nothing the window still covers.
            self._previous = {} if newest - self._started >= self.window else self._authors_by_text
            self._authors_by_text = defaultdict(set)
            self._started = newest

    def score_batch(
        self,
        posts: Sequence[Post],
        now: datetime | None = None,
        relevance: Sequence[float] | None = None,
    ) -> list[SpamResult]:
        now = now or datetime.now(UTC)
        texts = [p.clean_text or p.text for p in posts]
        keys = [_text_key(t) for t in texts]
        if posts:  # the batch's median time: one post dated years ahead must not end the day
            self._rotate(sorted(p.created_at for p in posts)[len(posts) // 2])
        current, previous = self._authors_by_text, self._previous
        for p, k in zip(posts, keys, strict=True):
            authors = current[k]
            if len(authors) < COPIES_FULL:  # more would not change the signal
                authors.add(p.author or f"?{p.external_id}")
        copies_of = [
            len(current[k] | previous[k])
            if k in previous and len(current[k]) < COPIES_FULL
            else len(current[k])
            for k in keys
        ]
        rates = _author_rates(posts)
        w_rate, w_new, w_copies, w_link, w_irr = (WEIGHTS[k] for k in SIGNALS)
        out: list[SpamResult] = []
        for i, p in enumerate(posts):
            # Written out rather than looped over a dict: this runs once per post. New-account,
            # copies and link-only values are multiples of 1/4, exact without rounding.
            rate = min(1.0, max(0.0, (rates[i] - 4.0) / 26.0))
            new = _new_account(p, now)
            copies = min(1.0, max(0, copies_of[i] - 1) / 4.0)
            link = _link_only(p, texts[i])
            irr = 0.0 if relevance is None else 1.0 - relevance[i]
            score = 1.0 - (
                (1.0 - w_rate * rate)
                * (1.0 - w_new * new)
                * (1.0 - w_copies * copies)
                * (1.0 - w_link * link)
                * (1.0 - w_irr * irr)
            )
            signals = {
                "rate": round(rate, 4),
                "new_account": new,
                "copies": copies,
                "link_only": link,
                "irrelevant": round(irr, 4),
            }
            out.append(SpamResult(round(score, 4), score >= SPAM_AT, signals))
        return out


@lru_cache(maxsize=65_536)
def _text_key(text: str) -> int:
    """Copy-detection key: the normalised text without links, handles and hashtags.

    Built from ``normalise(text)``, which the enricher has just computed (a cache hit), rather than
    normalising a stripped copy of the text again. Memoised: repeated texts are exactly what this
    signal is about.
    """
    return hash_text(_KEY_DROP.sub("", normalise(text)).strip())


def _author_rates(posts: Sequence[Post]) -> list[float]:
    """Posts per hour by each post's author within the batch's time span (at least one hour)."""
    by_author: dict[str, list[datetime]] = defaultdict(list)
    for p in posts:
        if p.author:
            by_author[p.author].append(p.created_at)
    rate: dict[str, float] = {}
    for author, times in by_author.items():
        span_h = (max(times) - min(times)).total_seconds() / 3600.0
        rate[author] = len(times) / max(span_h, 1.0)
    return [rate.get(p.author or "", 0.0) for p in posts]


def _new_account(post: Post, now: datetime) -> float:
    created = post.author_created_at
    if created is None:
        return 0.0
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    days = (now - created).total_seconds() / 86400.0
    return 1.0 if days < 7 else 0.5 if days < 30 else 0.0


def _link_only(post: Post, text: str) -> float:
    has_link = bool(post.links) or "http" in text or "www." in text
    if not has_link:
        return 0.0
    return 1.0 if len(_LETTER.findall(_STRIP.sub(" ", text))) < 4 else 0.0
