"""On-call calendars: secret per-feed URLs, .ics rendering of shifts, and iCal-imported layers.

Feeds: `/ical/schedules/<name>.ics` and `/ical/users/<slack id>.ics` carry `?token=`, where
the token is HMAC-SHA256(FEED_SECRET, feed path), hex, cut to 32 characters. A token opens
exactly one feed; changing FEED_SECRET revokes every URL at once.

Import: a layer with `ical:` takes its shifts from a calendar's VEVENTs. Each event names its
on-call Slack user by, in this order, an `X-SLACK-USER:U…` property, an ATTENDEE whose `CN`
is a Slack user ID, or exactly one Slack user ID (with a digit, like U012AB3CD) in SUMMARY.
All-day and floating times are read in the schedule's time zone. Cancelled events are skipped;
repeating events (RRULE/RDATE) are refused, since they are not expanded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp
from icalendar import Calendar, Event
from sqlmodel import col, select

from bot.domain.oncall.models import (
    SCHEDULE_NAME,
    ImportedShift,
    Layer,
    Schedule,
)
from bot.domain.oncall.resolve import Shift, shifts
from bot.validators import SLACK_USER_ID
from storage.db import Database
from storage.models import User

log = logging.getLogger("opsguard.ical")

FEED_WINDOW = timedelta(days=60)  # a feed shows the shifts that end within the next 60 days,
LOOKBACK = timedelta(days=60)  # with their real start if it lies within the last 60 days
TOKEN_LENGTH = 32
REFRESH_EVERY = timedelta(minutes=15)
RETRY_EVERY = timedelta(minutes=1)  # while a URL has never loaded
FETCH_TIMEOUT = timedelta(seconds=30)
MAX_CALENDAR_BYTES = 10 * 1024 * 1024
_FEED_PATH = re.compile(r"/ical/(schedules|users)/([^/]+)\.ics")
_SUMMARY_ID = re.compile(r"(?<![A-Za-z0-9])[UW][A-Z0-9]{2,}(?![A-Za-z0-9])")


# --- feed addresses and tokens ------------------------------------------------------------


class FeedKind(StrEnum):
    SCHEDULE = "schedule"
    USER = "user"


@dataclass(frozen=True)
class FeedRef:
    kind: FeedKind
    id: str

    @property
    def path(self) -> str:
        return f"/ical/{self.kind.value}s/{self.id}.ics"


def feed_ref(kind: str, id: str) -> FeedRef:
    """Validate a feed's kind ("schedule" or "user") and id; ValueError in plain words."""
    try:
        feed_kind = FeedKind(kind)
    except ValueError:
        raise ValueError(f"{kind!r} is not a feed kind (use schedule or user)") from None
    pattern = SCHEDULE_NAME if feed_kind is FeedKind.SCHEDULE else SLACK_USER_ID
    if not pattern.fullmatch(id):
        what = "a schedule name" if feed_kind is FeedKind.SCHEDULE else "a Slack user ID"
        raise ValueError(f"{id!r} is not {what}")
    return FeedRef(feed_kind, id)


def parse_feed_path(path: str) -> FeedRef | None:
    """The feed a request path names, or None if it names none."""
    match = _FEED_PATH.fullmatch(path)
    if match is None:
        return None
    try:
        return feed_ref(match[1].removesuffix("s"), match[2])
    except ValueError:
        return None


