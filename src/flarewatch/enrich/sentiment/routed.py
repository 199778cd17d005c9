"""The "default" sentiment backend: per-language linear models routed by the post's language,
the shared multilingual model for every other language, and a calibration temperature per
language (numpy-only inference).

Files, both in ``models/`` and written by ``python -m flarewatch.enrich.training.train``:

- ``sentiment.npz``: the shared hashed linear model (``linear.py``), trained on every labelled
  language at once. Posts in a language without a table of its own (Russian, "und", ...) are
  scored by it, and the stacked ``use``/``e5`` backends stack on it.
- ``sentiment_languages.npz``: one smaller table per language that training routed to its own
  model (on a hold-out of the training data, where it beat the shared model), the shared
  model's features folded onto ``2**bits`` buckets, plus one temperature per language (and
  ``*`` for the shared model) fitted on that hold-out, so an uncertain post is not scored
  -0.9999.

The features are computed once per batch with the shared model's configuration; each post reads
its own table (``features.linear_scores``'s ``route``), so routing costs one extra integer
operation per feature, not a second pass.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from flarewatch.enrich.features import Tokens, blocks, gather_scores, tokenize
from flarewatch.enrich.sentiment.base import softmax, to_labels
from flarewatch.enrich.sentiment.linear import (
    LinearSentimentModel,
    LinearWeights,
    adjust_for_sarcasm,
)
from flarewatch.enrich.sentiment.linear import load_default as load_shared
from flarewatch.enrich.text import normalise, renounces

ROUTES_FILE = "sentiment_languages.npz"
SHARED = "*"  # the temperature key of the shared model
# Share of the neutral and positive probability moved to negative when a post renounces the
# brand ("never eating there again", "nie polecam"; ``text.renounces``).
RENOUNCE_SHIFT = 0.5


@dataclass(frozen=True, slots=True)
class LanguageTables:
    """Per-language weight tables over the shared model's features, and the temperatures."""

    languages: tuple[str, ...]  # the languages with a table of their own, in table order
    bits: int  # each table has 2**bits rows (the shared feature index folded by a mask)
    weights: np.ndarray  # (len(languages), 2**bits, 3) float32
    bias: np.ndarray  # (len(languages), 3) float32
    temperature: dict[str, float]  # language (or SHARED) → logits are divided by it
    meta: dict[str, Any]
    # language → weight of its own table's logits, the rest the shared model's (1: own only)
    blend: dict[str, float] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Stored sparse (most buckets of a one-language table stay zero) in float16."""
        path.parent.mkdir(parents=True, exist_ok=True)
        flat = self.weights.reshape(-1, 3)
        rows = np.flatnonzero(np.any(flat != 0, axis=1)).astype(np.uint32)
        np.savez_compressed(
            path,
            languages=np.array(self.languages),
            rows=rows,
            values=flat[rows].astype(np.float16),
            bias=self.bias.astype(np.float32),
            temp_keys=np.array(list(self.temperature)),
            temp_values=np.array(list(self.temperature.values()), dtype=np.float32),
            blend_keys=np.array(list(self.blend), dtype=str),
            blend_values=np.array(list(self.blend.values()), dtype=np.float32),
            meta=np.array(json.dumps({**self.meta, "bits": self.bits}, sort_keys=True)),
        )

    @staticmethod
    def load(path: Path | Any) -> LanguageTables:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            languages = tuple(str(c) for c in z["languages"])
            bits = int(meta["bits"])
            flat = np.zeros((len(languages) << bits, 3), dtype=np.float32)
            flat[z["rows"].astype(np.intp)] = z["values"].astype(np.float32)
            temps = {
                str(k): float(v) for k, v in zip(z["temp_keys"], z["temp_values"], strict=True)
            }
            bias = z["bias"].astype(np.float32).reshape(len(languages), 3)
            blend = (
                {str(k): float(v) for k, v in zip(z["blend_keys"], z["blend_values"], strict=True)}
                if "blend_keys" in z.files
                else {}
            )
        weights = flat.reshape(len(languages), 1 << bits, 3)
        return LanguageTables(languages, bits, weights, bias, temps, meta, blend)


class RoutedSentimentModel:
    """Per-language tables + the shared model, calibrated per language; see the module
    docstring and docs/enrichment.md ("The default model")."""

    def __init__(self, shared: LinearWeights, tables: LanguageTables) -> None:
        if tables.bits > shared.config.bits:
            raise ValueError(
                f"language tables have 2**{tables.bits} rows, more than the shared model's "
                f"2**{shared.config.bits}: retrain with `make train-sentiment`"
            )
        self.shared = shared
        self.tables = tables
        size = 1 << shared.config.bits
        self._index = {lang: k for k, lang in enumerate(tables.languages)}
        # One stacked table: rows [0, size) the shared model, then each language's table.
        self._weights = np.ascontiguousarray(
            np.vstack([shared.weights, tables.weights.reshape(-1, 3)]), dtype=np.float32
        )
        n = len(tables.languages)
        self._offset = np.asarray(
            [0] + [size + (k << tables.bits) for k in range(n)], dtype=np.uint64
        )
        self._fold = np.asarray([size - 1] + [(1 << tables.bits) - 1] * n, dtype=np.uint64)
        self._bias = np.vstack([shared.bias[None, :], tables.bias]).astype(np.float64)
        # Language → (route, temperature): a language on the shared model may still have a
        # temperature of its own (fitted on its hold-out rows); any other language gets the
        # shared model's.
        self._fallback_temp = float(tables.temperature.get(SHARED, 1.0))
        self._lookup = {
            lang: (self._index.get(lang, -1) + 1, float(t), self._own_share(lang))
            for lang, t in tables.temperature.items()
            if lang != SHARED
        }
        for lang, k in self._index.items():
            self._lookup.setdefault(lang, (k + 1, self._fallback_temp, self._own_share(lang)))

    def _own_share(self, lang: str) -> float:
        """Weight of the language's own table in its logits (1 for a language on the shared
        model: its "own" logits are the shared model's)."""
        return float(self.tables.blend.get(lang, 1.0)) if lang in self._index else 1.0

    @classmethod
    def from_env(cls) -> RoutedSentimentModel:
        """The shipped model (configured by no variable; the registry's entry point)."""
        return load_default()

    def routes(self, languages: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per post: the table (0: the shared model, 1 + k: language table k), the
        temperature and the own table's share of the logits."""
        default = (0, self._fallback_temp, 1.0)
        found = [self._lookup.get(str(c).lower(), default) for c in languages]
        n = len(found)
        route = np.fromiter((r for r, _, _ in found), dtype=np.intp, count=n)
        temp = np.fromiter((t for _, t, _ in found), dtype=np.float64, count=n)
        own = np.fromiter((s for _, _, s in found), dtype=np.float64, count=n)
        return route, temp, own

    def logits(self, tok: Tokens, languages: Sequence[str]) -> np.ndarray:
        """Calibrated logits in LABELS order: the route's table (blended with the shared
        model's logits where training chose a blend), divided by the language's temperature."""
        route, temp, own = self.routes(languages)
        w = self.shared
        feats = blocks(tok, languages, w.lexicon, w.config)
        n = tok.n_docs
        acc = gather_scores(feats, n, self._weights, (self._offset[route], self._fold[route]))
        acc += self._bias[route]
        mixed = own < 1.0
        if mixed.any():
            # The shared table is the first block of the stacked one: unrouted indices read it.
            shared = gather_scores(feats, n, self._weights) + self._bias[0]
            k = own[mixed, None]
            acc[mixed] = k * acc[mixed] + (1.0 - k) * shared[mixed]
        acc /= temp[:, None]
        return acc

    def probabilities_tokens(self, tok: Tokens, languages: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(tok, languages))

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        norm = [normalise(t) for t in texts]
        return adjust_for_cues(self.probabilities_tokens(tokenize(norm), languages), norm)

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return to_labels(self.probabilities(texts, languages))

    def predict_tokens(
        self, tok: Tokens, normalised: Sequence[str], languages: Sequence[str]
    ) -> list[tuple[str, float]]:
        return to_labels(adjust_for_cues(self.probabilities_tokens(tok, languages), normalised))


def adjust_for_cues(p: np.ndarray, normalised: Sequence[str]) -> np.ndarray:
    """The sarcasm adjustment (``linear.adjust_for_sarcasm``), then: a post that renounces the
    brand moves ``RENOUNCE_SHIFT`` of its neutral and positive probability to negative. Such
    phrases are rare in the labelled tweets, so the tables cannot learn them, and the words
    around them (eating, bank, recommend) carry no polarity of their own."""
    p = adjust_for_sarcasm(p, normalised)
    flagged = np.fromiter((renounces(t) for t in normalised), dtype=bool, count=len(normalised))
    if flagged.any():
        p = p.copy()
        moved = RENOUNCE_SHIFT * (p[flagged, 1] + p[flagged, 2])
        p[flagged, 1] *= 1.0 - RENOUNCE_SHIFT
        p[flagged, 2] *= 1.0 - RENOUNCE_SHIFT
        p[flagged, 0] += moved
    return p


def load_tables() -> LanguageTables:
    ref = resources.files("flarewatch.enrich") / "models" / ROUTES_FILE
    if not ref.is_file():
        raise FileNotFoundError(
            f"shipped per-language sentiment tables missing ({ref}); run `make train-sentiment`"
        )
    with ref.open("rb") as fh:
        return LanguageTables.load(fh)


@lru_cache(maxsize=1)
def load_default() -> RoutedSentimentModel:
    shared: LinearSentimentModel = load_shared()
    return RoutedSentimentModel(shared.w, load_tables())
