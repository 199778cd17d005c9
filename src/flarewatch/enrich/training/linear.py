"""Fit the "default" backend's hashed linear model (``models/sentiment.npz``).

Reproducible: fixed seed, deterministic solver, the data split by a seeded permutation. Needs
scikit-learn and scipy, at training time only; the run-time model is
``flarewatch.enrich.sentiment.linear``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from flarewatch.enrich.features import FeatureConfig, Lexicon, extract, tokenize
from flarewatch.enrich.sentiment.base import LABELS
from flarewatch.enrich.sentiment.linear import MODEL_FILE, LinearSentimentModel, LinearWeights
from flarewatch.enrich.text import normalise
from flarewatch.enrich.training.datasets import Split

# The shipped model, inside the package (enrich/models/), where the default backend loads it.
DEFAULT_OUTPUT = Path(__file__).parent.parent / "models" / MODEL_FILE
# L2 strengths tried on the hold-out slice of TRAIN (SGD's alpha ~ 1 / (C * n_rows)).
ALPHA_GRID = (1e-6, 3e-6, 1e-5)
# Which char n-gram lengths get language-tagged copies, also chosen on that hold-out: fewer tagged
# families mean fewer features per post (faster inference) and a smaller, less collided table.
CONJ_CHAR_GRID: tuple[tuple[int, ...], ...] = ((2, 3, 4, 5), (3,))
# Emotion tweets carry polarity; anger/sadness read as negative and joy/optimism as positive.
EMOTION_TO_SENTIMENT = {
    "anger": "negative",
    "sadness": "negative",
    "joy": "positive",
    "optimism": "positive",
}


def design_matrix(
    texts: Sequence[str], languages: Sequence[str], lexicon: Lexicon, config: FeatureConfig
) -> object:
    from scipy.sparse import csr_matrix

    tok = tokenize([normalise(t) for t in texts])
    doc, idx, val = extract(tok, languages, lexicon, config)
    return csr_matrix((val.astype(np.float64), (doc, idx)), shape=(len(texts), 1 << config.bits))


def sample_weights(languages: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Balance classes within each language so skewed sets (Hebrew) do not drown neutral."""
    lang = np.asarray(languages)
    lab = np.asarray(labels)
    w = np.ones(len(lab))
    for code in np.unique(lang):
        in_lang = lang == code
        for c in np.unique(lab[in_lang]):
            sel = in_lang & (lab == c)
            w[sel] = in_lang.sum() / (len(np.unique(lab[in_lang])) * sel.sum())
    return w


