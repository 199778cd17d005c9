"""Count-aware tail probabilities, expressed as σ-equivalents so that every factor reads alike.

Counts per minute are small integers, so a Gaussian z-score misjudges them: 0 → 6 posts on a
quiet topic is far rarer than a z-score says, and 300 → 330 on a busy one far more common. We use
a negative binomial (a Poisson whose rate itself wobbles by a factor with variance φ) and report
its upper tail as the z of a normal with the same tail, which people already know how to read.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

_NORMAL = NormalDist()
MAX_Z = 40.0
_MAX_TERMS = 4000
_SHORT_TERMS = 48  # most tails end within this; longer ones go to numpy blocks
_BLOCK = 512


def z_from_log_p(log_p: float) -> float:
    """σ-equivalent of an upper-tail probability given as its natural log."""
    if log_p >= 0.0:
        return 0.0
    if log_p > -700.0:
        p = math.exp(log_p)
        if p >= 0.5:
            return -_NORMAL.inv_cdf(min(p, 1.0 - 1e-12))
        if p > 1e-300:
            return min(MAX_Z, -_NORMAL.inv_cdf(p))
    # Asymptotic inverse of the normal tail for probabilities below what floats hold.
    t = -2.0 * log_p
    return min(MAX_Z, math.sqrt(max(0.0, t - math.log(t) - math.log(2.0 * math.pi))))


def nb_log_sf(x: float, mu: float, phi: float) -> float:
    """log P(X ≥ x) for X ~ NegBin(mean mu, variance mu + phi·mu²); phi = 0 is Poisson."""
    k0 = math.ceil(x)
    if k0 <= 0:
        return 0.0
    mu = max(mu, 1e-9)
    if phi <= 1e-9:
        log_pmf = -mu + k0 * math.log(mu) - math.lgamma(k0 + 1)

        def ratio(k: int) -> float:
            return mu / (k + 1)

    else:
        r = 1.0 / phi
        q = mu / (r + mu)
        log_pmf = (
            math.lgamma(k0 + r)
            - math.lgamma(r)
            - math.lgamma(k0 + 1)
            + r * math.log1p(-q)
            + k0 * math.log(q)
        )

        def ratio(k: int) -> float:
            return (k + r) / (k + 1) * q

    if k0 <= mu:
        # The tail is large here; the lower sum is short and accurate enough.
        return math.log(max(1e-300, 1.0 - math.exp(_log_cdf(k0 - 1, mu, phi))))
    total, term, k = 1.0, 1.0, k0
    for _ in range(_SHORT_TERMS):
        term *= ratio(k)
        total += term
        k += 1
        if term < 1e-12 * total:
            return log_pmf + math.log(total)
    return log_pmf + math.log(_long_tail(total, term, k, mu, phi))


def _long_tail(total: float, term: float, k: int, mu: float, phi: float) -> float:
    """The rest of the upper-tail sum, in numpy blocks: a busy topic's tail can run to thousands
    of terms (the ratio tends to q near 1), which a Python loop pays ~0.3 µs each for. Same terms,
    same stopping rule as the loop, to rounding."""
    r = 1.0 / phi if phi > 1e-9 else 0.0
    q = mu / (r + mu) if phi > 1e-9 else 0.0
    done = _SHORT_TERMS
    while done < _MAX_TERMS:
        size = min(_BLOCK, _MAX_TERMS - done)
        ks = np.arange(k, k + size, dtype=np.float64)
        ratios = (ks + r) / (ks + 1.0) * q if phi > 1e-9 else mu / (ks + 1.0)
        terms = term * np.cumprod(ratios)
        sums = total + np.cumsum(terms)
        small = np.flatnonzero(terms < 1e-12 * sums)
        if small.size:
            return float(sums[small[0]])
        total, term, k, done = float(sums[-1]), float(terms[-1]), k + size, done + size
    return total


def _log_cdf(k_max: int, mu: float, phi: float) -> float:
    """log P(X ≤ k_max), summed from 0 upwards (only used when k_max ≤ mean)."""
    if phi <= 1e-9:
        term = math.exp(-mu)

        def ratio(k: int) -> float:
            return mu / (k + 1)

    else:
        r = 1.0 / phi
        q = mu / (r + mu)
        term = math.exp(r * math.log1p(-q))

        def ratio(k: int) -> float:
            return (k + r) / (k + 1) * q

    total = term
    for k in range(k_max):
        term *= ratio(k)
        total += term
    return math.log(max(total, 1e-300))


def nb_z(x: float, mu: float, phi: float) -> float:
    """σ-equivalent of observing at least x against NegBin(mu, phi); 0 when x ≤ mu."""
    if x <= mu:
        return 0.0
    # The normal approximation overstates right-skewed count tails, so when even it says
    # "unremarkable" the exact (slow, for big means) tail sum is not worth computing.
    approx = (x - mu) / math.sqrt(mu + phi * mu * mu)
    if approx < 1.5:
        return approx
    return max(0.0, z_from_log_p(nb_log_sf(x, mu, phi)))


def binom_z(k: int, n: int, p: float) -> float:
    """σ-equivalent of at least k successes in n trials of probability p (share tests)."""
    if n <= 0 or k <= n * p:
        return 0.0
    p = min(max(p, 1e-6), 1 - 1e-6)
    log_terms = []
    for j in range(k, n + 1):
        log_terms.append(
            math.lgamma(n + 1)
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + j * math.log(p)
            + (n - j) * math.log1p(-p)
        )
        if len(log_terms) > 1 and log_terms[-1] < log_terms[0] - 30:
            break
    top = max(log_terms)
    log_p = top + math.log(sum(math.exp(t - top) for t in log_terms))
    return max(0.0, z_from_log_p(log_p))


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    mid = n // 2
    return ordered[mid] if n % 2 else 0.5 * (ordered[mid - 1] + ordered[mid])


def mad(values: list[float], centre: float) -> float:
    """Median absolute deviation scaled to σ for normal data."""
    return 1.4826 * median([abs(v - centre) for v in values])
