"""Fit the default backend's per-language tables and temperatures
(``models/sentiment_languages.npz``, read by ``flarewatch.enrich.sentiment.routed``).

Every choice is made on a seeded hold-out slice of the TRAINING data (never on the validation
splits that ``make eval`` reports):

1. The shared model's configuration (``sentiment.npz``: features, alpha, training sets) is
   refitted without the hold-out rows, and scores every hold-out row, including languages and
   sets it was never trained on (Polish, Hebrew news comments).
2. Each language with labelled rows gets its own model over the same features folded onto
   ``2**bits`` buckets; its L2 strength is picked on the hold-out (the macro-F1 of the
   language's worst set), then the weight of its logits against the shared model's (``BLEND_GRID``,
   0 = the shared model alone). The language is routed to its own table only where a blend with
   some of it beats the shared model alone on the same hold-out rows by more than
   ``ROUTE_MARGIN`` paired-bootstrap standard errors of the gain (a single hold-out of a few
   hundred rows is noisy; without the margin, tables that won there by 0.01-0.04 lost on the
   validation splits).
3. One temperature per language (and one for the shared model over all its languages) minimises
   the log loss of the hold-out predictions of the route chosen; then the own models are refitted
   on all their rows.

Classes are balanced within each labelled set (not each language), so a skewed set (Hebrew news
comments: 75% negative) does not decide the class prior of the other set of the same language.
For a language with several sets (Hebrew: Facebook comments and news-site comments; Polish:
reviews and their sentences) the hold-out also chooses between two domain weightings
(``BALANCES``): each set weighs by its rows, or every set weighs the same in total.

Variant: the languages in ``always`` (``--route LANG``; none by default, ``DEFAULT_ROUTED``)
get their own table whatever the margin says; their L2 strength, domain weighting and blend
weight (from ``BLEND_GRID`` without 0) are still chosen on the hold-out. Measured with English
(``--route en``, docs/enrichment.md): the table trained on the English tweets the project has
(XLM-T English and the emotion tweets; no TweetEval sentiment training split) gained +0.034 on
the hold-out (1.4 standard errors) and lost on both English validation sets, so the shipped
tables follow the margin rule alone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flarewatch.enrich.sentiment.base import LABELS, softmax
from flarewatch.enrich.sentiment.linear import LinearWeights
from flarewatch.enrich.sentiment.routed import SHARED, LanguageTables
from flarewatch.enrich.training.datasets import Split
from flarewatch.enrich.training.linear import design_matrix, fit, sample_weights
from flarewatch.enrich.training.metrics import macro_f1

LANG_BITS = 18
LANG_ALPHA_GRID = (1e-6, 3e-6, 1e-5, 3e-5)
# A language gets its own table only when the hold-out gain over the shared model exceeds this
# many bootstrap standard errors of that gain.
ROUTE_MARGIN = 2.0
# Weight of a language's own table in its logits, the rest the shared model's (0: shared only).
BLEND_GRID = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)
# Languages that get their own table whatever the margin (the variant in the module docstring;
# English was measured that way and not shipped).
DEFAULT_ROUTED: tuple[str, ...] = ()
# Domain weighting of a language's sets: "rows" (each set by its size), "sets" (equal totals).
BALANCES = ("rows", "sets")
TEMPERATURES = tuple(float(t) for t in np.geomspace(0.25, 64.0, 81))


@dataclass(slots=True)
class Rows:
    """All training rows, flattened."""

    texts: list[str]
    langs: np.ndarray
    sets: np.ndarray
    y: np.ndarray
    extra: np.ndarray  # rows that are never held out (extra polarity examples)


def flatten(splits: Sequence[Split], extra: Sequence[Split]) -> Rows:
    every = (*splits, *extra)
    return Rows(
        [t for s in every for t in s.texts],
        np.asarray([s.language for s in every for _ in s.texts]),
        np.asarray([s.name for s in every for _ in s.texts]),
        np.asarray([lab for s in every for lab in s.labels]),
        np.asarray(
            [False for s in splits for _ in s.texts] + [True for s in extra for _ in s.texts]
        ),
    )


def fold_columns(x: object, bits: int) -> object:
    """The design matrix with every column index folded onto ``2**bits`` buckets (low bits),
    exactly as ``features.linear_scores`` folds them for a language table."""
    from scipy.sparse import csr_matrix

    m = x.tocsr()  # type: ignore[attr-defined]
    folded = csr_matrix(
        (m.data, m.indices & ((1 << bits) - 1), m.indptr), shape=(m.shape[0], 1 << bits)
    )
    folded.sum_duplicates()
    return folded


def logits_of(model: object, x: object) -> np.ndarray:
    """The fitted model's decision values in LABELS order (a class it never saw: -30)."""
    raw = np.asarray(model.decision_function(x))  # type: ignore[attr-defined]
    classes = [str(c) for c in model.classes_]  # type: ignore[attr-defined]
    out = np.full((raw.shape[0], 3), -30.0)
    for k, label in enumerate(LABELS):
        if label in classes:
            out[:, k] = raw[:, classes.index(label)]
    return out


