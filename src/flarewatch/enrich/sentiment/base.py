"""What every sentiment backend shares: the protocol, the label order and the probability helpers.

Imports no backend (the registry names them, ``registry.py``), so code that only needs the
interface or the labels stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from flarewatch.enrich.features import Tokens

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")


@runtime_checkable
class SentimentModel(Protocol):
    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        """One (label, score in [-1, 1]) per text; ``languages`` are ISO 639-1 codes or "und"."""
        ...


@runtime_checkable
class TokenSentimentModel(SentimentModel, Protocol):
    """A model that can score the enricher's already normalised and tokenised batch, so the
    batch is not tokenised twice (the default model does; the enricher takes this path when the
    model offers it)."""

    def predict_tokens(
        self, tok: Tokens, normalised: Sequence[str], languages: Sequence[str]
    ) -> list[tuple[str, float]]:
        """As ``predict``, from ``features.tokenize`` of the ``text.normalise``d texts."""
        ...


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise class probabilities from logits (shifted by the row maximum, in place)."""
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


def to_labels(p: np.ndarray) -> list[tuple[str, float]]:
    """(label, P(positive) - P(negative)) per row of class probabilities in LABELS order."""
    score = np.clip(p[:, 2] - p[:, 0], -1.0, 1.0)
    best = p.argmax(axis=1)
    return [(LABELS[b], float(s)) for b, s in zip(best.tolist(), score.tolist(), strict=True)]


def predict_each(
    model: SentimentModel, texts: Sequence[str], languages: Sequence[str]
) -> list[tuple[str, float] | None]:
    """The model's (label, score) per text, None for a text it cannot score: a batch the model
    fails on is scored text by text, so one bad post costs only itself (re-scoring jobs and
    alerts keep going; the caller counts the Nones)."""
    try:
        return [(str(label), float(score)) for label, score in model.predict(texts, languages)]
    except Exception:  # noqa: BLE001  (any model error: the other texts must still be scored)
        pass
    out: list[tuple[str, float] | None] = []
    for text, language in zip(texts, languages, strict=True):
        try:
            [(label, score)] = model.predict([text], [language])
            out.append((str(label), float(score)))
        except Exception:  # noqa: BLE001
            out.append(None)
    return out
