from __future__ import annotations

import numpy as np

from flarewatch.enrich.features import (
    FeatureConfig,
    Lexicon,
    extract,
    scopes,
    string_hashes,
    tokenize,
)
from flarewatch.enrich.text import normalise


def _features(texts: list[str]) -> list[set[tuple[int, float]]]:
    tok = tokenize([normalise(t) for t in texts])
    doc, idx, val = extract(
        tok, ["en"] * len(texts), Lexicon.build({"good": 2.0}), FeatureConfig(bits=16)
    )
    return [
        {(int(i), round(float(v), 5)) for d, i, v in zip(doc, idx, val, strict=True) if d == k}
        for k in range(len(texts))
    ]


def test_features_do_not_depend_on_the_batch() -> None:
    alone = _features(["not good at all!"])[0]
    in_batch = _features(["something else entirely", "not good at all!", "x"])[1]
    assert alone == in_batch


def test_word_hashes_match_string_hashes() -> None:
    tok = tokenize([normalise("Hello, World")])
    assert np.array_equal(tok.word_hash, string_hashes(["hello", ",", "world"]))


def test_negation_scope_stops_at_clause_break() -> None:
    tok = tokenize([normalise("not very good, but fine")])
    negated, boosted = scopes(tok)
    assert negated.tolist() == [False, True, True, False, False, False]
    assert boosted.tolist() == [False, False, True, False, False, False]


def test_stems_and_phrases() -> None:
    lex = Lexicon.build({"хорош*": 2.0, "sick of": -2.0})
    tok = tokenize([normalise("хорошая работа"), normalise("so sick of it")])
    hit, val = lex.lookup(tok)
    assert hit.tolist() == [True, False, False, True, False, False]
    assert val[0] == 2.0 and val[3] == -2.0


def test_language_conjunctions_add_a_tagged_copy_per_feature() -> None:
    from flarewatch.enrich.features import FeatureConfig, Lexicon, extract, tokenize

    lex = Lexicon.build({"good": 2.0})
    tok = tokenize(["good service", "good service"])
    plain = extract(tok, ["en", "fr"], lex, FeatureConfig(bits=18))
    conj = extract(tok, ["en", "fr"], lex, FeatureConfig(bits=18, lang_conj=True))
    assert len(conj[0]) > len(plain[0])
    en = set(conj[1][conj[0] == 0].tolist())
    fr = set(conj[1][conj[0] == 1].tolist())
    shared = set(plain[1][plain[0] == 0].tolist()) & set(plain[1][plain[0] == 1].tolist())
    assert shared <= en & fr  # the shared copies are identical across languages
    assert en - fr and fr - en  # the tagged copies differ by language


def test_linear_scores_equal_the_design_matrix_product() -> None:
    """The inference path (block gathers + segment sums) must see exactly the training features."""
    from flarewatch.enrich.features import linear_scores

    texts = ["not good at all!", "", "gut 👍 sehr gut", "x", "хорошая работа, спасибо", ""]
    langs = ["en", "en", "de", "und", "ru", "fr"]
    lex = Lexicon.build({"good": 2.0, "хорош*": 2.0, "спасибо": 2.0})
    rng = np.random.default_rng(0)
    for cfg in (
        FeatureConfig(bits=14),
        FeatureConfig(bits=14, lang_conj=True),
        FeatureConfig(bits=14, lang_conj=True, conj_char_ngrams=(3,)),
    ):
        weights = rng.standard_normal((1 << cfg.bits, 3)).astype(np.float32)
        tok = tokenize([normalise(t) for t in texts])
        doc, idx, val = extract(tok, langs, lex, cfg)
        expected = np.zeros((len(texts), 3))
        np.add.at(expected, doc, weights[idx] * val[:, None].astype(np.float64))
        got = linear_scores(tok, langs, lex, cfg, weights)
        assert np.allclose(got, expected, atol=1e-5)
