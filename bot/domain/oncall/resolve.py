"""Who is on call when: pure functions over a Schedule (no clock, no storage, no Slack).

The rules, in the order they apply:

1. **Rotation.** Shift k of a layer starts at the local wall time
   `start date + handoff + k x length`, where length is 24 h (daily), 7 x 24 h (weekly) or N h
   (`{hours: N}`), counted on the schedule's local wall clock, and belongs to
   `users[k % len(users)]`. So a daily 09:00 handoff stays at 09:00 across DST (that shift
   lasts 23 or 25 real hours), and `{hours: 12}` at 09:00 hands off at 09:00 and 21:00 all year
   (the shift spanning the change lasts 11 or 13 real hours). Before shift 0 the layer has
   nobody.
2. **Local wall time to instant.** A wall time maps to the first instant at which the local
   clock reads that time or later. An ambiguous time (clocks fall back) is its first occurrence;
   a time that does not exist (clocks spring forward, e.g. 02:30 in New York on 8 Mar 2026) is
   the instant the clocks jump (03:00 local). A shift that lies inside a jump (02:00-03:00 on
   that New York day) lasts no time and is skipped, so that user's turn is lost; this can only
   happen to `{hours: N}` shifts no longer than the jump.
3. **Restrictions.** A layer with restrictions has its rotation's user on call only inside the
   union of its windows (mapped to instants by rule 2); elsewhere it has nobody.
4. **Precedence.** Layers are listed bottom to top: the last layer that has somebody wins.
   Overrides sit above all layers; where overrides overlap, the later-listed one wins.
5. **Gaps.** When nobody is on call the answer is a gap (`user=None`), never an error.

Every datetime returned is in UTC; convert with `.astimezone(schedule.zone)` to display it.
Inputs must be timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from bot.domain.oncall.models import WEEKDAYS, Layer, Restriction, Schedule

_TICK = timedelta(microseconds=1)
_DAY = timedelta(days=1)

# (start, end, user) with UTC datetimes, start < end.
_Interval = tuple[datetime, datetime, str]


class SourceKind(StrEnum):
    LAYER = "layer"
    OVERRIDE = "override"
    GAP = "gap"


@dataclass(frozen=True, slots=True)
class Source:
    """Where an answer came from; `index` is the 0-based position in layers or overrides."""

    kind: SourceKind
    index: int | None = None
    name: str | None = None

    def __str__(self) -> str:
        if self.kind is SourceKind.GAP:
            return "gap"
        position = (self.index or 0) + 1
        if self.kind is SourceKind.LAYER:
            return f"layer {self.name!r}" if self.name else f"layer {position}"
        return f"override {position}"


GAP = Source(SourceKind.GAP)


@dataclass(frozen=True, slots=True)
class OnCall:
    """The answer to "who is on call at T"; `user` is None in a gap."""

    user: str | None
    source: Source

    @property
    def is_gap(self) -> bool:
        return self.user is None


@dataclass(frozen=True, slots=True)
class Shift:
    """One stretch of the resolved timeline, [start, end) in UTC; `user` is None in a gap."""

    user: str | None
    start: datetime
    end: datetime
    source: Source

    @property
    def is_gap(self) -> bool:
        return self.user is None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def on_call(schedule: Schedule, at: datetime) -> OnCall:
    """Who is on call at `at`, and from which override or layer (or a gap)."""
    instant = _utc(at, "at")
    for index in reversed(range(len(schedule.overrides))):
        override = schedule.overrides[index]
        if _utc(override.start) <= instant < _utc(override.end):
            return OnCall(override.user, Source(SourceKind.OVERRIDE, index))
    zone = schedule.zone
    for index in reversed(range(len(schedule.layers))):
        layer = schedule.layers[index]
        user = _layer_user_at(layer, zone, instant)
        if user is not None:
            return OnCall(user, _layer_source(layer, index))
    return OnCall(None, GAP)


def shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The resolved timeline over [start, end), gaps included.

    The shifts tile the window exactly (the first starts at `start`, the last ends at `end`,
    each ends where the next starts) and adjacent stretches with the same user and the same
    source are merged. The first and last shift are cut at the window's edges.
    """
    window_start, window_end = _utc(start, "start"), _utc(end, "end")
    if window_end < window_start:
        raise ValueError("end must not be before start")
    if window_end == window_start:
        return []
    zone = schedule.zone
    # Tracks in rising precedence: each layer, then each override on its own track.
    tracks: list[tuple[Source, list[_Interval]]] = [
        (_layer_source(layer, index), _layer_intervals(layer, zone, window_start, window_end))
        for index, layer in enumerate(schedule.layers)
    ]
    for index, override in enumerate(schedule.overrides):
        clipped = max(_utc(override.start), window_start), min(_utc(override.end), window_end)
        if clipped[0] < clipped[1]:
            tracks.append(
                (Source(SourceKind.OVERRIDE, index), [(clipped[0], clipped[1], override.user)])
            )
    return _flatten(tracks, window_start, window_end)


