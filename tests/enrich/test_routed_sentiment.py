"""The default backend's per-language routing and calibration (sentiment/routed.py) and their
training (training/routed.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flarewatch.enrich.features import FeatureConfig, tokenize
from flarewatch.enrich.sentiment.base import LABELS, softmax
from flarewatch.enrich.sentiment.linear import LinearSentimentModel, LinearWeights
from flarewatch.enrich.sentiment.routed import SHARED, LanguageTables, RoutedSentimentModel
from flarewatch.enrich.text import normalise
from flarewatch.enrich.training.datasets import Split
from flarewatch.enrich.training.linear import design_matrix, train
from flarewatch.enrich.training.routed import (
    domain_weights,
    fit_temperature,
    fold_columns,
    train_routes,
)

POS = ["I love it", "great product, very happy", "wonderful service thanks", "amazing, love it"]
NEG = ["I hate it", "terrible product, very sad", "awful service, angry", "horrible, hate it"]
NEU = ["the shop opens at nine", "the package is on a truck", "meeting on monday", "it is blue"]
LEXICON = {"love": 3.2, "hate": -2.7}


def _split(name: str = "tiny", lang: str = "en", flip: bool = False) -> Split:
    texts = POS * 3 + NEG * 3 + NEU * 3
    pos, neg = ("negative", "positive") if flip else ("positive", "negative")
    return Split(name, lang, texts, [pos] * 12 + [neg] * 12 + ["neutral"] * 12)


def _shared() -> LinearWeights:
    return train(
        [_split()], LEXICON, FeatureConfig(bits=14, lang_conj=True), alpha_grid=(1e-4,), log=False
    )


def test_a_routed_post_reads_its_own_folded_table() -> None:
    shared = _shared()
    rng = np.random.default_rng(0)
    bits = 10
    table = rng.normal(size=(1, 1 << bits, 3)).astype(np.float32)
    bias = np.array([[0.1, -0.2, 0.3]], dtype=np.float32)
    tables = LanguageTables(("xx",), bits, table, bias, {"xx": 2.0, SHARED: 1.5}, {})
    model = RoutedSentimentModel(shared, tables)
    texts = ["I love it", "I hate it, awful"]
    norm = [normalise(t) for t in texts]
    got = model.logits(tokenize(norm), ["xx", "en"])
    # The own-table post: the shared features folded onto 2**bits columns, times the table.
    x = fold_columns(design_matrix(texts[:1], ["xx"], shared.lexicon, shared.config), bits)
    want_own = (np.asarray(x @ table[0]) + bias[0]) / 2.0  # type: ignore[operator]
    np.testing.assert_allclose(got[0], want_own[0], rtol=1e-5, atol=1e-5)
    # Any other language: the shared model, divided by the shared temperature.
    plain = LinearSentimentModel(shared).probabilities_tokens(tokenize(norm[1:]), ["en"])
    np.testing.assert_allclose(softmax(got[1:] * 1.5), plain, rtol=1e-5, atol=1e-6)


def test_a_language_on_the_shared_model_can_keep_its_own_temperature() -> None:
    shared = _shared()
    empty = LanguageTables((), 10, np.zeros((0, 1024, 3), np.float32), np.zeros((0, 3)), {}, {})
    hot = LanguageTables((), 10, empty.weights, empty.bias, {"en": 4.0, SHARED: 1.0}, {})
    tok = tokenize([normalise("I love it")])
    base = RoutedSentimentModel(shared, empty).logits(tok, ["en"])
    np.testing.assert_allclose(RoutedSentimentModel(shared, hot).logits(tok, ["en"]), base / 4)
    other = RoutedSentimentModel(shared, empty).logits(tok, ["de"])
    np.testing.assert_allclose(RoutedSentimentModel(shared, hot).logits(tok, ["de"]), other)


def test_tables_bigger_than_the_shared_model_are_refused() -> None:
    shared = _shared()
    tables = LanguageTables(("xx",), 15, np.zeros((1, 1 << 15, 3)), np.zeros((1, 3)), {}, {})
    with pytest.raises(ValueError, match="make train-sentiment"):
        RoutedSentimentModel(shared, tables)


def test_tables_round_trip_sparse(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    w = np.zeros((2, 1 << 8, 3), dtype=np.float32)
    w[0, 5] = [1.0, -2.0, 0.5]
    w[1, 200] = rng.normal(size=3)
    tables = LanguageTables(("he", "pl"), 8, w, np.ones((2, 3)), {"he": 1.7, SHARED: 2.2}, {"a": 1})
    tables.save(tmp_path / "t.npz")
    back = LanguageTables.load(tmp_path / "t.npz")
    assert back.languages == ("he", "pl") and back.bits == 8 and back.meta["a"] == 1
    np.testing.assert_allclose(back.weights, w.astype(np.float16).astype(np.float32))
    assert back.temperature == pytest.approx({"he": 1.7, SHARED: 2.2})


def test_temperature_softens_overconfident_logits_and_keeps_calibrated_ones() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    logits = rng.normal(size=(n, 3))
    p = softmax(logits.copy())
    gold = np.asarray([LABELS[rng.choice(3, p=row)] for row in p])
    assert fit_temperature(logits, gold) == pytest.approx(1.0, abs=0.15)
    assert fit_temperature(logits * 6, gold) == pytest.approx(6.0, rel=0.15)
    # Labels unrelated to the logits: the best temperature flattens them as far as it can.
    noise = np.asarray([LABELS[k] for k in rng.integers(0, 3, n)])
    assert fit_temperature(logits * 6, noise) >= 8.0


def test_train_routes_routes_where_the_hold_out_says_so_and_is_reproducible() -> None:
    shared = _shared()
    # "xx" labels polarity the other way round from English: only its own table can learn it.
    splits = [_split(), _split("flipped", "xx", flip=True)]
    a = train_routes(splits, shared, bits=10, alpha_grid=(1e-4,), holdout=0.3, log=False)
    b = train_routes(splits, shared, bits=10, alpha_grid=(1e-4,), holdout=0.3, log=False)
    assert "xx" in a.languages
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.temperature == b.temperature and SHARED in a.temperature
    assert all(t > 0 for t in a.temperature.values())
    scores = a.meta["holdout_macro_f1"]["xx"]
    assert scores["1e-04" if "1e-04" in scores else "0.0001"] > scores["shared"]
    model = RoutedSentimentModel(shared, a)
    got = [lab for lab, _ in model.predict(["I love it", "I love it"], ["xx", "en"])]
    assert got == ["negative", "positive"]


def test_a_language_in_always_gets_its_own_table_and_keeps_some_of_it() -> None:
    shared = _shared()
    splits = [_split()]
    kw = {"bits": 10, "alpha_grid": (1e-4,), "holdout": 0.3, "log": False}
    plain = train_routes(splits, shared, always=(), **kw)
    # English is the shared model's own data: the hold-out finds no gain beyond the margin.
    assert "en" not in plain.languages
    forced = train_routes(splits, shared, always=("en",), **kw)
    assert forced.languages == ("en",)
    assert 0.0 < forced.blend["en"] <= 1.0
    assert forced.meta["always_routed"] == ["en"]
    assert forced.meta["balance"]["en"] == "rows"  # one set: nothing to weigh
    model = RoutedSentimentModel(shared, forced)
    got = [lab for lab, _ in model.predict(["I love it", "I hate it"], ["en", "en"])]
    assert got == ["positive", "negative"]


def test_domain_weights_balance_classes_within_sets_and_optionally_the_sets() -> None:
    sets = np.asarray(["big"] * 8 + ["small"] * 2)
    labels = np.asarray(["negative"] * 6 + ["positive"] * 2 + ["negative", "positive"])
    rows = domain_weights(sets, labels, "rows")
    assert rows[:8].sum() == pytest.approx(8.0) and rows[8:].sum() == pytest.approx(2.0)
    assert rows[:6].sum() == pytest.approx(rows[6:8].sum())  # classes balanced within "big"
    even = domain_weights(sets, labels, "sets")
    assert even[:8].sum() == pytest.approx(5.0) and even[8:].sum() == pytest.approx(5.0)
    assert even[:6].sum() == pytest.approx(even[6:8].sum())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A WORM in a @GrillberryIL burger?! Never eating there again", True),
        ("Never buying from them again.", True),
        ("Nie polecam tego banku", True),
        ("Bank Wiślany awaria logowania, zmieniam bank", True),
        ("לעולם לא אוכל שם שוב", True),
        ("השירות לא מומלץ בכלל", True),
        ("Nunca más compro aquí", True),
        ("I never said it was bad, but again, who knows", False),
        ("I love it, highly recommend!", False),
        ("Is it open?", False),
        ("Polecam wszystkim, świetny bank", False),
    ],
)
def test_renouncing_cues(text: str, expected: bool) -> None:
    from flarewatch.enrich.text import renounces

    assert renounces(normalise(text)) is expected


def test_a_renouncing_post_moves_probability_to_negative() -> None:
    from flarewatch.enrich.sentiment.routed import RENOUNCE_SHIFT, adjust_for_cues

    p = np.array([[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])
    got = adjust_for_cues(p, [normalise("never eating there again"), normalise("lunch time")])
    np.testing.assert_allclose(got.sum(axis=1), 1.0)
    np.testing.assert_allclose(got[0], [0.2 + RENOUNCE_SHIFT * 0.8, 0.15, 0.25])
    np.testing.assert_allclose(got[1], p[1])
