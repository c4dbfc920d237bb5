"""Config models for on-call schedules: who rotates, when they hand off, and who stands in.

This module imports nothing from `bot.config`, so `bot.config` can import these models for
its `schedules:` key without an import cycle. Errors are plain words; the config loader adds
the file and key path in front of them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from heapq import heappop, heappush
from itertools import pairwise
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from bot.validators import NAME, UserId, matching

SCHEDULE_NAME = NAME
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Index = date.weekday(), so WEEKDAYS[day.weekday()] names a date's day.
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(value: object) -> object:
    """Accept mon/Mon/monday so a config reads naturally; anything else gets a plain error."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in WEEKDAYS:
            return word
        if word in _FULL_DAY_NAMES:
            return WEEKDAYS[_FULL_DAY_NAMES.index(word)]
    raise ValueError(f"{value!r} is not a day of the week (use mon, tue, wed, thu, fri, sat, sun)")


def _clock_time(value: object) -> time:
    """Parse "HH:MM" strictly: pydantic's own time parsing would read 1020 as 00:17:00."""
    if isinstance(value, time) and value.tzinfo is None and not (value.second or value.microsecond):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # PyYAML reads an unquoted 17:00 as the base-60 integer 1020.
        raise ValueError(
            'write times in quotes, like "17:00" (unquoted, YAML reads it as a number)'
        )
    if isinstance(value, str) and (match := _CLOCK.match(value.strip())):
        return time(int(match[1]), int(match[2]))
    raise ValueError(f'{value!r} is not a time of day written HH:MM (like "09:00")')


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(
            f"{value!r} is not an IANA time zone (like Europe/Berlin or America/New_York)"
        ) from None
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{value.isoformat()} has no UTC offset; write it like 2026-03-29T00:00:00+01:00"
        )
    return value


ScheduleName = Annotated[
    str, matching(SCHEDULE_NAME, "a schedule name (lowercase a-z, 0-9, - and _, at most 80)")
]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
DayName = Annotated[Weekday, BeforeValidator(_weekday)]
ClockTime = Annotated[
    time,
    PlainValidator(_clock_time),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
]
AwareTime = Annotated[datetime, AfterValidator(_aware)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Restriction(_Strict):
    """A weekly window of local time; a layer with restrictions covers only its windows.

    The window opens at `start` on each listed day. When `end` is not after `start` it closes
    on the next day, so fri 22:00-06:00 runs into Saturday morning and 09:00-09:00 is 24 hours.
    """

    days: tuple[DayName, ...]
    start: ClockTime
    end: ClockTime

    @field_validator("days")
    @classmethod
    def _some_days(cls, days: tuple[Weekday, ...]) -> tuple[Weekday, ...]:
        if not days:
            raise ValueError("list at least one day, like [mon, tue, wed, thu, fri]")
        return days

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start


class CustomRotation(_Strict):
    """Shifts of N hours of local wall-clock time (see bot.domain.oncall.resolve)."""

    hours: int = Field(gt=0, le=24 * 366)


Rotation = Literal["daily", "weekly"] | CustomRotation


class ImportedShift(_Strict):
    """One fixed stretch of an iCal-imported layer: `user` from `start` until `end` (UTC)."""

    user: UserId
    start: AwareTime
    end: AwareTime

    @model_validator(mode="after")
    def _positive(self) -> ImportedShift:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end.isoformat()}) must be after start")
        return self


def _ical_source(value: str) -> str:
    source = value.strip()
    if not source:
        raise ValueError("give a path to an .ics file or an https:// URL")
    if "://" in source and source.split("://", 1)[0].lower() not in _ICAL_SCHEMES:
        raise ValueError(f"{source!r}: use a file path or an https://, http:// or webcal:// URL")
    return source


_ICAL_SCHEMES = ("https", "http", "webcal")
_ROTATION_KEYS = ("users", "rotation", "handoff", "start")


