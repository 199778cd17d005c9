"""The "default" sentiment backend: the shipped hashed linear model (numpy-only inference).

Its weights are ``models/sentiment.npz``, written by ``python -m flarewatch.enrich.training.train``;
loading and scoring need numpy alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from flarewatch.enrich.features import FeatureConfig, Lexicon, Tokens, linear_scores, tokenize
from flarewatch.enrich.sentiment.base import softmax, to_labels
from flarewatch.enrich.text import SARCASM_TOKEN, normalise

MODEL_FILE = "sentiment.npz"


@dataclass(frozen=True, slots=True)
class LinearWeights:
    weights: np.ndarray  # (2**bits, 3) float32
    bias: np.ndarray  # (3,)
    lexicon: Lexicon
    config: FeatureConfig
    meta: dict[str, Any]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            lex_keys=self.lexicon.keys,
            lex_values=self.lexicon.values.astype(np.float16),
            stem_keys=self.lexicon.stem_keys,
            stem_values=self.lexicon.stem_values.astype(np.float16),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    @staticmethod
    def load(path: Path | Any) -> LinearWeights:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            cfg = FeatureConfig(
                bits=int(meta["bits"]),
                char_ngrams=tuple(meta["char_ngrams"]),
                lang_conj=bool(meta.get("lang_conj", False)),
                conj_char_ngrams=tuple(meta.get("conj_char_ngrams", meta["char_ngrams"])),
            )
            lex = Lexicon(
                z["lex_keys"],
                z["lex_values"].astype(np.float32),
                z["stem_keys"],
                z["stem_values"].astype(np.float32),
            )
            return LinearWeights(z["weights"].astype(np.float32), z["bias"], lex, cfg, meta)


class LinearSentimentModel:
    """Multinomial logistic regression over hashed features; see docs/enrichment.md."""

    def __init__(self, weights: LinearWeights) -> None:
        self.w = weights

    @classmethod
    def from_env(cls) -> LinearSentimentModel:
        """The shipped model (configured by no variable; the registry's entry point)."""
        return load_default()

    def probabilities_tokens(self, tok: Tokens, languages: Sequence[str]) -> np.ndarray:
        logits = linear_scores(tok, languages, self.w.lexicon, self.w.config, self.w.weights)
        logits += self.w.bias
        return softmax(logits)

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        norm = [normalise(t) for t in texts]
        return adjust_for_sarcasm(self.probabilities_tokens(tokenize(norm), languages), norm)

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return to_labels(self.probabilities(texts, languages))

    def predict_tokens(
        self, tok: Tokens, normalised: Sequence[str], languages: Sequence[str]
    ) -> list[tuple[str, float]]:
        return to_labels(adjust_for_sarcasm(self.probabilities_tokens(tok, languages), normalised))


def adjust_for_sarcasm(p: np.ndarray, normalised: Sequence[str]) -> np.ndarray:
    """Explicit sarcasm markers ("/s", 🙄, "yeah right") turn apparent praise into criticism.

    The cue token is also a model feature, but sarcastic tweets are too rare in the training data
    for the weight alone to flip a confidently positive post; so half of the positive mass moves to
    negative when a cue is present.
    """
    flagged = np.fromiter(
        (t.endswith(SARCASM_TOKEN) or f" {SARCASM_TOKEN} " in t for t in normalised),
        dtype=bool,
        count=len(normalised),
    )
    if flagged.any():
        p = p.copy()
        moved = p[flagged, 2] * 0.5
        p[flagged, 2] -= moved
        p[flagged, 0] += moved
    return p


@lru_cache(maxsize=1)
def load_default() -> LinearSentimentModel:
    ref = resources.files("flarewatch.enrich") / "models" / MODEL_FILE
    if not ref.is_file():
        raise FileNotFoundError(
            f"shipped sentiment model missing ({ref}); run `make train-sentiment`"
        )
    with ref.open("rb") as fh:
        return LinearSentimentModel(LinearWeights.load(fh))