def next_shift_for(
    schedule: Schedule, user: str, after: datetime, *, within: timedelta = timedelta(days=90)
) -> Shift | None:
    """The user's next shift that starts at or after `after`, or None within `within`.

    A shift already under way at `after` is not "next" (`on_call` answers for now), nor is a
    stretch that merely continues it under another source. The returned shift's end is cut at
    `after + within`.
    """
    instant = _utc(after, "after")
    if within <= timedelta(0):
        raise ValueError("within must be a positive duration")
    # Start one tick early so a shift that begins exactly at `after` shows its real start.
    previous: Shift | None = None
    for shift in shifts(schedule, instant - _TICK, instant + within):
        continues = previous is not None and previous.user == user
        if shift.user == user and shift.start >= instant and not continues:
            return shift
        previous = shift
    return None


# --- layers -------------------------------------------------------------------------------


def _layer_source(layer: Layer, index: int) -> Source:
    return Source(SourceKind.LAYER, index, layer.name)


def _layer_user_at(layer: Layer, zone: ZoneInfo, instant: datetime) -> str | None:
    if layer.ical is not None:  # a calendar's events, held as fixed intervals by the model
        return layer.imported_user_at(instant)
    k = _shift_index(layer, zone, instant)
    if k < 0:
        return None
    if layer.restrictions and not _inside_restrictions(layer.restrictions, zone, instant):
        return None
    return layer.users[k % len(layer.users)]


def _layer_intervals(
    layer: Layer, zone: ZoneInfo, window_start: datetime, window_end: datetime
) -> list[_Interval]:
    """The layer's on-call stretches inside the window, sorted and non-overlapping."""
    if layer.ical is not None:
        return layer.imported_between(window_start, window_end)
    rotation = _rotation_intervals(layer, zone, window_start, window_end)
    if not layer.restrictions:
        return rotation
    windows = _restriction_windows(layer.restrictions, zone, window_start, window_end)
    return _intersect(rotation, windows)


def _boundary(layer: Layer, zone: ZoneInfo, k: int) -> datetime:
    """The instant shift k starts (shift k-1 ends)."""
    return _instant(layer.anchor + k * layer.shift_length, zone)


def _shift_index(layer: Layer, zone: ZoneInfo, instant: datetime) -> int:
    """The k with boundary(k) <= instant < boundary(k + 1); negative before shift 0."""
    k = (_local(instant, zone) - layer.anchor) // layer.shift_length
    # The estimate from wall time can be one off near a DST change; boundaries are monotone.
    while _boundary(layer, zone, k) > instant:
        k -= 1
    while _boundary(layer, zone, k + 1) <= instant:
        k += 1
    return k


def _rotation_intervals(
    layer: Layer, zone: ZoneInfo, window_start: datetime, window_end: datetime
) -> list[_Interval]:
    k = max(_shift_index(layer, zone, window_start), 0)
    begins = _boundary(layer, zone, k)
    out: list[_Interval] = []
    while begins < window_end:
        ends = _boundary(layer, zone, k + 1)
        if ends > begins:  # empty when both ends fall in one spring-forward jump
            user = layer.users[k % len(layer.users)]
            out.append((max(begins, window_start), min(ends, window_end), user))
        k += 1
        begins = ends
    return out


# --- restrictions -------------------------------------------------------------------------


