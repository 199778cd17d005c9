"""Classification metrics in numpy, so evaluation does not need scikit-learn."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    g, p = np.asarray(gold), np.asarray(pred)
    return float((g == p).mean()) if len(g) else 0.0


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted mean of per-class F1 over ``labels`` (absent and unpredicted: 0)."""
    g, p = np.asarray(gold), np.asarray(pred)
    scores = []
    for c in labels:
        tp = float(((p == c) & (g == c)).sum())
        fp = float(((p == c) & (g != c)).sum())
        fn = float(((p != c) & (g == c)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))


def macro_recall(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    g, p = np.asarray(gold), np.asarray(pred)
    return float(np.mean([((p == c) & (g == c)).sum() / max((g == c).sum(), 1) for c in labels]))