class Layer(_Strict):
    """Users take turns in list order; shift 0 starts at `start` + `handoff`, local time.

    Or, with `ical` (a path or URL) instead of users/rotation/handoff/start, the layer's shifts
    are a calendar's events, held as fixed `ImportedShift`s: a file is read when the schedule
    is validated, a URL is fetched at start-up and refreshed (bot.domain.oncall.ical).
    """

    name: str | None = None
    ical: Annotated[str, AfterValidator(_ical_source)] | None = None  # before users: see below
    users: tuple[UserId, ...] = ()
    rotation: Rotation | None = None
    handoff: ClockTime | None = None
    start: date | None = None
    restrictions: tuple[Restriction, ...] = ()
    # Sorted, non-overlapping; replaced wholesale (one attribute write) when a URL is refreshed.
    _imported: tuple[ImportedShift, ...] = PrivateAttr(default=())
    _imported_ends: tuple[datetime, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _rotation_or_ical(self) -> Layer:
        if self.ical is not None:
            given = [
                k for k in (*_ROTATION_KEYS, "restrictions") if getattr(self, k) not in (None, ())
            ]
            if given:
                raise ValueError(
                    "a layer with ical takes its shifts from the calendar; "
                    f"remove {', '.join(given)}"
                )
            return self
        missing = [k for k in _ROTATION_KEYS if getattr(self, k) in (None, ())]
        if missing:
            raise ValueError(
                f"missing {', '.join(missing)} (or give ical: a .ics file or URL instead)"
            )
        return self

    @property
    def ical_url(self) -> str | None:
        """The URL to fetch (webcal:// read as https://), or None for a file or no calendar."""
        if self.ical is None or "://" not in self.ical:
            return None
        scheme, rest = self.ical.split("://", 1)
        return f"{'https' if scheme.lower() == 'webcal' else scheme.lower()}://{rest}"

    @property
    def ical_path(self) -> str | None:
        return self.ical if self.ical is not None and "://" not in self.ical else None

    @property
    def imported(self) -> tuple[ImportedShift, ...]:
        return self._imported

    def set_imported(self, events: Iterable[ImportedShift]) -> None:
        """Replace the calendar's shifts. Where events overlap, the later-starting one wins
        (ties: the later-listed); the first resumes when it ends, like an override."""
        flat = _flatten_events(list(events))
        self._imported, self._imported_ends = flat, tuple(e.end for e in flat)

    def imported_user_at(self, instant: datetime) -> str | None:
        i = bisect_right(self._imported_ends, instant)
        if i < len(self._imported) and self._imported[i].start <= instant:
            return self._imported[i].user
        return None

    def imported_between(
        self, window_start: datetime, window_end: datetime
    ) -> list[tuple[datetime, datetime, str]]:
        """(start, end, user) inside the window, clipped to it, sorted, non-overlapping."""
        events, out = self._imported, []
        for i in range(bisect_right(self._imported_ends, window_start), len(events)):
            if events[i].start >= window_end:
                break
            out.append(
                (max(events[i].start, window_start), min(events[i].end, window_end), events[i].user)
            )
        return out

    @field_validator("users")
    @classmethod
    def _some_users(cls, users: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if not users and info.data.get("ical") is None:  # an ical layer dumps `users: []`
            raise ValueError("list at least one Slack user ID")
        return users

    @field_validator("rotation", mode="wrap")
    @classmethod
    def _one_rotation_error(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        """One plain message instead of one error per branch of the union."""
        try:
            return handler(value)
        except ValidationError:
            raise ValueError(
                f"{value!r} is not a rotation: use daily, weekly or {{hours: N}} "
                f"with N a whole number of hours from 1 to {24 * 366}"
            ) from None

    @property
    def shift_length(self) -> timedelta:
        """Length of one shift in local wall-clock time (real time differs across DST)."""
        if self.rotation == "daily":
            return timedelta(hours=24)
        if self.rotation == "weekly":
            return timedelta(days=7)
        assert isinstance(self.rotation, CustomRotation)
        return timedelta(hours=self.rotation.hours)

    @property
    def anchor(self) -> datetime:
        """Naive local wall time at which shift 0 starts."""
        assert self.start is not None and self.handoff is not None, "not a rotation layer"
        return datetime.combine(self.start, self.handoff)


def _flatten_events(events: list[ImportedShift]) -> tuple[ImportedShift, ...]:
    """Overlapping events to one timeline: the latest-starting active event holds each stretch;
    touching stretches of the same user merge."""
    order = sorted(range(len(events)), key=lambda i: (events[i].start, i))
    cuts = sorted({e.start for e in events} | {e.end for e in events})
    active: list[tuple[int, datetime, str]] = []  # (-rank, end, user): a max-heap on rank
    out: list[ImportedShift] = []
    rank = 0
    for low, high in pairwise(cuts):
        while rank < len(order) and events[order[rank]].start <= low:
            event = events[order[rank]]
            heappush(active, (-rank, event.end, event.user))
            rank += 1
        while active and active[0][1] <= low:
            heappop(active)
        if not active:
            continue
        user = active[0][2]
        if out and out[-1].user == user and out[-1].end == low:
            out[-1] = ImportedShift(user=user, start=out[-1].start, end=high)
        else:
            out.append(ImportedShift(user=user, start=low, end=high))
    return tuple(out)


class Override(_Strict):
    """`user` is on call from `start` until `end`, whatever the layers say."""

    user: UserId
    start: AwareTime
    end: AwareTime

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if isinstance(start, datetime) and end <= start:
            raise ValueError(f"end ({end.isoformat()}) must be after start ({start.isoformat()})")
        return end


class Schedule(_Strict):
    """Layers are listed bottom to top; overrides sit above every layer."""

    name: ScheduleName
    timezone: TimeZoneName
    layers: tuple[Layer, ...]
    overrides: tuple[Override, ...] = ()

    @field_validator("layers")
    @classmethod
    def _some_layers(cls, layers: tuple[Layer, ...]) -> tuple[Layer, ...]:
        if not layers:
            raise ValueError("a schedule needs at least one layer")
        return layers

    @model_validator(mode="after")
    def _unique_layer_names(self) -> Schedule:
        seen: set[str] = set()
        for index, layer in enumerate(self.layers):
            if layer.name is None:
                continue
            if layer.name in seen:
                raise ValueError(f"layers[{index}]: duplicate layer name {layer.name!r}")
            seen.add(layer.name)
        return self

    @model_validator(mode="after")
    def _read_ical_files(self) -> Schedule:
        """Files are read here, so a broken one stops the config load naming its key.
        URLs are fetched at start-up (bot.domain.oncall.ical.IcalRefresher)."""
        from bot.domain.oncall.ical import IcalError, read_file  # ical imports this module

        for index, layer in enumerate(self.layers):
            if layer.ical_path is not None:
                try:
                    layer.set_imported(read_file(layer.ical_path, self.zone))
                except IcalError as exc:
                    raise ValueError(f"layers[{index}].ical: {exc}") from None
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key
