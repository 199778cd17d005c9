"""NAB scores: how a detector's output fares against labelled anomaly windows.

Reproduces the scoring rules of the Numenta Anomaly Benchmark (NAB, github:numenta/NAB, scorer of
v1.x; Ahmad, Lavin, Purdy & Agha 2017, doi:10.1016/j.neucom.2017.04.070), so a backtest of
a user's own history is scored the way published detectors are:

* the first min(⌊0.15·n⌋, 750) rows of a series of n rows are a probationary period, not scored;
* each labelled window (rows s..e, width w) earns one credit at most: a detection at row i in it
  is worth A_tp·σ(−(e − i + 1)/w)/σ(−1) with the scaled sigmoid σ(x) = 2/(1 + e^(5x)) − 1, so the
  window's first row is worth exactly A_tp and its last almost nothing; a window with no
  detection costs A_fn; a window lying wholly in the probationary period counts neither way;
* a detection outside every window costs A_fp·σ((i − e)/(w − 1)), measured from the end of the
  preceding window (σ = −1 beyond 3 widths, before the first window, or after a one-row window),
  so a late detection just after a window costs less than one in quiet times;
* three profiles (A_tp, A_fp, A_fn): standard (1, 0.11, 1), reward_low_FP_rate (1, 0.22, 1) and
  reward_low_FN_rate (1, 0.11, 2);
* a row is a detection when its score ≥ the threshold; when the threshold is tuned, every distinct
  score (and "never", reported as 1.1) is tried over all the series together and the best total
  wins, ties going to the highest threshold;
* normalised score = 100·(raw − null)/(perfect − null), where null is NAB's constant-score
  detector after tuning (in practice "never": −A_fn per scorable window) and perfect = A_tp per
  window. The null detector scores 0 and a perfect one 100; below-null scores are negative.

Labels come in NAB's `combined_windows` format: {"dir/NAME.csv": [["start", "end"], ...], ...}.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import numpy as np

PROBATION_FRACTION = 0.15
PROBATION_MAX_ROWS = 750  # 0.15 of NAB's 5000-row reference length
NEVER_THRESHOLD = 1.1  # what NAB reports when the best choice is to detect nothing
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    a_tp: float
    a_fp: float  # cost per false positive far from any window (a positive number)
    a_fn: float


PROFILES: tuple[Profile, ...] = (
    Profile("standard", 1.0, 0.11, 1.0),
    Profile("reward_low_FP_rate", 1.0, 0.22, 1.0),
    Profile("reward_low_FN_rate", 1.0, 0.11, 2.0),
)

Window = tuple[datetime, datetime]


class LabelsError(ValueError):
    """A windows file that cannot be used, with where and how to fix it."""

    def __init__(self, path: str, message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


# -- labels -------------------------------------------------------------------------------------
def parse_label_time(text: object, path: str, where: str) -> datetime:
    if not isinstance(text, str):
        raise LabelsError(path, f"{where}: {text!r} is not a timestamp string")
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise LabelsError(
            path,
            f"{where}: {text!r} is not a date-time; write e.g. '2015-03-05 03:22:53.000000' "
            "(UTC unless an offset is given)",
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def parse_windows(text: str, path: str = "<labels>") -> dict[str, list[Window]]:
    """NAB's combined_windows JSON → {series key: sorted windows}."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise LabelsError(
            path, f"not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})"
        ) from None
    if not isinstance(raw, dict):
        raise LabelsError(
            path,
            'expected a JSON object like {"NAME.csv": [["2015-03-05 03:22:53", '
            f'"2015-03-06 12:12:53"]]}}, got {type(raw).__name__}',
        )
    windows: dict[str, list[Window]] = {}
    for key, spans in raw.items():
        if not isinstance(spans, list):
            raise LabelsError(path, f"{key}: expected a list of [start, end] pairs")
        parsed: list[Window] = []
        for number, span in enumerate(spans, start=1):
            where = f"{key}, window {number}"
            if not isinstance(span, list) or len(span) != 2:
                raise LabelsError(path, f"{where}: {span!r} is not a [start, end] pair")
            start = parse_label_time(span[0], path, where)
            end = parse_label_time(span[1], path, where)
            if end < start:
                raise LabelsError(path, f"{where}: ends ({span[1]}) before it starts ({span[0]})")
            parsed.append((start, end))
        parsed.sort()
        for (_, end), (start, _) in zip(parsed, parsed[1:], strict=False):
            if start <= end:
                raise LabelsError(
                    path, f"{key}: windows overlap at {start:%Y-%m-%d %H:%M:%S}; merge them"
                )
        windows[key] = parsed
    return windows


