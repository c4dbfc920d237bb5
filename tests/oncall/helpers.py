"""Small builders so each test states only the parts of a schedule it is about."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.oncall import Layer, Restriction, Schedule

A, B, C, D, E, F = "U0AAAAAAA", "U0BBBBBBB", "U0CCCCCCC", "U0DDDDDDD", "U0EEEEEEE", "U0FFFFFFF"


def layer(
    users: list[str],
    rotation: Any = "daily",
    handoff: str = "09:00",
    start: date = date(2026, 1, 5),
    restrictions: list[Restriction] | None = None,
    name: str | None = None,
) -> Layer:
    return Layer.model_validate(
        {
            "name": name,
            "users": users,
            "rotation": rotation,
            "handoff": handoff,
            "start": start,
            "restrictions": restrictions or [],
        }
    )


def window(days: list[str], start: str, end: str) -> Restriction:
    return Restriction.model_validate({"days": days, "start": start, "end": end})


def schedule(
    *layers: Layer, timezone: str = "Europe/Berlin", overrides: list[dict[str, Any]] | None = None
) -> Schedule:
    return Schedule.model_validate(
        {"name": "test", "timezone": timezone, "layers": layers, "overrides": overrides or []}
    )


def at(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware instant from local wall-clock parts (the first occurrence when ambiguous)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone))


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def wall(instant: datetime, zone: str) -> tuple[date, time]:
    local = instant.astimezone(ZoneInfo(zone))
    return local.date(), local.time()
