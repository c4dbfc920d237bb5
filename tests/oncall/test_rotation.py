"""Rotations: handoff instants, and handoffs that keep local wall time across DST changes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from bot.domain.oncall import SourceKind, on_call, shifts
from tests.oncall.helpers import A, B, C, at, layer, schedule, utc, wall

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("rotation", "handoff_at", "before", "after"),
    [
        ("daily", at("Europe/Berlin", 2026, 1, 6, 9), A, B),
        ("daily", at("Europe/Berlin", 2026, 1, 8, 9), C, A),  # wraps round the list
        ("weekly", at("Europe/Berlin", 2026, 1, 12, 9), A, B),
        ({"hours": 8}, at("Europe/Berlin", 2026, 1, 5, 17), A, B),
        ({"hours": 8}, at("Europe/Berlin", 2026, 1, 6, 1), B, C),
    ],
)
def test_handoff_instant_belongs_to_the_next_user(
    rotation: object, handoff_at: datetime, before: str, after: str
) -> None:
    rota = schedule(layer([A, B, C], rotation=rotation))
    assert on_call(rota, handoff_at - SECOND).user == before
    assert on_call(rota, handoff_at).user == after


def test_nobody_before_the_first_handoff() -> None:
    rota = schedule(layer([A, B], start=date(2026, 1, 5)))
    first = at("Europe/Berlin", 2026, 1, 5, 9)
    assert on_call(rota, first - SECOND).is_gap
    assert on_call(rota, first).user == A
    timeline = shifts(rota, first - HOUR, first + HOUR)
    assert [(s.user, s.source.kind) for s in timeline] == [
        (None, SourceKind.GAP),
        (A, SourceKind.LAYER),
    ]


@pytest.mark.parametrize(
    ("zone", "change_day", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
    ],
)
def test_daily_handoff_keeps_local_time_across_dst(zone: str, change_day: date, hours: int) -> None:
    rota = schedule(layer([A, B, C], handoff="09:00"), timezone=zone)
    start = datetime.combine(change_day - timedelta(days=2), time(12))
    timeline = shifts(
        rota, at(zone, start.year, start.month, start.day, 12), at(zone, 2026, 12, 31)
    )
    handoffs = [wall(s.start, zone) for s in timeline[1:5]]
    assert handoffs == [(change_day + timedelta(days=offset), time(9)) for offset in (-1, 0, 1, 2)]
    # The shift that spans the change is an hour short or long; its neighbours are 24 h.
    assert [s.duration / HOUR for s in timeline[1:4]] == [hours, 24, 24]
    before, after = timeline[1], timeline[2]
    assert on_call(rota, after.start - SECOND).user == before.user
    assert on_call(rota, after.start).user == after.user


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Spring forward: the 12-hour shift from the evening before lasts 11 hours.
        ("Europe/Berlin", date(2026, 3, 28), [12, 11, 12, 12]),
        ("Europe/Berlin", date(2026, 10, 24), [12, 13, 12, 12]),
        ("America/New_York", date(2026, 3, 7), [12, 11, 12, 12]),
        ("America/New_York", date(2026, 10, 31), [12, 13, 12, 12]),
    ],
)
def test_custom_hours_count_wall_clock_hours(zone: str, day: date, expected: list[int]) -> None:
    rota = schedule(layer([A, B], rotation={"hours": 12}, handoff="09:00"), timezone=zone)
    start = at(zone, day.year, day.month, day.day, 9)
    timeline = shifts(rota, start, start + timedelta(days=2, hours=1))
    assert [s.duration / HOUR for s in timeline[:4]] == expected
    assert {wall(s.start, zone)[1] for s in timeline} == {time(9), time(21)}


def test_weekly_handoff_keeps_local_time_across_dst() -> None:
    rota = schedule(layer([A, B], rotation="weekly", start=date(2026, 3, 23)))
    timeline = shifts(rota, utc(2026, 3, 24), utc(2026, 4, 14))
    assert [wall(s.start, "Europe/Berlin") for s in timeline[1:]] == [
        (date(2026, 3, 30), time(9)),
        (date(2026, 4, 6), time(9)),
        (date(2026, 4, 13), time(9)),
    ]
    # Shift 0 began at 09:00 CET (08:00 UTC) on 23 Mar; it spans the change, so 7 days - 1 h.
    assert timeline[1].start - utc(2026, 3, 23, 8) == timedelta(days=7) - HOUR


def test_nonexistent_handoff_happens_when_the_clocks_jump() -> None:
    # New York, 8 Mar 2026: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist that day.
    zone = "America/New_York"
    rota = schedule(layer([A, B, C], handoff="02:30", start=date(2026, 3, 1)), timezone=zone)
    jump = utc(2026, 3, 8, 7)  # 03:00 EDT
    assert on_call(rota, jump - SECOND).user == A  # shift 6, from 7 Mar
    assert on_call(rota, jump).user == B
    timeline = shifts(rota, utc(2026, 3, 7, 12), utc(2026, 3, 9, 12))
    assert [(wall(s.start, zone), s.user) for s in timeline[1:]] == [
        ((date(2026, 3, 8), time(3, 0)), B),
        ((date(2026, 3, 9), time(2, 30)), C),
    ]
    assert timeline[1].start == jump
    # 02:30 EST on the 7th to the jump, then the jump to 02:30 EDT on the 9th.
    assert (jump - utc(2026, 3, 7, 7, 30)) / HOUR == 23.5
    assert timeline[1].duration / HOUR == 23.5


def test_nonexistent_handoff_in_berlin() -> None:
    rota = schedule(layer([A, B], handoff="02:30", start=date(2026, 3, 1)))
    timeline = shifts(rota, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert [s.start for s in timeline[1:]] == [utc(2026, 3, 29, 1), utc(2026, 3, 30, 0, 30)]


def test_ambiguous_handoff_happens_at_the_first_occurrence() -> None:
    # New York, 1 Nov 2026: 01:00-02:00 happens twice (EDT, then EST).
    zone = "America/New_York"
    rota = schedule(layer([A, B], handoff="01:30", start=date(2026, 10, 1)), timezone=zone)
    first, second = utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30)  # 01:30 EDT, 01:30 EST
    before = on_call(rota, first - SECOND).user
    assert on_call(rota, first).user != before
    assert on_call(rota, second).user == on_call(rota, first).user  # no second handoff
    timeline = shifts(rota, utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    assert [s.start for s in timeline[1:]] == [first, utc(2026, 11, 2, 6, 30)]
    assert timeline[1].duration / HOUR == 25


def test_hourly_turn_inside_the_spring_jump_is_skipped() -> None:
    # Shift k=2 would run 02:00-03:00 local on 8 Mar, an hour New York never has.
    zone = "America/New_York"
    rota = schedule(
        layer([A, B, C], rotation={"hours": 1}, handoff="00:00", start=date(2026, 3, 8)),
        timezone=zone,
    )
    timeline = shifts(rota, utc(2026, 3, 8, 5), utc(2026, 3, 8, 9))
    assert [(s.user, s.start, s.end) for s in timeline] == [
        (A, utc(2026, 3, 8, 5), utc(2026, 3, 8, 6)),  # 00:00-01:00 EST
        (B, utc(2026, 3, 8, 6), utc(2026, 3, 8, 7)),  # 01:00 EST - 03:00 EDT
        (A, utc(2026, 3, 8, 7), utc(2026, 3, 8, 8)),  # k=3: 03:00-04:00 EDT
        (B, utc(2026, 3, 8, 8), utc(2026, 3, 8, 9)),
    ]
    assert on_call(rota, utc(2026, 3, 8, 7)).user == A
