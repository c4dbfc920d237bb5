"""`/oncall override`: when a cover ends, who may set one, and storing it.

A cover starts now and puts one person on call for one schedule, above its layers and the
config's overrides. People may cover for themselves; admins may put anyone on call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.directory import FetchProfile, lookup_user
from bot.domain.errors import DomainError, Forbidden, NotFound
from bot.domain.oncall.board import member_of
from bot.domain.oncall.models import Schedule
from bot.domain.oncall.overrides import effective_schedule, effective_schedules
from bot.domain.oncall.resolve import _instant, shifts
from bot.durations import format_duration, parse_duration
from storage.db import Database
from storage.models import OnCallOverride

MAX_COVER = timedelta(days=7)
_CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


class BadCover(DomainError):
    """The duration or the time did not parse; the listener adds the usage."""


@dataclass(frozen=True)
class Cover:
    schedule: str
    user: str
    start: datetime
    end: datetime
    by: str
    covering: tuple[str, ...]  # who the schedule had on call over [start, end) before


def cover_end(when: str, now: datetime, tz: str) -> datetime:
    """`2h`, `1h30m`, `1d` from now, or `until HH:MM`: the next time `tz`'s clock reads it."""
    words = when.split()
    if len(words) == 2 and words[0].lower() == "until":
        match = _CLOCK.match(words[1])
        if match is None:
            raise BadCover(f"“{words[1]}” is not a time of day written HH:MM (like 17:30).")
        return next_wall_time(now, time(int(match[1]), int(match[2])), zone_or_utc(tz))
    if len(words) != 1:
        raise BadCover("Say how long (like 2h or 1h30m) or until when (like `until 17:30`).")
    try:
        length = parse_duration(words[0])
    except (ValueError, OverflowError):
        raise BadCover(f"“{words[0]}” is not a duration (like 30m, 2h, 1h30m or 1d).") from None
    if length > MAX_COVER:
        raise BadCover(f"A cover lasts at most 7d; {format_duration(length)} is longer.")
    return now + length


def next_wall_time(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first instant after `now` at which the clock in `zone` reads `at`. Where the clocks
    jump over it that day, the instant they jump (as the resolver reads wall times)."""
    today = now.astimezone(zone).date()
    candidates: list[datetime] = []
    for day in (today, today + timedelta(days=1)):
        wall = datetime.combine(day, at)
        candidates.append(_instant(wall, zone))
        second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)  # clocks going back
        if second.astimezone(zone).replace(tzinfo=None) == wall:
            candidates.append(second)
    return min(c for c in candidates if c > now)


def zone_or_utc(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


async def add_cover(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    fetch: FetchProfile,
    *,
    by: str,
    is_admin: bool,
    user: str,
    when: str,
    schedule: str | None,
) -> Cover:
    if user != by and not is_admin:
        raise Forbidden(
            "You can only put yourself on call. OpsGuard admins can set a cover for anyone."
        )
    now = clock.now()
    name = (await _pick(db, config, now, user, schedule, yourself=user == by)).name
    until = when.split()[0].lower() == "until"
    tz = (await lookup_user(db, clock, fetch, by)).tz if until else ""
    end = cover_end(when, now, tz)
    async with db.transaction() as session:
        before = await effective_schedule(session, config, name, now)
        assert before is not None
        covering = [s.user for s in shifts(before, now, end) if s.user and s.user != user]
        session.add(
            OnCallOverride(
                schedule=name, user_id=user, start_at=now, end_at=end, created_by=by, created_at=now
            )
        )
    return Cover(name, user, now, end, by, tuple(dict.fromkeys(covering)))


async def _pick(
    db: Database, config: OpsConfig, now: datetime, user: str, name: str | None, *, yourself: bool
) -> Schedule:
    """The named schedule, or the only one the person is in."""
    every = ", ".join(s.name for s in config.schedules)
    if not config.schedules:
        raise NotFound("No on-call schedules are configured.")
    if name is not None:
        schedule = config.schedule(name)
        if schedule is None:
            raise NotFound(f"Unknown schedule “{name}”. Schedules: {every}.")
        return schedule
    schedules = await effective_schedules(db, config, now)
    theirs = [s for s in config.schedules if member_of(schedules[s.name], user, now)]
    if len(theirs) == 1:
        return theirs[0]
    who = "You are" if yourself else "They are"
    if theirs:
        listed = ", ".join(s.name for s in theirs)
        raise DomainError(f"{who} in {len(theirs)} schedules ({listed}): name one at the end.")
    raise DomainError(f"{who} in no schedule: name one at the end. Schedules: {every}.")