def table_of(model: object, bits: int) -> tuple[np.ndarray, np.ndarray]:
    coef = np.zeros((1 << bits, 3), dtype=np.float32)
    bias = np.full(3, -30.0, dtype=np.float32)
    classes = [str(c) for c in model.classes_]  # type: ignore[attr-defined]
    for k, label in enumerate(LABELS):
        if label in classes:
            j = classes.index(label)
            coef[:, k] = model.coef_[j]  # type: ignore[attr-defined]
            bias[k] = model.intercept_[j]  # type: ignore[attr-defined]
    return coef, bias


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """The temperature (from ``TEMPERATURES``) that minimises the mean log loss of
    ``softmax(logits / T)`` on the gold labels."""
    target = np.asarray([LABELS.index(g) for g in gold])
    best, best_loss = 1.0, np.inf
    for t in TEMPERATURES:
        p = softmax(logits / t)
        loss = float(-np.mean(np.log(np.clip(p[np.arange(len(target)), target], 1e-12, 1.0))))
        if loss < best_loss:
            best, best_loss = t, loss
    return round(best, 4)


def worst_set_f1(gold: np.ndarray, pred: np.ndarray, sets: np.ndarray) -> float:
    """The lowest macro-F1 over the labelled sets present (a language is judged by its worst
    set: the issue's targets are per set, and one table serves every set of the language)."""
    return float(
        np.min([macro_f1(gold[sets == s], pred[sets == s], LABELS) for s in np.unique(sets)])
    )


def gain_se(
    gold: np.ndarray,
    pred: np.ndarray,
    base: np.ndarray,
    sets: np.ndarray,
    seed: int = 0,
    reps: int = 200,
) -> float:
    """Paired bootstrap standard error of ``worst_set_f1(pred) - worst_set_f1(base)``."""
    rng = np.random.default_rng(seed + 7)
    n = len(gold)
    diffs = []
    for _ in range(reps):
        i = rng.integers(0, n, n)
        diffs.append(
            worst_set_f1(gold[i], pred[i], sets[i]) - worst_set_f1(gold[i], base[i], sets[i])
        )
    return float(np.std(diffs))


def domain_weights(sets: np.ndarray, labels: np.ndarray, balance: str) -> np.ndarray:
    """Classes balanced within each set; with ``balance == "sets"`` every set then weighs the
    same in total (the mean set size), so the larger domain does not decide the table."""
    w = sample_weights(sets.tolist(), labels.tolist())
    if balance == "sets":
        names = np.unique(sets)
        target = len(sets) / len(names)
        for name in names:
            here = sets == name
            w[here] *= target / w[here].sum()
    return w


def pred_of(logits: np.ndarray) -> np.ndarray:
    return np.asarray(LABELS)[logits.argmax(axis=1)]


