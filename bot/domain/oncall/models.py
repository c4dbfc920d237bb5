"""Config models for on-call schedules: who rotates, when they hand off, and who stands in.

This module imports nothing from `bot.config`, so `bot.config` can import these models for
its `schedules:` key without an import cycle. Errors are plain words; the config loader adds
the file and key path in front of them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
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
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

# Same shape as bot.config.SLACK_USER_ID; repeated here so this module stays import-cycle free.
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# Index = date.weekday(), so WEEKDAYS[day.weekday()] names a date's day.
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


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


UserId = Annotated[str, _matching(SLACK_USER_ID, "a Slack user ID (like U012ABCDEF)")]
ScheduleName = Annotated[
    str, _matching(SCHEDULE_NAME, "a schedule name (lowercase a-z, 0-9, - and _, at most 80)")
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


class Layer(_Strict):
    """Users take turns in list order; shift 0 starts at `start` + `handoff`, local time."""

    name: str | None = None
    users: tuple[UserId, ...]
    rotation: Rotation
    handoff: ClockTime
    start: date
    restrictions: tuple[Restriction, ...] = ()

    @field_validator("users")
    @classmethod
    def _some_users(cls, users: tuple[str, ...]) -> tuple[str, ...]:
        if not users:
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
        return datetime.combine(self.start, self.handoff)


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances by key