def _window(restriction: Restriction, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The restriction's window that opens on local `day` (caller checks the day is listed)."""
    closes_on = day + _DAY if restriction.crosses_midnight else day
    return (
        _instant(datetime.combine(day, restriction.start), zone),
        _instant(datetime.combine(closes_on, restriction.end), zone),
    )


def _inside_restrictions(
    restrictions: tuple[Restriction, ...], zone: ZoneInfo, instant: datetime
) -> bool:
    today = _local(instant, zone).date()
    # A window lasts at most a day, so only windows opening today or yesterday can hold it.
    for day in (today - _DAY, today):
        name = WEEKDAYS[day.weekday()]
        for restriction in restrictions:
            if name in restriction.days:
                opens, closes = _window(restriction, day, zone)
                if opens <= instant < closes:
                    return True
    return False


def _restriction_windows(
    restrictions: tuple[Restriction, ...],
    zone: ZoneInfo,
    window_start: datetime,
    window_end: datetime,
) -> list[tuple[datetime, datetime]]:
    """The union of all windows inside [window_start, window_end), sorted and merged."""
    found: list[tuple[datetime, datetime]] = []
    day = _local(window_start, zone).date() - _DAY
    last = _local(window_end, zone).date()
    while day <= last:
        name = WEEKDAYS[day.weekday()]
        for restriction in restrictions:
            if name in restriction.days:
                opens, closes = _window(restriction, day, zone)
                opens, closes = max(opens, window_start), min(closes, window_end)
                if opens < closes:
                    found.append((opens, closes))
        day += _DAY
    found.sort()
    merged: list[tuple[datetime, datetime]] = []
    for opens, closes in found:
        if merged and opens <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
        else:
            merged.append((opens, closes))
    return merged


def _intersect(
    intervals: list[_Interval], windows: list[tuple[datetime, datetime]]
) -> list[_Interval]:
    """Both inputs sorted and non-overlapping; a two-pointer walk keeps this linear."""
    out: list[_Interval] = []
    i = j = 0
    while i < len(intervals) and j < len(windows):
        start, end, user = intervals[i]
        opens, closes = windows[j]
        low, high = max(start, opens), min(end, closes)
        if low < high:
            out.append((low, high, user))
        if end <= closes:
            i += 1
        else:
            j += 1
    return out


# --- precedence ---------------------------------------------------------------------------


def _flatten(
    tracks: list[tuple[Source, list[_Interval]]], window_start: datetime, window_end: datetime
) -> list[Shift]:
    """Pick the top track on every stretch between boundaries, then merge equal neighbours."""
    cuts = sorted(
        {window_start, window_end}
        | {edge for _, intervals in tracks for start, end, _ in intervals for edge in (start, end)}
    )
    cursors = [0] * len(tracks)
    pieces: list[tuple[str | None, Source, datetime, datetime]] = []
    for low, high in pairwise(cuts):
        user: str | None = None
        source = GAP
        for t in reversed(range(len(tracks))):
            intervals = tracks[t][1]
            i = cursors[t]
            while i < len(intervals) and intervals[i][1] <= low:
                i += 1
            cursors[t] = i
            if i < len(intervals) and intervals[i][0] <= low:
                user, source = intervals[i][2], tracks[t][0]
                break
        if pieces and pieces[-1][0] == user and pieces[-1][1] == source:
            pieces[-1] = (user, source, pieces[-1][2], high)
        else:
            pieces.append((user, source, low, high))
    return [Shift(user, start, end, source) for user, source, start, end in pieces]


# --- time ---------------------------------------------------------------------------------


def _utc(value: datetime, what: str = "datetime") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value.isoformat()}")
    return value.astimezone(UTC)


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    """Naive local wall time of an instant."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the local clock reads `local` or later (rule 2 above)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _local(first, zone) == local:
        return first  # exists; fold=0 is the first of two occurrences when ambiguous
    # `local` falls in a spring-forward jump. fold=0 and fold=1 read it with the offsets before
    # and after the jump, giving instants on either side of it; search for the jump itself.
    other = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(first, other), max(first, other)
    if not _local(low, zone) < local <= _local(high, zone):
        return first  # not a plain jump; never seen with IANA data, but stay deterministic
    while high - low > _TICK:
        middle = low + (high - low) // 2
        if _local(middle, zone) >= local:
            high = middle
        else:
            low = middle
    return high
