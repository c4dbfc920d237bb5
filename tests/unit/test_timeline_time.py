"""`… at HH:MM` on a timeline note, and which instant a wall-clock time means."""

from __future__ import annotations

from datetime import UTC, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from bot.commands import split_trailing_time
from bot.domain.timeline import last_wall_time

texts = st.text(min_size=1, max_size=80).filter(lambda t: t.strip() != "")


@given(texts, st.integers(0, 23), st.integers(0, 59))
def test_a_trailing_time_is_taken_off(text: str, hour: int, minute: int) -> None:
    head, at = split_trailing_time(f"{text} at {hour}:{minute:02d}")
    assert at == time(hour, minute)
    assert head == text.strip()


@given(texts)
def test_text_without_a_trailing_time_is_kept_whole(text: str) -> None:
    head, at = split_trailing_time(text)
    if at is None:
        assert head == text.strip()
    else:  # the text itself ended in "… at H:MM"
        assert text.strip().lower().endswith(f"{at.hour}:{at.minute:02d}")


def test_times_that_are_not_times_stay_text() -> None:
    for text in ("meet at noon", "at 14:05", "x at 24:00", "x at 9:60", "x at 14:05pm"):
        assert split_trailing_time(text) == (text, None)


def test_the_latest_past_instant_on_the_users_clock() -> None:
    now = datetime(2026, 11, 23, 0, 10, tzinfo=UTC)  # 19:10 in New York the day before
    assert last_wall_time(now, time(18, 0), "America/New_York") == datetime(
        2026, 11, 22, 23, 0, tzinfo=UTC
    )
    assert last_wall_time(now, time(23, 50), "Europe/London") == datetime(
        2026, 11, 22, 23, 50, tzinfo=UTC
    )
    assert last_wall_time(now, time(0, 5), "Europe/London") == datetime(
        2026, 11, 23, 0, 5, tzinfo=UTC
    )
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert last_wall_time(summer, time(9, 0), "Europe/Berlin") == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    assert last_wall_time(now, time(1, 0), "Not/AZone") == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
