"""`/oncall override` words: the grammar (bot.commands) and when a cover ends (cover_end)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import OverrideArgs, parse_override
from bot.domain.oncall.cover import MAX_COVER, BadCover, cover_end
from bot.durations import format_duration

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "Pacific/Chatham",  # +12:45, with DST
    "Australia/Lord_Howe",  # DST moves the clock by 30 minutes
]
# 2026 DST changes (UTC) of those zones: "now" lands near them half the time.
CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
    datetime(2026, 4, 4, 14, tzinfo=UTC),
    datetime(2026, 9, 26, 14, tzinfo=UTC),
]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

whole_minutes = st.integers(0, 3 * 24 * 60).map(lambda m: timedelta(minutes=m))
nows = st.one_of(
    st.builds(lambda c, d: c - timedelta(hours=36) + d, st.sampled_from(CHANGES), whole_minutes),
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(second=0, microsecond=0)),
)
clock_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@given(st.integers(1, int(MAX_COVER.total_seconds())).map(lambda s: timedelta(seconds=s)))
def test_a_duration_ends_that_long_from_now(length: timedelta) -> None:
    assert cover_end(format_duration(length), NOW, "UTC") == NOW + length


@given(st.integers(int(MAX_COVER.total_seconds()) + 1, 10**9))
def test_longer_than_seven_days_is_refused(seconds: int) -> None:
    with pytest.raises(BadCover, match="at most 7d"):
        cover_end(f"{seconds}s", NOW, "UTC")


@given(st.text(min_size=1).filter(lambda t: len(t.split()) == 1))
def test_anything_else_is_refused_not_crashed(word: str) -> None:
    try:
        end = cover_end(word, NOW, "UTC")
    except BadCover:
        return
    assert NOW < end <= NOW + MAX_COVER  # it was a real duration after all, like "5m"


@given(nows, clock_times, st.sampled_from(ZONES))
def test_until_is_the_next_time_the_clock_reads_it(now: datetime, at: time, tz: str) -> None:
    zone = ZoneInfo(tz)
    end = cover_end(f"until {at:%H:%M}", now, tz)
    assert now < end <= now + timedelta(hours=25)
    # No earlier whole minute after now shows that time on the clock.
    minute = now + timedelta(minutes=1)
    while minute < end:
        assert minute.astimezone(zone).time() != at, minute
        minute += timedelta(minutes=1)
    wall = end.astimezone(zone).replace(tzinfo=None)
    if wall.time() != at:
        # Only where the clocks jumped over that time: `end` is the jump, and a minute
        # before it the clock read earlier than `at`.
        before = (end - timedelta(minutes=1)).astimezone(zone).replace(tzinfo=None)
        assert before.time() < at < wall.time(), (before, wall)
        assert (
            end.astimezone(zone).utcoffset()
            != (end - timedelta(minutes=1)).astimezone(zone).utcoffset()
        )


def test_until_uses_the_given_timezone_and_skips_to_tomorrow_when_passed() -> None:
    # 09:00 UTC is 04:00 in New York: 06:30 there is later today, 03:00 is tomorrow.
    assert cover_end("until 06:30", NOW, "America/New_York") == datetime(
        2026, 11, 23, 11, 30, tzinfo=UTC
    )
    assert cover_end("UNTIL 3:00", NOW, "America/New_York") == datetime(
        2026, 11, 24, 8, 0, tzinfo=UTC
    )
    assert cover_end("until 09:00", NOW, "Not/AZone") == NOW + timedelta(days=1)  # UTC


def test_until_inside_a_spring_forward_jump_ends_at_the_jump() -> None:
    now = datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST; clocks jump 02:00 → 03:00
    assert cover_end("until 02:30", now, "America/New_York") == datetime(
        2026, 3, 8, 7, 0, tzinfo=UTC
    )


def test_until_on_a_fall_back_night_takes_the_nearer_of_the_two() -> None:
    # 01:45 EDT on 1 Nov 2026; at 02:00 EDT the clocks go back to 01:00 EST.
    now = datetime(2026, 11, 1, 5, 45, tzinfo=UTC)
    assert cover_end("until 01:30", now, "America/New_York") == datetime(
        2026, 11, 1, 6, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("when", ["until 24:00", "until 9", "until 12:60", "until noon"])
def test_bad_times_are_refused(when: str) -> None:
    with pytest.raises(BadCover, match="not a time of day"):
        cover_end(when, NOW, "UTC")


@pytest.mark.parametrize(
    ("words", "parsed"),
    [
        ("<@U0BOB|bob> 2h", OverrideArgs("U0BOB", "2h", None)),
        ("<@U0BOB> 1h30m Primary", OverrideArgs("U0BOB", "1h30m", "primary")),
        ("<@U0BOB|bob>  until 17:30", OverrideArgs("U0BOB", "until 17:30", None)),
        ("<@U0BOB> Until 17:30 nights", OverrideArgs("U0BOB", "Until 17:30", "nights")),
    ],
)
def test_override_grammar(words: str, parsed: OverrideArgs) -> None:
    assert parse_override(words) == parsed


@pytest.mark.parametrize(
    "words",
    ["", "<@U0BOB>", "bob 2h", "@bob 2h", "<@U0BOB> until", "<@U0BOB> 2h primary extra"],
)
def test_words_that_do_not_fit_the_grammar(words: str) -> None:
    assert parse_override(words) is None