def read_windows(path: Path) -> dict[str, list[Window]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LabelsError(str(path), "file not found; check the path") from None
    except UnicodeDecodeError:
        raise LabelsError(str(path), "file is not UTF-8 text; save it as UTF-8 JSON") from None
    return parse_windows(text, str(path))


def match_key(keys: Sequence[str], series: Path, labels_path: str = "<labels>") -> str:
    """The labels key that belongs to a series file, matched by file name as NAB does.

    A key matches when its base name equals the series file's name (`Twitter_volume_AMZN.csv`
    for the key `realTweets/Twitter_volume_AMZN.csv`) or the file's name ends with "_" and it
    (`mine_Twitter_volume_AMZN.csv`). An exact name wins over a prefixed one; among keys with the
    same base name, the one whose folder is the series' folder wins.
    """
    name = series.name
    exact = [k for k in keys if PurePosixPath(k).name == name]
    prefixed = [k for k in keys if name.endswith("_" + PurePosixPath(k).name)]
    found = exact or prefixed
    if len(found) > 1:
        same_dir = [k for k in found if PurePosixPath(k).parent.name == series.parent.name]
        found = same_dir or found
    if len(found) == 1:
        return found[0]
    if found:
        raise LabelsError(
            labels_path,
            f"several series match {name}: {', '.join(found)}; keep one of them in the file",
        )
    shown = ", ".join(sorted(keys)[:5]) + (f", … ({len(keys)} in all)" if len(keys) > 5 else "")
    raise LabelsError(
        labels_path,
        f"no series matches {name} (keys: {shown or 'none'}); a key matches a file of the "
        "same name, or a file named '<anything>_' + that name — rename the file or the key",
    )


# -- one series prepared for scoring ------------------------------------------------------------
def scaled_sigmoid(x: np.ndarray) -> np.ndarray:
    """NAB's 2/(1 + e^(5x)) − 1, and −1 beyond x > 3."""
    out = np.full(x.shape, -1.0)
    near = x <= 3.0
    out[near] = 2.0 / (1.0 + np.exp(5.0 * x[near])) - 1.0
    return out


FULL_CREDIT = float(scaled_sigmoid(np.array([-1.0]))[0])


def probation_rows(n_rows: int) -> int:
    return int(min(math.floor(PROBATION_FRACTION * n_rows), PROBATION_MAX_ROWS))


@dataclass(slots=True)
class Outcome:
    """One series at one threshold for one profile."""

    raw: float
    windows_hit: int
    windows_scored: int
    false_positives: int  # detection rows outside every window
    detections: int
    onsets: int  # detections whose previous row was not one
    lead_minutes: list[float] = field(default_factory=list)  # window end − first detection


@dataclass(slots=True)
class NabSeries:
    """A series' scores with its windows as row indices; arrays cover the scored rows only."""

    key: str
    n_rows: int
    n_windows: int
    probation: int
    scores: np.ndarray
    window: np.ndarray  # index of the window a row lies in, −1 outside
    unit: np.ndarray  # credit per A_tp inside a window; cost per A_fp (≤ 0) outside
    seconds: np.ndarray  # POSIX time of each scored row
    window_end_seconds: list[float]
    scored_days: float

    @property
    def scorable_windows(self) -> int:
        return len(np.unique(self.window[self.window >= 0]))

    def evaluate(self, threshold: float, profile: Profile) -> Outcome:
        hit = self.scores >= threshold
        inside = self.window >= 0
        credit: dict[int, float] = {}
        first_row: dict[int, int] = {}
        for row in np.flatnonzero(hit & inside).tolist():
            k = int(self.window[row])
            credit[k] = max(credit.get(k, -math.inf), float(self.unit[row]))
            first_row.setdefault(k, row)
        scorable = self.scorable_windows
        fp = hit & ~inside
        raw = (
            profile.a_tp * sum(credit.values())
            + profile.a_fp * float(self.unit[fp].sum())
            - profile.a_fn * (scorable - len(credit))
        )
        previous = np.concatenate(([False], hit[:-1]))
        leads = [
            (self.window_end_seconds[k] - float(self.seconds[row])) / 60.0
            for k, row in sorted(first_row.items())
        ]
        return Outcome(
            raw=float(raw),
            windows_hit=len(credit),
            windows_scored=scorable,
            false_positives=int(fp.sum()),
            detections=int(hit.sum()),
            onsets=int((hit & ~previous).sum()),
            lead_minutes=leads,
        )


def prepare(
    key: str,
    times: Sequence[datetime],
    scores: Sequence[float],
    windows: Sequence[Window],
    labels_path: str = "<labels>",
) -> NabSeries:
    """Place the windows on the series' rows: a window covers the rows with start ≤ t ≤ end.

    On NAB's own data every window bound is a row's timestamp, so this is NAB's placement; a
    user's windows need not fall on rows. A window that covers no row is an error.
    """
    n = len(times)
    if n != len(scores):
        raise ValueError(f"{key}: {n} timestamps but {len(scores)} scores")
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise ValueError(f"{key}: timestamps must be strictly increasing")
    if not all(math.isfinite(v) for v in scores):
        raise ValueError(f"{key}: every score must be a finite number")
    seconds = np.array([t.timestamp() for t in times], dtype=float)
    bounds: list[tuple[int, int]] = []
    for start, end in sorted(windows):
        s = int(np.searchsorted(seconds, start.timestamp(), side="left"))
        e = int(np.searchsorted(seconds, end.timestamp(), side="right")) - 1
        if e < s:
            raise LabelsError(
                labels_path,
                f"{key}: window {start:%Y-%m-%d %H:%M:%S} – {end:%Y-%m-%d %H:%M:%S} covers no "
                f"row of the series (rows run from {times[0]:%Y-%m-%d %H:%M:%S} to "
                f"{times[-1]:%Y-%m-%d %H:%M:%S}); correct or drop it",
            )
        bounds.append((s, e))
    window = np.full(n, -1, dtype=np.int64)
    unit = np.full(n, -1.0)
    rows = np.arange(n)
    for k, (s, e) in enumerate(bounds):
        width = e - s + 1
        window[s : e + 1] = k
        unit[s : e + 1] = scaled_sigmoid(-(e - rows[s : e + 1] + 1) / width) / FULL_CREDIT
        following = bounds[k + 1][0] if k + 1 < len(bounds) else n
        if width > 1 and e + 1 < following:
            unit[e + 1 : following] = scaled_sigmoid((rows[e + 1 : following] - e) / (width - 1.0))
    skip = probation_rows(n)
    step = float(np.median(np.diff(seconds))) if n > 1 else 0.0
    return NabSeries(
        key=key,
        n_rows=n,
        n_windows=len(bounds),
        probation=skip,
        scores=np.asarray(scores, dtype=float)[skip:],
        window=window[skip:],
        unit=unit[skip:],
        seconds=seconds[skip:],
        window_end_seconds=[float(seconds[e]) for _, e in bounds],
        scored_days=(n - skip) * step / 86400.0,
    )


# -- threshold tuning and the normalised score --------------------------------------------------
@dataclass(slots=True)
class ProfileScore:
    profile: Profile
    threshold: float
    tuned: bool
    score: float | None  # normalised; None when perfect equals null (no labelled windows)
    raw: float
    null: float
    perfect: float
    outcomes: dict[str, Outcome]

    @property
    def windows_hit(self) -> int:
        return sum(o.windows_hit for o in self.outcomes.values())

    @property
    def windows_scored(self) -> int:
        return sum(o.windows_scored for o in self.outcomes.values())

    @property
    def false_positives(self) -> int:
        return sum(o.false_positives for o in self.outcomes.values())

    @property
    def detections(self) -> int:
        return sum(o.detections for o in self.outcomes.values())

    @property
    def onsets(self) -> int:
        return sum(o.onsets for o in self.outcomes.values())

    @property
    def median_lead_minutes(self) -> float | None:
        leads = [m for o in self.outcomes.values() for m in o.lead_minutes]
        return statistics.median(leads) if leads else None


@dataclass(slots=True)
class Candidates:
    """Every distinct score as a threshold (descending, "never" first) and, at each, the summed
    window credit (per A_tp), false-positive cost (per A_fp, ≤ 0) and windows hit."""

    thresholds: np.ndarray
    credit: np.ndarray
    cost: np.ndarray
    hits: np.ndarray

    def best(self, profile: Profile, scorable_windows: int) -> float:
        totals = (
            profile.a_tp * self.credit
            + profile.a_fp * self.cost
            - profile.a_fn * (scorable_windows - self.hits)
        )
        # NAB keeps the first (highest) threshold among equal totals.
        return float(self.thresholds[np.flatnonzero(totals >= totals.max() - TIE_TOLERANCE)[0]])


def candidates(series: Sequence[NabSeries]) -> Candidates:
    scores = np.concatenate([s.scores for s in series])
    units = np.concatenate([s.unit for s in series])
    windows, offset = [], 0
    for s in series:
        windows.append(np.where(s.window >= 0, s.window + offset, -1))
        offset += s.n_windows
    order = np.argsort(-scores, kind="stable")
    scores, units, window = scores[order], units[order], np.concatenate(windows)[order]
    top = float(scores[0]) if len(scores) else 0.0
    never = NEVER_THRESHOLD if top < NEVER_THRESHOLD else math.nextafter(top, math.inf)
    thresholds, credit, cost, hits = [never], [0.0], [0.0], [0]
    best: dict[int, float] = {}
    credit_sum = cost_sum = 0.0
    listed = scores.tolist()
    for i, (k, u) in enumerate(zip(window.tolist(), units.tolist(), strict=True)):
        if k < 0:
            cost_sum += u
        elif u > best.get(k, -math.inf):
            credit_sum += u - best.get(k, 0.0)
            best[k] = u
        if i + 1 == len(listed) or listed[i + 1] != listed[i]:  # last row of a score group
            thresholds.append(listed[i])
            credit.append(credit_sum)
            cost.append(cost_sum)
            hits.append(len(best))
    return Candidates(np.array(thresholds), np.array(credit), np.array(cost), np.array(hits))


def score_series(
    series: Sequence[NabSeries],
    threshold: float | None = None,
    profiles: Sequence[Profile] = PROFILES,
) -> list[ProfileScore]:
    """NAB scores of the series together, at `threshold`, or tuned per profile when None."""
    if not series:
        raise ValueError("no series to score")
    scorable = sum(s.scorable_windows for s in series)
    windows = sum(s.n_windows for s in series)
    if threshold is None:
        tuning = candidates(series)
        chosen_for = {p.name: tuning.best(p, scorable) for p in profiles}
    else:
        chosen_for = {p.name: float(threshold) for p in profiles}
    out = []
    for profile in profiles:
        chosen = chosen_for[profile.name]
        outcomes = {s.key: s.evaluate(chosen, profile) for s in series}
        raw = sum(o.raw for o in outcomes.values())
        everything = sum(s.evaluate(-math.inf, profile).raw for s in series)
        null = max(-profile.a_fn * scorable, everything)
        perfect = profile.a_tp * windows
        norm = 100.0 * (raw - null) / (perfect - null) if perfect != null else None
        out.append(
            ProfileScore(profile, chosen, threshold is None, norm, raw, null, perfect, outcomes)
        )
    return out


def onset_scores(flags: Sequence[bool]) -> list[float]:
    """1.0 where a run of flags starts, else 0.0: alert onsets as NAB detections."""
    return [1.0 if f and (i == 0 or not flags[i - 1]) else 0.0 for i, f in enumerate(flags)]


def scored_days(series: Sequence[NabSeries]) -> float:
    return sum(s.scored_days for s in series)


def labels_for(
    windows: Mapping[str, list[Window]], series_file: Path, labels_path: str
) -> tuple[str, list[Window]]:
    key = match_key(list(windows), series_file, labels_path)
    return key, windows[key]
