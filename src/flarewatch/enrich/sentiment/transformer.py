"""Optional transformer sentiment backend (Hugging Face transformers + torch).

Imported only when the "transformers" backend is asked for, so the package runs without torch.
Models come from a local directory or, when the machine has network, the Hugging Face hub; one
model can serve all languages and others can override it per language, e.g.::

    FLAREWATCH_TRANSFORMER_MODEL=cardiffnlp/twitter-xlm-roberta-base-sentiment
    FLAREWATCH_TRANSFORMER_MODEL_HE=/models/hebert-sentiment
    FLAREWATCH_TRANSFORMER_DEVICE=cuda            # default: cuda when available, else cpu
    FLAREWATCH_TRANSFORMER_BATCH=64

Labels are read from the model's ``id2label`` (names containing neg/neu/pos); anonymous
``LABEL_0..2`` are taken in the usual negative, neutral, positive order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from flarewatch.enrich.sentiment.base import LABELS

DEFAULT_MODEL = "cardiffnlp/twitter-xlm-roberta-base-sentiment"


def _label_columns(id2label: dict[int, str], n: int) -> list[int]:
    """Index in LABELS for each output column of the model (-1: ignored)."""
    cols: list[int] = []
    for i in range(n):
        name = str(id2label.get(i, f"LABEL_{i}")).lower()
        if name.startswith("neg"):
            cols.append(0)
        elif name.startswith("neu"):
            cols.append(1)
        elif name.startswith("pos"):
            cols.append(2)
        elif n == 3 and name == f"label_{i}":
            cols.append(i)
        elif n == 2 and name == f"label_{i}":
            cols.append(0 if i == 0 else 2)
        else:
            cols.append(-1)
    return cols


class _Loaded:
    def __init__(self, source: str, device: str, half: bool) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(source)
        model.eval().to(device)
        if half:
            model = model.half()
        self.model = model
        self.torch = torch
        self.cols = _label_columns(dict(model.config.id2label), model.config.num_labels)


class TransformerSentimentModel:
    def __init__(
        self,
        models: dict[str, str],
        device: str | None = None,
        batch_size: int = 64,
        max_length: int = 128,
    ) -> None:
        """``models`` maps a language code (or "default") to a local path or hub id."""
        import torch

        if "default" not in models:
            raise ValueError("models needs a 'default' entry")
        self.sources = dict(models)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        self.max_length = max_length
        self._loaded: dict[str, _Loaded] = {}

    @classmethod
    def from_env(cls) -> TransformerSentimentModel:
        models = {"default": os.environ.get("FLAREWATCH_TRANSFORMER_MODEL", DEFAULT_MODEL)}
        prefix = "FLAREWATCH_TRANSFORMER_MODEL_"
        for key, value in os.environ.items():
            if key.startswith(prefix) and value:
                models[key[len(prefix) :].lower()] = value
        return cls(
            models,
            device=os.environ.get("FLAREWATCH_TRANSFORMER_DEVICE") or None,
            batch_size=int(os.environ.get("FLAREWATCH_TRANSFORMER_BATCH", "64")),
        )

    def _model(self, source: str) -> _Loaded:
        if source not in self._loaded:
            self._loaded[source] = _Loaded(source, self.device, self.device.startswith("cuda"))
        return self._loaded[source]

    def probabilities(self, texts: Sequence[str], languages: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = [[0.0, 1.0, 0.0] for _ in texts]
        groups: dict[str, list[int]] = {}
        for i, lang in enumerate(languages):
            groups.setdefault(self.sources.get(lang, self.sources["default"]), []).append(i)
        for source, idx in groups.items():
            loaded = self._model(source)
            # Sorting by length keeps padding, and so wasted compute, small within each batch.
            idx = sorted(idx, key=lambda i: len(texts[i]))
            for start in range(0, len(idx), self.batch_size):
                chunk = idx[start : start + self.batch_size]
                for i, row in zip(
                    chunk, self._forward(loaded, [texts[i] for i in chunk]), strict=True
                ):
                    out[i] = row
        return out

    def _forward(self, loaded: _Loaded, texts: list[str]) -> list[list[float]]:
        torch: Any = loaded.torch
        enc = loaded.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        with torch.inference_mode():
            logits = loaded.model(**enc).logits.float()
        probs = torch.softmax(logits, dim=-1).cpu().tolist()
        rows: list[list[float]] = []
        for p in probs:
            row = [0.0, 0.0, 0.0]
            for col, value in zip(loaded.cols, p, strict=True):
                if col >= 0:
                    row[col] += value
            total = sum(row) or 1.0
            rows.append([v / total for v in row])
        return rows

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        result: list[tuple[str, float]] = []
        for p in self.probabilities(texts, languages):
            best = max(range(3), key=lambda k: p[k])
            result.append((LABELS[best], max(-1.0, min(1.0, p[2] - p[0]))))
        return result