def macro_f1_by_language(y: np.ndarray, pred: np.ndarray, lang: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    return {
        str(c): float(f1_score(y[lang == c], pred[lang == c], average="macro", labels=list(LABELS)))
        for c in np.unique(lang)
    }


def fit(x: object, y: np.ndarray, w: np.ndarray, alpha: float, seed: int) -> object:
    # SGD on the log loss is a multinomial-free (one-vs-rest) logistic regression that fits the
    # 2**20-column problem in seconds where lbfgs took minutes; seeded shuffling keeps it exact.
    # Averaged SGD (Polyak averaging of the iterates) gave +0.005 to +0.01 mean macro-F1 over the
    # plain last iterate; LinearSVC and the modified Huber loss were worse (docs/enrichment.md).
    from sklearn.linear_model import SGDClassifier

    model = SGDClassifier(
        loss="log_loss", alpha=alpha, max_iter=30, tol=None, average=True, random_state=seed
    )
    model.fit(x, y, sample_weight=w)
    return model


def train(
    splits: Sequence[Split],
    lexicon_entries: dict[str, float],
    config: FeatureConfig = FeatureConfig(),
    alpha_grid: Sequence[float] = ALPHA_GRID,
    seed: int = 0,
    holdout: float = 0.15,
    extra: Sequence[Split] = (),
    log: bool = True,
    conj_grid: Sequence[tuple[int, ...]] = (),
) -> LinearWeights:
    """Pick the L2 strength (and tagged char n-gram families) on a seeded hold-out slice of the
    training data; refit on all of it."""
    texts = [t for s in (*splits, *extra) for t in s.texts]
    langs = [s.language for s in (*splits, *extra) for _ in s.texts]
    y = np.asarray([lab for s in (*splits, *extra) for lab in s.labels])
    is_extra = np.asarray(
        [False for s in splits for _ in s.texts] + [True for s in extra for _ in s.texts],
        dtype=bool,
    )
    lexicon = Lexicon.build(lexicon_entries)
    configs = [config]
    if config.lang_conj:
        configs += [replace(config, conj_char_ngrams=tuple(g)) for g in conj_grid]
        configs = list(dict.fromkeys(configs))
    w = sample_weights(langs, y)
    lang = np.asarray(langs)
    rng = np.random.default_rng(seed)
    dev = (rng.random(len(y)) < holdout) & ~is_extra
    scores: dict[str, float] = {}
    best_key: tuple[float, FeatureConfig] | None = None
    best_score = -1.0
    x = None
    for cfg in configs:
        x = design_matrix(texts, langs, lexicon, cfg)
        for c in alpha_grid if len(alpha_grid) > 1 or len(configs) > 1 else ():
            m = fit(x[~dev], y[~dev], w[~dev], c, seed)  # type: ignore[index]
            f1 = macro_f1_by_language(y[dev], m.predict(x[dev]), lang[dev])  # type: ignore[attr-defined,index]
            key = (
                f"{c}"
                if len(configs) == 1
                else f"{c} conj{''.join(map(str, cfg.conj_char_ngrams))}"
            )
            scores[key] = float(np.mean(list(f1.values())))
            if scores[key] > best_score:
                best_score, best_key = scores[key], (c, cfg)
            if log:
                print(
                    f"  alpha={c:<7} tagged char n-grams {cfg.conj_char_ngrams}: "
                    f"hold-out macro-F1 (mean over languages) {scores[key]:.3f}",
                    file=sys.stderr,
                )
    best, config = best_key if best_key is not None else (alpha_grid[0], config)
    if x is None or configs[-1] != config:
        x = design_matrix(texts, langs, lexicon, config)
    model = fit(x, y, w, best, seed)
    classes = [str(c) for c in model.classes_]  # type: ignore[attr-defined]
    coef = np.zeros((1 << config.bits, 3), dtype=np.float32)
    bias = np.zeros(3, dtype=np.float32)
    for k, label in enumerate(LABELS):
        if label in classes:
            j = classes.index(label)
            coef[:, k] = model.coef_[j]  # type: ignore[attr-defined]
            bias[k] = model.intercept_[j]  # type: ignore[attr-defined]
        else:
            bias[k] = -30.0
    meta = {
        "bits": config.bits,
        "char_ngrams": list(config.char_ngrams),
        "lang_conj": config.lang_conj,
        "conj_char_ngrams": list(config.conj_char_ngrams),
        "alpha": best,
        "seed": seed,
        "holdout_macro_f1": {str(k): round(v, 4) for k, v in scores.items()},
        "train_rows": {s.name: len(s.texts) for s in (*splits, *extra)},
        "lexicon_entries": len(lexicon_entries),
        "labels": list(LABELS),
    }
    return LinearWeights(coef, bias, lexicon, config, meta)


def out_of_fold_probabilities(
    splits: Sequence[Split],
    lexicon_entries: dict[str, float],
    config: FeatureConfig,
    alpha: float,
    seed: int = 0,
    extra: Sequence[Split] = (),
    folds: int = 5,
    log: bool = True,
) -> np.ndarray:
    """The default model's class probabilities on every row of ``splits``, each from a retrain of
    the same configuration (``config``, ``alpha``, ``extra`` always in) that did not see that row;
    rows are assigned to ``folds`` folds by a seeded permutation."""
    sizes = [len(s.texts) for s in splits]
    fold = np.random.default_rng(seed + 123).permutation(sum(sizes)) % folds
    offsets = np.cumsum([0, *sizes])
    out = np.zeros((sum(sizes), 3))
    for k in range(folds):
        started = time.perf_counter()
        parts = []
        for s, lo in zip(splits, offsets[:-1], strict=True):
            keep = fold[lo : lo + len(s.texts)] != k
            parts.append(
                Split(
                    s.name,
                    s.language,
                    [t for t, ok in zip(s.texts, keep, strict=True) if ok],
                    [lab for lab, ok in zip(s.labels, keep, strict=True) if ok],
                )
            )
        weights = train(
            [p for p in parts if p.texts],
            lexicon_entries,
            config,
            alpha_grid=(alpha,),
            seed=seed,
            extra=extra,
            log=False,
        )
        model = LinearSentimentModel(weights)
        for s, lo in zip(splits, offsets[:-1], strict=True):
            held = np.flatnonzero(fold[lo : lo + len(s.texts)] == k)
            if held.size:
                out[lo + held] = model.probabilities(
                    [s.texts[i] for i in held], [s.language] * held.size
                )
        if log:
            print(
                f"  out-of-fold default model {k + 1}/{folds}: "
                f"{time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    return out