def train_routes(
    splits: Sequence[Split],
    shared: LinearWeights,
    extra: Sequence[Split] = (),
    bits: int = LANG_BITS,
    alpha_grid: Sequence[float] = LANG_ALPHA_GRID,
    seed: int = 0,
    holdout: float = 0.15,
    log: bool = True,
    always: Sequence[str] = DEFAULT_ROUTED,
) -> LanguageTables:
    """Per-language tables, blends and temperatures for ``shared`` (see the module docstring).
    ``splits``: every labelled training set; ``extra``: rows only ever trained on; ``always``:
    languages given their own table whatever the margin."""

    def say(msg: str) -> None:
        if log:
            print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    rows = flatten(splits, extra)
    x = design_matrix(rows.texts, rows.langs.tolist(), shared.lexicon, shared.config).tocsr()  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    dev = (rng.random(len(rows.y)) < holdout) & ~rows.extra
    # 1. The shared model's configuration without the hold-out rows.
    shared_sets = set(shared.meta.get("train_rows", {})) or set(rows.sets.tolist())
    in_shared = np.isin(rows.sets, sorted(shared_sets))
    fit_rows = in_shared & ~dev
    w_shared = sample_weights(rows.langs[fit_rows].tolist(), rows.y[fit_rows].tolist())
    m_shared = fit(x[fit_rows], rows.y[fit_rows], w_shared, float(shared.meta["alpha"]), seed)  # type: ignore[index]
    shared_dev = logits_of(m_shared, x[dev])  # type: ignore[index]
    say(f"  shared configuration without the hold-out: {time.perf_counter() - started:.0f} s")
    d_lang, d_sets, d_y = rows.langs[dev], rows.sets[dev], rows.y[dev]
    temperature: dict[str, float] = {}
    scores: dict[str, dict[str, float]] = {}
    routed: list[str] = []
    tables: list[tuple[np.ndarray, np.ndarray]] = []
    alphas: dict[str, float] = {}
    blend: dict[str, float] = {}
    balances: dict[str, str] = {}
    for lang in sorted(set(rows.langs[~rows.extra].tolist())):
        in_lang = rows.langs == lang
        here = d_lang == lang
        if not here.any():
            continue
        xl = fold_columns(x[in_lang], bits)  # type: ignore[index]
        sub_dev = dev[in_lang]
        y_l, sets_l = rows.y[in_lang], rows.sets[in_lang]
        gold, sets_dev = y_l[sub_dev], sets_l[sub_dev]
        shared_score = worst_set_f1(gold, pred_of(shared_dev[here]), sets_dev)
        best_alpha, best_score, best_logits = alpha_grid[0], -1.0, shared_dev[here]
        best_balance = BALANCES[0]
        per_alpha: dict[str, float] = {"shared": round(shared_score, 4)}
        # Balanced classes within each set; the domain weighting only where there are sets
        # to weigh (the extra rows count as a set of their own).
        for balance in BALANCES if len(np.unique(sets_l)) > 1 else BALANCES[:1]:
            w_l = domain_weights(sets_l, y_l, balance)
            for alpha in alpha_grid:
                m = fit(xl[~sub_dev], y_l[~sub_dev], w_l[~sub_dev], alpha, seed)  # type: ignore[index]
                lg = logits_of(m, xl[sub_dev])  # type: ignore[index]
                score = worst_set_f1(gold, pred_of(lg), sets_dev)
                key = str(alpha) if balance == BALANCES[0] else f"{alpha} {balance}"
                per_alpha[key] = round(score, 4)
                if score > best_score:
                    best_alpha, best_score, best_logits = alpha, score, lg
                    best_balance = balance
        # Blend the own table's logits with the shared model's (weight on the hold-out; the
        # first best in BLEND_GRID order, so a tie keeps more of the own table). A language
        # in ``always`` keeps some of its own table.
        forced = lang in always
        best_share, best_blend, blended = 0.0, -1.0 if forced else shared_score, shared_dev[here]
        for share in BLEND_GRID if not forced else [g for g in BLEND_GRID if g > 0.0]:
            lg = share * best_logits + (1.0 - share) * shared_dev[here]
            score = worst_set_f1(gold, pred_of(lg), sets_dev)
            per_alpha[f"blend {share}"] = round(score, 4)
            if score > best_blend:
                best_share, best_blend, blended = share, score, lg
        # Route only on a gain beyond the hold-out's noise: a few hundred rows per XLM-T
        # language move macro-F1 by a few hundredths by chance.
        se = gain_se(gold, pred_of(blended), pred_of(shared_dev[here]), sets_dev, seed)
        per_alpha["gain_se"] = round(se, 4)
        scores[lang] = per_alpha
        own = forced or (best_share > 0.0 and best_blend - shared_score > ROUTE_MARGIN * se)
        temperature[lang] = fit_temperature(blended if own else shared_dev[here], gold)
        say(
            f"  {lang}: hold-out macro-F1, worst of {len(np.unique(sets_dev))} set(s): shared "
            f"{shared_score:.3f}, own table {best_score:.3f} (alpha={best_alpha}, "
            f"{best_balance}), best blend {best_blend:.3f} at own weight {best_share} (gain "
            f"standard error {se:.3f}) → {'own table' if own else 'shared'}"
            f"{' (always routed)' if forced else ''}, T={temperature[lang]} "
            f"({time.perf_counter() - started:.0f} s)"
        )
        if own:
            blend[lang] = best_share
            m = fit(xl, y_l, domain_weights(sets_l, y_l, best_balance), best_alpha, seed)
            routed.append(lang)
            alphas[lang] = best_alpha
            balances[lang] = best_balance
            tables.append(table_of(m, bits))
    pooled = np.isin(d_sets, sorted(shared_sets))
    temperature[SHARED] = fit_temperature(shared_dev[pooled], d_y[pooled])
    say(f"  shared model: T={temperature[SHARED]} (pooled hold-out of its training sets)")
    weights = (
        np.stack([t for t, _ in tables])
        if tables
        else np.zeros((0, 1 << bits, 3), dtype=np.float32)
    )
    bias = np.stack([b for _, b in tables]) if tables else np.zeros((0, 3), dtype=np.float32)
    meta = {
        "seed": seed,
        "holdout": holdout,
        "alpha": alphas,
        "balance": balances,
        "always_routed": sorted(always),
        "holdout_macro_f1": scores,
        "train_rows": {
            str(s): int((rows.sets == s).sum()) for s in sorted(set(rows.sets.tolist()))
        },
        "shared_model": {k: shared.meta[k] for k in ("alpha", "bits", "seed") if k in shared.meta},
        "labels": list(LABELS),
    }
    return LanguageTables(tuple(routed), bits, weights, bias, temperature, meta, blend)
