"""Layers imported from .ics files (read at config load) and URLs (fetched at start-up)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from pydantic import ValidationError

from bot.config import ConfigError, OpsConfig, load_config
from bot.domain.oncall import Layer, Schedule, on_call, shifts
from bot.domain.oncall.ical import parse, render_schedule_feed
from bot.domain.oncall.models import ImportedShift
from bot.runtime import OpsGuard
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.slack import User
from tests.feeds.conftest import ICS, write_config

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_ics_file_layer_drives_on_call(config: OpsConfig, users: dict[str, User]) -> None:
    schedule = config.schedule("calendar")
    assert schedule is not None
    ids = {name: user.id for name, user in users.items()}
    answers = {
        utc(2026, 11, 23, 9): ids["dave"],  # X-SLACK-USER
        utc(2026, 11, 23, 19, 59, 59): ids["dave"],
        utc(2026, 11, 23, 20): ids["carol"],  # <@U…> in SUMMARY
        utc(2026, 11, 24, 7, 59): ids["carol"],
        utc(2026, 11, 24, 9): None,  # bob's event there is cancelled
        utc(2026, 11, 25, 22, 59): None,
        utc(2026, 11, 25, 23): ids["alice"],  # all-day 26 Nov, from Berlin midnight (ATTENDEE)
        utc(2026, 11, 26, 22, 59): ids["alice"],
        utc(2026, 11, 26, 23): None,
        datetime(2026, 11, 28, 10, tzinfo=BERLIN): ids["bob"],  # floating time, Berlin
        datetime(2026, 11, 28, 15, 59, tzinfo=BERLIN): ids["bob"],
        datetime(2026, 11, 28, 16, tzinfo=BERLIN): None,
    }
    for at, user in answers.items():
        assert on_call(schedule, at).user == user, at
    # shifts() agrees with on_call() at every boundary it reports.
    for shift in shifts(schedule, utc(2026, 11, 22), utc(2026, 12, 1)):
        assert on_call(schedule, shift.start).user == shift.user


@pytest.mark.parametrize(
    ("ics", "problem"),
    [
        (None, "cannot read the file"),
        ("hello, not a calendar", "not an iCalendar file"),
        (
            ICS.replace("X-SLACK-USER:{dave}\n", ""),
            "event 'dave-day' names no Slack user ID (add X-SLACK-USER:U…, or put the ID in",
        ),
        (ICS.replace("X-SLACK-USER:{dave}", "X-SLACK-USER:dave"), "X-SLACK-USER 'dave' is not"),
        (
            ICS.replace(
                "UID:bob-floating\nSUMMARY:{bob}", "UID:bob-floating\nSUMMARY:{bob} {carol}"
            ),
            "event 'bob-floating' names several Slack user IDs",
        ),
        (ICS.replace("DURATION:PT6H", "DURATION:PT6H\nRRULE:FREQ=WEEKLY"), "repeats (RRULE/RDATE)"),
        (ICS.replace("DTEND:20261123T200000Z", "DTEND:20261123T070000Z"), "ends before it starts"),
        (ICS.replace("DTSTART:20261123T080000Z\n", ""), "event 'dave-day' has no DTSTART"),
    ],
)
def test_broken_ics_files_stop_the_load_naming_the_key(
    tmp_path: Path, users: dict[str, User], ics: str | None, problem: str
) -> None:
    path = write_config(tmp_path, users, ics or "")
    if ics is None:
        (tmp_path / "oncall.ics").unlink()
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert f"schedules[1]: layers[0].ical: {tmp_path / 'oncall.ics'}: " in message, message
    assert problem in message, message


@pytest.mark.parametrize(
    ("layer", "problem"),
    [
        ({"ical": "x.ics", "users": ["U0AAAAAAA"]}, "a layer with ical takes its shifts from"),
        ({"ical": "ftp://example.com/x.ics"}, "use a file path or an https://"),
        ({"ical": " "}, "give a path to an .ics file or an https:// URL"),
        ({"users": ["U0AAAAAAA"], "rotation": "daily"}, "missing handoff, start (or give ical"),
    ],
)
def test_layer_is_either_a_rotation_or_a_calendar(layer: dict[str, Any], problem: str) -> None:
    raw = {"schedules": [{"name": "x", "timezone": "UTC", "layers": [layer]}]}
    with pytest.raises(ValidationError) as info:
        OpsConfig.model_validate(raw)
    assert problem in str(info.value)


def test_a_config_with_an_ical_layer_dumps_and_loads_back(config: OpsConfig) -> None:
    again = OpsConfig.model_validate(config.model_dump(mode="json"))
    assert again == config
    before, after = config.schedule("calendar"), again.schedule("calendar")
    assert before is not None and after is not None
    assert after.layers[0].imported == before.layers[0].imported != ()


def test_overlapping_events_later_start_wins_then_the_first_resumes() -> None:
    layer = Layer(ical="https://example.com/x.ics")
    week = ImportedShift(user="U0AAAAAAA", start=utc(2026, 11, 23), end=utc(2026, 11, 30))
    cover = ImportedShift(user="U0BBBBBBB", start=utc(2026, 11, 25), end=utc(2026, 11, 26))
    layer.set_imported([cover, week])
    assert [(e.user, e.start.day, e.end.day) for e in layer.imported] == [
        ("U0AAAAAAA", 23, 25),
        ("U0BBBBBBB", 25, 26),
        ("U0AAAAAAA", 26, 30),
    ]


def test_an_exported_feed_imports_back_to_the_same_shifts(config: OpsConfig) -> None:
    primary = config.schedule("primary")
    assert primary is not None
    now = utc(2026, 11, 23, 9)
    layer = Layer(ical="https://example.com/primary.ics")
    layer.set_imported(parse(render_schedule_feed(primary, now, {}), primary.zone))
    copy = Schedule(name="copy", timezone=primary.timezone, layers=(layer,))
    window = (now, now + timedelta(days=30))
    assert [(s.user, s.start, s.end) for s in shifts(copy, *window)] == [
        (s.user, s.start, s.end) for s in shifts(primary, *window)
    ]


# --- URLs -----------------------------------------------------------------------------------


@dataclass
class CalendarServer:
    """A calendar host on loopback; tests change what it serves."""

    body: str = ""
    status: int = 200
    url: str = ""
    hits: int = 0


@pytest.fixture
async def host() -> AsyncIterator[CalendarServer]:
    served = CalendarServer()

    async def calendar(_: web.Request) -> web.Response:
        served.hits += 1
        return web.Response(status=served.status, text=served.body, content_type="text/calendar")

    app = web.Application()
    app.router.add_get("/private/secret-abc/basic.ics", calendar)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    served.url = f"http://127.0.0.1:{runner.addresses[0][1]}/private/secret-abc/basic.ics"
    yield served
    await runner.cleanup()


def one_event(user: str, start: str, end: str) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nBEGIN:VEVENT\nUID:1\n"
        f"SUMMARY:{user}\nDTSTART:{start}\nDTEND:{end}\nEND:VEVENT\nEND:VCALENDAR\n"
    )


def url_config(url: str) -> OpsConfig:
    return OpsConfig.model_validate(
        {"schedules": [{"name": "remote", "timezone": "UTC", "layers": [{"ical": url}]}]}
    )


async def test_url_layer_is_fetched_at_start_and_refreshed(
    settings: Settings, users: dict[str, User], host: CalendarServer, caplog: Any
) -> None:
    alice, bob = users["alice"].id, users["bob"].id
    host.body = one_event(alice, "20261123T080000Z", "20261124T080000Z")
    config = url_config(host.url.replace("http://", "HTTP://"))
    guard = OpsGuard(settings, config, clock=FakeClock())
    await guard.start(host="127.0.0.1", port=0, scheduler=False)
    try:
        schedule = config.schedule("remote")
        assert schedule is not None
        assert on_call(schedule, utc(2026, 11, 23, 9)).user == alice
        assert host.hits == 1

        host.body = one_event(bob, "20261123T080000Z", "20261124T080000Z")
        assert await guard.ical.refresh() == {}
        assert on_call(schedule, utc(2026, 11, 23, 9)).user == bob

        host.status = 503
        caplog.set_level(logging.ERROR, logger="opsguard.ical")
        problems = await guard.ical.refresh()
        assert problems == {"schedules[0].layers[0].ical": "http://127.0.0.1/…: HTTP 503"}
        assert on_call(schedule, utc(2026, 11, 23, 9)).user == bob  # the last good copy
        assert "keeping the last good copy" in caplog.text
        assert "secret-abc" not in caplog.text  # calendar URLs are secrets too
    finally:
        await guard.stop()


async def test_a_url_that_fails_at_start_leaves_a_gap_until_it_loads(
    settings: Settings, users: dict[str, User], host: CalendarServer, caplog: Any
) -> None:
    host.status, host.body = 200, "<html>not a calendar</html>"
    config = url_config(host.url)
    caplog.set_level(logging.ERROR, logger="opsguard.ical")
    guard = OpsGuard(settings, config, clock=FakeClock())
    await guard.start(host="127.0.0.1", port=0, scheduler=False)  # starts anyway
    try:
        schedule = config.schedule("remote")
        assert schedule is not None
        assert on_call(schedule, utc(2026, 11, 23, 9)).is_gap
        assert "schedules[0].layers[0].ical" in caplog.text
        assert "not an iCalendar file" in caplog.text

        host.body = one_event(f"<@{users['carol'].id}>", "20261123T080000Z", "20261123T100000Z")
        assert await guard.ical.refresh() == {}
        assert on_call(schedule, utc(2026, 11, 23, 9)).user == users["carol"].id
    finally:
        await guard.stop()
