"""Properties over random schedules, with windows drawn near DST changes on purpose."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.oncall import (
    WEEKDAYS,
    CustomRotation,
    Layer,
    Override,
    Restriction,
    Schedule,
    Shift,
    next_shift_for,
    on_call,
    shifts,
)

TICK = timedelta(microseconds=1)
USERS = ["U0AAAAAAA", "U0BBBBBBB", "U0CCCCCCC", "U0DDDDDDD"]
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Instants (UTC) of 2026 DST changes in those zones; windows start near them half the time.
CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
]

# Handoffs at awkward local times (inside or next to the night jumps) turn up often.
clock_times = st.one_of(
    st.sampled_from([time(0), time(1, 30), time(2), time(2, 30), time(3), time(9)]),
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
)
restrictions = st.builds(
    Restriction,
    days=st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True).map(tuple),
    start=clock_times,
    end=clock_times,
)
layers = st.builds(
    Layer,
    name=st.none(),
    users=st.lists(st.sampled_from(USERS), min_size=1, max_size=4).map(tuple),
    rotation=st.one_of(
        st.sampled_from(["daily", "weekly"]),
        st.builds(CustomRotation, hours=st.sampled_from([1, 2, 5, 8, 12, 36])),
    ),
    handoff=clock_times,
    start=st.dates(date(2026, 1, 1), date(2026, 12, 31)),
    restrictions=st.lists(restrictions, max_size=2).map(tuple),
)
instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(CHANGES),
        st.integers(-3 * 24 * 60, 24 * 60),
    ),
)
overrides = st.builds(
    lambda user, start, minutes: Override(
        user=user, start=start, end=start + timedelta(minutes=minutes)
    ),
    st.sampled_from(USERS),
    instants,
    st.integers(1, 3 * 24 * 60),
)
schedules = st.builds(
    Schedule,
    name=st.just("random"),
    timezone=st.sampled_from(ZONES),
    layers=st.lists(layers, min_size=1, max_size=3).map(tuple),
    overrides=st.lists(overrides, max_size=3).map(tuple),
)
lengths = st.integers(1, 10 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _containing(timeline: list[Shift], instant: datetime) -> Shift:
    (found,) = [s for s in timeline if s.start <= instant < s.end]
    return found


@SETTINGS
@given(schedules, instants, lengths)
def test_shifts_tile_the_window_without_overlap(
    schedule: Schedule, start: datetime, length: timedelta
) -> None:
    timeline = shifts(schedule, start, start + length)
    assert timeline[0].start == start and timeline[-1].end == start + length
    for shift in timeline:
        assert shift.start < shift.end
        assert shift.start.utcoffset() == timedelta(0)
        assert (shift.user is None) == shift.is_gap == (shift.source.kind == "gap")
    for before, after in pairwise(timeline):
        assert before.end == after.start
        assert (before.user, before.source) != (after.user, after.source)  # merged otherwise


@SETTINGS
@given(schedules, instants, lengths, st.lists(st.floats(0, 1, exclude_max=True), max_size=5))
def test_on_call_agrees_with_the_shift_containing_it(
    schedule: Schedule, start: datetime, length: timedelta, fractions: list[float]
) -> None:
    timeline = shifts(schedule, start, start + length)
    probes = [s.start for s in timeline] + [s.end - TICK for s in timeline]
    probes += [min(start + length * fraction, start + length - TICK) for fraction in fractions]
    for probe in probes:
        shift = _containing(timeline, probe)
        answer = on_call(schedule, probe)
        assert (answer.user, answer.source) == (shift.user, shift.source), probe


@SETTINGS
@given(schedules, instants, lengths, lengths)
def test_splitting_the_window_changes_nothing(
    schedule: Schedule, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle, end = start + first, start + first + second
    joined = shifts(schedule, start, middle) + shifts(schedule, middle, end)
    whole = shifts(schedule, start, end)
    # Re-merge across the cut, then the two answers must be identical.
    merged: list[Shift] = []
    for shift in joined:
        last = merged[-1] if merged else None
        if last and (last.user, last.source) == (shift.user, shift.source):
            merged[-1] = Shift(last.user, last.start, shift.end, last.source)
        else:
            merged.append(shift)
    assert merged == whole


@SETTINGS
@given(schedules, instants, st.sampled_from(USERS))
def test_next_shift_is_the_first_time_the_user_comes_on(
    schedule: Schedule, after: datetime, user: str
) -> None:
    within = timedelta(days=10)
    found = next_shift_for(schedule, user, after, within=within)
    horizon = found.start if found else after + within
    # Until then, the user may only be on call in one stretch already under way at `after`.
    stretches = shifts(schedule, after, horizon)
    while stretches and stretches[0].user == user:
        stretches.pop(0)
    assert all(s.user != user for s in stretches)
    if found is not None:
        assert found.user == user and found.start >= after
        assert on_call(schedule, found.start).user == user
        assert on_call(schedule, found.start - TICK).user != user


@SETTINGS
@given(
    st.sampled_from(ZONES),
    st.builds(
        Layer,
        users=st.lists(st.sampled_from(USERS), min_size=1, max_size=3).map(tuple),
        rotation=st.sampled_from(["daily", "weekly"]),
        handoff=clock_times,
        start=st.dates(date(2025, 12, 1), date(2026, 1, 31)),
    ),
    instants,
    lengths,
)
def test_daily_and_weekly_handoffs_happen_at_local_handoff_time(
    zone: str, layer: Layer, start: datetime, length: timedelta
) -> None:
    schedule = Schedule(name="wall", timezone=zone, layers=(layer,))
    tz = ZoneInfo(zone)
    for shift in shifts(schedule, start, start + length)[1:]:
        local = shift.start.astimezone(tz)
        if local.time() != layer.handoff:
            # Only when the clocks jumped over the handoff time at exactly this instant.
            just_before = (shift.start - TICK).astimezone(tz)
            assert just_before.time() < layer.handoff < local.time(), shift
            assert just_before.utcoffset() != local.utcoffset()
