from __future__ import annotations

from pathlib import Path

import numpy as np

from flarewatch.enrich.features import FeatureConfig
from flarewatch.enrich.sentiment.linear import LinearSentimentModel, LinearWeights
from flarewatch.enrich.training.datasets import Split
from flarewatch.enrich.training.linear import train

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


def test_tagged_char_ngram_families_are_chosen_on_the_hold_out() -> None:
    splits = [_split(), Split("tiny-de", "de", _split().texts, _split().labels)]
    weights = train(
        splits,
        {"love": 3.2, "hate": -2.7},
        FeatureConfig(bits=14, lang_conj=True),
        alpha_grid=(1e-4,),
        holdout=0.3,
        log=False,
        conj_grid=[(3,)],
    )
    scores = weights.meta["holdout_macro_f1"]
    assert set(scores) == {"0.0001 conj2345", "0.0001 conj3"}
    assert tuple(weights.meta["conj_char_ngrams"]) == weights.config.conj_char_ngrams
    assert weights.config.conj_char_ngrams in {(2, 3, 4, 5), (3,)}