def feed_token(secret: str, path: str) -> str:
    return hmac.new(secret.encode(), path.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def token_ok(secret: str, path: str, token: str | None) -> bool:
    """Constant-time check; any string (empty, non-ASCII) is a plain False, never an error."""
    if not secret or token is None:
        return False
    given = token.encode("utf-8", "replace")
    return hmac.compare_digest(given, feed_token(secret, path).encode())


class FeedSettings(Protocol):
    @property
    def base_url(self) -> str: ...
    @property
    def feed_secret(self) -> str: ...


def feed_url(settings: FeedSettings, kind: str, id: str) -> str:
    """The secret subscription URL of one feed, e.g. feed_url(settings, "user", "U012AB3CD")."""
    if not settings.feed_secret:
        raise ValueError("calendar feeds are off: FEED_SECRET is not set")
    path = feed_ref(kind, id).path
    token = feed_token(settings.feed_secret, path)
    return f"{settings.base_url.rstrip('/')}{path}?token={token}"


def feed_urls(settings: FeedSettings, schedules: Sequence[Schedule]) -> list[tuple[str, str]]:
    """(label, URL) for every schedule and every user the schedules name, for `opsguard feeds`.
    Users of URL-imported layers are known only once fetched, so they are not listed."""
    out = [(f"schedule {s.name}", feed_url(settings, "schedule", s.name)) for s in schedules]
    users: set[str] = set()
    for schedule in schedules:
        users.update(o.user for o in schedule.overrides)
        for layer in schedule.layers:
            users.update(layer.users)
            users.update(e.user for e in layer.imported)
    out += [(f"user {u}", feed_url(settings, "user", u)) for u in sorted(users)]
    return out


# --- rendering ----------------------------------------------------------------------------


def upcoming(schedule: Schedule, now: datetime) -> list[Shift]:
    """The feed's shifts: not gaps, ending after `now` and starting within FEED_WINDOW."""
    now = now.astimezone(UTC).replace(microsecond=0)
    window = shifts(schedule, now - LOOKBACK, now + FEED_WINDOW)
    return [s for s in window if not s.is_gap and s.end > now]


def render_schedule_feed(schedule: Schedule, now: datetime, names: dict[str, str]) -> bytes:
    calendar = _calendar(f"On call: {schedule.name}")
    for shift in upcoming(schedule, now):
        assert shift.user is not None
        summary = f"{names.get(shift.user, shift.user)} on call"
        calendar.add_component(_event(shift, schedule, FeedKind.SCHEDULE, summary, now))
    return calendar.to_ical()


def render_user_feed(
    user: str, schedules: Iterable[Schedule], now: datetime, names: dict[str, str]
) -> bytes:
    calendar = _calendar(f"{names.get(user, user)} on call")
    events = [
        (shift.start, schedule.name, _event(shift, schedule, FeedKind.USER, "", now))
        for schedule in schedules
        for shift in upcoming(schedule, now)
        if shift.user == user
    ]
    for _, _, event in sorted(events, key=lambda e: (e[0], e[1])):
        calendar.add_component(event)
    return calendar.to_ical()


async def display_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    """Names from the cached directory (no Slack call); unknown users keep their ID."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    async with db.session() as session:
        rows = (await session.exec(select(User).where(col(User.id).in_(wanted)))).all()
    return {u.id: u.real_name or u.name for u in rows if u.real_name or u.name}


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//OpsGuard//On-call feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(shift: Shift, schedule: Schedule, kind: FeedKind, summary: str, now: datetime) -> Event:
    assert shift.user is not None
    event = Event()
    # Stable across fetches: the same shift keeps its UID (its end may move with the window).
    event.add("uid", f"{shift.start:%Y%m%dT%H%M%SZ}-{shift.user}-{schedule.name}-{kind}@opsguard")
    event.add("dtstamp", now.astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", shift.start)
    event.add("dtend", shift.end)
    event.add("summary", summary or f"On call: {schedule.name}")
    event.add("description", f"Schedule {schedule.name}, {shift.source}; Slack user {shift.user}")
    event.add("x-slack-user", shift.user)
    event.add("transp", "TRANSPARENT")
    return event


# --- import -------------------------------------------------------------------------------


class IcalError(ValueError):
    """A calendar that cannot be used; str() says why in plain words."""


def read_file(path: str, zone: ZoneInfo) -> tuple[ImportedShift, ...]:
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise IcalError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return parse(data, zone)
    except IcalError as exc:
        raise IcalError(f"{path}: {exc}") from None


def parse(data: bytes | str, zone: ZoneInfo) -> tuple[ImportedShift, ...]:
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, IndexError, … on broken input
        raise IcalError(f"not an iCalendar file ({exc})") from None
    if calendar.name != "VCALENDAR":
        raise IcalError(f"not an iCalendar file (it holds a {calendar.name}, not a VCALENDAR)")
    found = []
    for event in calendar.walk("VEVENT"):
        shift = _shift(event, zone)
        if shift is not None:
            found.append(shift)
    return tuple(found)


def _shift(event: Event, zone: ZoneInfo) -> ImportedShift | None:
    summary = str(event.get("SUMMARY", ""))
    what = f"event {str(event.get('UID', '')) or summary!r}"
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if "RRULE" in event or "RDATE" in event:
        raise IcalError(f"{what} repeats (RRULE/RDATE); export each shift as its own event")
    if event.get("DTSTART") is None:
        raise IcalError(f"{what} has no DTSTART")
    try:
        raw_start = event["DTSTART"].dt
        start = _instant(raw_start, zone)
        if event.get("DTEND") is not None:
            end = _instant(event["DTEND"].dt, zone)
        elif event.get("DURATION") is not None:
            end = _instant(_as_local(raw_start) + event["DURATION"].dt, zone)
        else:  # RFC 5545: a day long for a date, no time at all for a date-time
            end = start + timedelta(days=1) if not isinstance(raw_start, datetime) else start
    except (AttributeError, TypeError, ValueError) as exc:
        raise IcalError(f"{what} has a time OpsGuard cannot read ({exc})") from None
    if end < start:
        raise IcalError(f"{what} ends before it starts")
    if end == start:
        return None
    return ImportedShift(user=_user_of(event, summary, what), start=start, end=end)


def _as_local(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time())


def _instant(value: Any, zone: ZoneInfo) -> datetime:
    if not isinstance(value, date):
        raise TypeError(f"{value!r} is not a date or date-time")
    local = _as_local(value)
    if local.tzinfo is None or local.utcoffset() is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(UTC)


def _user_of(event: Event, summary: str, what: str) -> str:
    explicit = event.get("X-SLACK-USER")
    if explicit is not None:
        value = str(explicit).strip()
        if not SLACK_USER_ID.fullmatch(value):
            raise IcalError(f"{what}: X-SLACK-USER {value!r} is not a Slack user ID")
        return value
    attendees = event.get("ATTENDEE") or []
    for attendee in attendees if isinstance(attendees, list) else [attendees]:
        name = str(getattr(attendee, "params", {}).get("CN", "")).strip()
        if SLACK_USER_ID.fullmatch(name):
            return name
    ids = {w for w in _SUMMARY_ID.findall(summary) if any(c.isdigit() for c in w)}
    if len(ids) == 1:
        return ids.pop()
    if ids:
        raise IcalError(f"{what} names several Slack user IDs: {', '.join(sorted(ids))}")
    raise IcalError(
        f"{what} names no Slack user ID (add X-SLACK-USER:U…, or put the ID in SUMMARY)"
    )


# --- fetching URLs ------------------------------------------------------------------------


async def fetch(http: aiohttp.ClientSession, url: str, zone: ZoneInfo) -> tuple[ImportedShift, ...]:
    where = _redacted(url)  # calendar URLs often carry a secret; never log one whole
    try:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT.total_seconds())
        async with http.get(url, timeout=timeout) as response:
            if response.status != 200:
                raise IcalError(f"{where}: HTTP {response.status}")
            data = await response.content.read(MAX_CALENDAR_BYTES + 1)
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise IcalError(f"{where}: cannot fetch ({exc.__class__.__name__}: {exc})") from None
    if len(data) > MAX_CALENDAR_BYTES:
        raise IcalError(f"{where}: larger than {MAX_CALENDAR_BYTES // (1024 * 1024)} MB")
    try:
        return parse(data, zone)
    except IcalError as exc:
        raise IcalError(f"{where}: {exc}") from None


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…"


class IcalRefresher:
    """Fetches every URL layer at start-up, then again every REFRESH_EVERY.

    A failed fetch keeps the layer's last good shifts and logs the layer's config key; a layer
    that never loaded is empty (so its stretches fall through to lower layers or are gaps) and
    is retried every RETRY_EVERY.
    """

    def __init__(self, schedules: Sequence[Schedule]) -> None:
        self.layers: list[tuple[str, Layer, ZoneInfo]] = [
            (f"schedules[{s}].layers[{i}].ical", layer, schedule.zone)
            for s, schedule in enumerate(schedules)
            for i, layer in enumerate(schedule.layers)
            if layer.ical_url is not None
        ]
        self._loaded: set[str] = set()
        self._http: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> dict[str, str]:
        if not self.layers:
            return {}
        self._http = aiohttp.ClientSession()
        problems = await self.refresh()
        self._task = asyncio.create_task(self._loop(), name="ical-refresh")
        return problems

    async def refresh(self) -> dict[str, str]:
        """Fetch every URL layer once now; returns {config key: problem} for the failures."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        results = await asyncio.gather(*(self._one(*entry) for entry in self.layers))
        return {key: problem for key, problem in results if problem}

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _one(self, key: str, layer: Layer, zone: ZoneInfo) -> tuple[str, str | None]:
        assert self._http is not None and layer.ical_url is not None
        try:
            layer.set_imported(await fetch(self._http, layer.ical_url, zone))
        except IcalError as exc:
            stale = "keeping the last good copy" if key in self._loaded else "the layer is empty"
            log.error("%s: %s; %s", key, exc, stale)
            return key, str(exc)
        self._loaded.add(key)
        log.info("%s: loaded %d shift(s)", key, len(layer.imported))
        return key, None

    async def _loop(self) -> None:
        while True:
            pending = len(self._loaded) < len(self.layers)
            await asyncio.sleep((RETRY_EVERY if pending else REFRESH_EVERY).total_seconds())
            try:
                await self.refresh()
            except Exception:
                log.exception("refreshing iCal layers failed")
