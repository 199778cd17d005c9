from __future__ import annotations

from pathlib import Path

import numpy as np

from flarewatch.enrich.datasets import Split
from flarewatch.enrich.features import FeatureConfig
from flarewatch.enrich.sentiment import LinearSentimentModel, LinearWeights
from flarewatch.enrich.train import train

POS = ["I love it", "great product, very happy", "wonderful service thanks", "amazing, love it"]
NEG = ["I hate it", "terrible product, very sad", "awful service, angry", "horrible, hate it"]
NEU = ["the shop opens at nine", "the package is on a truck", "meeting on monday", "it is blue"]


def _split() -> Split:
    texts = POS * 3 + NEG * 3 + NEU * 3
    labels = ["positive"] * 12 + ["negative"] * 12 + ["neutral"] * 12
    return Split("tiny", "en", texts, labels)


def _train() -> LinearWeights:
    return train(
        [_split()],
        {"love": 3.2, "hate": -2.7},
        FeatureConfig(bits=14),
        alpha_grid=(1e-4,),
        log=False,
    )


def test_training_is_reproducible_and_learns(tmp_path: Path) -> None:
    a, b = _train(), _train()
    assert np.array_equal(a.weights, b.weights)
    path = tmp_path / "m.npz"
    a.save(path)
    model = LinearSentimentModel(LinearWeights.load(path))
    got = [
        lab
        for lab, _ in model.predict(
            ["love it, great", "hate it, awful", "opens monday"], ["en"] * 3
        )
    ]
    assert got == ["positive", "negative", "neutral"]


def test_language_tagged_features_round_trip(tmp_path: Path) -> None:
    weights = train(
        [_split()],
        {"love": 3.2, "hate": -2.7},
        FeatureConfig(bits=14, lang_conj=True),
        alpha_grid=(1e-4,),
        log=False,
    )
    path = tmp_path / "conj.npz"
    weights.save(path)
    loaded = LinearWeights.load(path)
    assert loaded.config.lang_conj and loaded.meta["lang_conj"] is True
    model = LinearSentimentModel(loaded)
    got = [lab for lab, _ in model.predict(["love it, great", "hate it, awful"], ["en"] * 2)]
    assert got == ["positive", "negative"]
