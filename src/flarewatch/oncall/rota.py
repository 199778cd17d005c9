"""Who is on call at an instant: pure functions of a rota and an aware datetime.

Handovers are wall-clock times in the rota's timezone ("sun 09:00" stays 09:00 across a DST
change), so shifts are counted in local calendar days and each handover is turned into an
instant with zoneinfo; comparisons are made between instants, never between local clock readings,
which repeat in the autumn hour. Every instant is handled in UTC: Python compares and subtracts
two datetimes of the same zone by their clock readings, which is wrong across a change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flarewatch.oncall.config import LayerConfig, OverrideConfig, RotaConfig, parse_hours


@dataclass(frozen=True, slots=True)
class Shift:
    """One member's turn in a layer: `person` from `start` until `end` (instants in UTC)."""

    person: str
    start: datetime
    end: datetime


def _instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The instant (UTC) of a local wall-clock time: in the autumn's repeated hour its first
    reading; in a spring-forward gap, as far past the jump as the time was past the gap's start
    (02:30 in a 02:00→03:00 gap is 03:30), which is what the clock on the wall shows then."""
    # zoneinfo gives a nonexistent time the offset in force before the gap.
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _period_days(layer: LayerConfig) -> int:
    return 1 if layer.rotation == "daily" else 7


def _first_handover_on_or_after(layer: LayerConfig, day: date) -> date:
    weekday, _ = layer.handover_at()
    if weekday is None:
        return day
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def shift_at(layer: LayerConfig, zone: ZoneInfo, at: datetime) -> Shift | None:
    """The layer's shift that contains `at` (None when the layer has no members)."""
    if not layer.members:
        return None
    _, clock = layer.handover_at()
    period = _period_days(layer)
    at = at.astimezone(UTC)
    local_day = at.astimezone(zone).date()
    # The latest handover day on or before the local date, then one period back if its
    # instant is still ahead of `at` (the handover is later that day).
    day = _first_handover_on_or_after(layer, local_day - timedelta(days=period - 1))
    if _instant(day, clock, zone) > at:
        day -= timedelta(days=period)
    anchor = _first_handover_on_or_after(layer, layer.start)
    index = (day - anchor).days // period
    end_day = day + timedelta(days=period)
    return Shift(
        layer.members[index % len(layer.members)],
        _instant(day, clock, zone),
        _instant(end_day, clock, zone),
    )


def layer_applies(layer: LayerConfig, zone: ZoneInfo, at: datetime) -> bool:
    """Whether `at` falls in the layer's days and hours (always, when it names none)."""
    local = at.astimezone(zone)
    if layer.days is not None and local.strftime("%a").lower() not in layer.days:
        return False
    if layer.hours is None:
        return True
    start, end = parse_hours(layer.hours)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # the span runs past midnight


def override_bounds(override: OverrideConfig, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The override's start and end as UTC instants (naive times are in the rota's timezone)."""

    def aware(value: datetime) -> datetime:
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return _instant(value.date(), value.time(), zone)

    return aware(override.start), aware(override.end)


def on_call(rota: RotaConfig, at: datetime) -> str | None:
    """The key of the person on call in `rota` at the aware instant `at`, or None.

    An override covering `at` wins (the last one listed, when they overlap); otherwise the last
    layer whose days and hours include `at` and that has members.
    """
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} has no timezone; give the instant with an offset")
    at = at.astimezone(UTC)
    zone = ZoneInfo(rota.timezone)
    for override in reversed(rota.overrides):
        start, end = override_bounds(override, zone)
        if start <= at < end:
            return override.person
    for layer in reversed(rota.all_layers()):
        if layer.members and layer_applies(layer, zone, at):
            shift = shift_at(layer, zone, at)
            if shift is not None:
                return shift.person
    return None


def next_change(rota: RotaConfig, at: datetime, horizon: timedelta = timedelta(days=8)) -> datetime:
    """The first instant after `at` when a handover, a layer's hours or an override may change
    who is on call (`at + horizon` when none comes sooner)."""
    at = at.astimezone(UTC)
    zone = ZoneInfo(rota.timezone)
    candidates = [at + horizon]
    for layer in rota.all_layers():
        shift = shift_at(layer, zone, at)
        if shift is not None:
            candidates.append(shift.end)
        if layer.hours is not None or layer.days is not None:
            candidates += _restriction_edges(layer, zone, at)
    for override in rota.overrides:
        candidates += [edge for edge in override_bounds(override, zone) if edge > at]
    return min(candidate for candidate in candidates if candidate > at)


def _restriction_edges(layer: LayerConfig, zone: ZoneInfo, at: datetime) -> list[datetime]:
    """Local midnights and hours' edges in the next two days, as instants after `at`."""
    clocks = [time(0, 0)]
    if layer.hours is not None:
        clocks += list(parse_hours(layer.hours))
    today = at.astimezone(zone).date()
    edges = [_instant(today + timedelta(days=n), clock, zone) for n in range(3) for clock in clocks]
    return [edge for edge in edges if edge > at]
