"""Restrictions, layer precedence, overrides, gaps, and the timeline helpers built on them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.oncall import GAP, Layer, Source, SourceKind, next_shift_for, on_call, shifts
from tests.oncall.helpers import A, B, C, D, E, F, at, layer, schedule, utc, window

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
BERLIN = "Europe/Berlin"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _cover() -> list[Layer]:
    """Bottom: weekly A/B/C. Top: D on weekdays 09:00-17:00 only."""
    return [
        layer([A, B, C], rotation="weekly", name="weekly"),
        layer([D], restrictions=[window(WEEKDAYS, "09:00", "17:00")], name="cover"),
    ]


def test_higher_layer_wins_only_where_it_has_someone() -> None:
    rota = schedule(*_cover())
    monday_noon = at(BERLIN, 2026, 1, 12, 12)
    assert on_call(rota, monday_noon).user == D
    assert on_call(rota, monday_noon).source == Source(SourceKind.LAYER, 1, "cover")
    assert on_call(rota, at(BERLIN, 2026, 1, 12, 17)).source == Source(
        SourceKind.LAYER, 0, "weekly"
    )
    assert on_call(rota, at(BERLIN, 2026, 1, 12, 17)).user == B
    assert on_call(rota, at(BERLIN, 2026, 1, 12, 16, 59, 59)).user == D
    assert on_call(rota, at(BERLIN, 2026, 1, 17, 12)).user == B  # Saturday: no cover
    timeline = shifts(rota, at(BERLIN, 2026, 1, 12, 8), at(BERLIN, 2026, 1, 13, 10))
    # B's week starts at 09:00 Monday, under the cover layer, so B first shows at 17:00.
    assert [(s.user, str(s.source), s.start) for s in timeline] == [
        (A, "layer 'weekly'", at(BERLIN, 2026, 1, 12, 8)),
        (D, "layer 'cover'", at(BERLIN, 2026, 1, 12, 9)),
        (B, "layer 'weekly'", at(BERLIN, 2026, 1, 12, 17)),
        (D, "layer 'cover'", at(BERLIN, 2026, 1, 13, 9)),
    ]


def test_order_of_layers_decides_precedence() -> None:
    bottom, top = _cover()
    rota = schedule(top, bottom)
    # With the unrestricted layer on top, the cover layer never shows.
    assert {s.user for s in shifts(rota, utc(2026, 1, 12), utc(2026, 1, 19))} == {A, B}


def test_gap_is_reported_as_a_gap() -> None:
    rota = schedule(layer([D], restrictions=[window(WEEKDAYS, "09:00", "17:00")]))
    saturday = at(BERLIN, 2026, 1, 10, 12)
    answer = on_call(rota, saturday)
    assert answer.user is None and answer.is_gap and answer.source == GAP
    timeline = shifts(rota, at(BERLIN, 2026, 1, 9, 0), at(BERLIN, 2026, 1, 12, 12))
    assert [(s.user, s.is_gap, s.source.kind) for s in timeline] == [
        (None, True, SourceKind.GAP),
        (D, False, SourceKind.LAYER),
        (None, True, SourceKind.GAP),  # Fri 17:00 to Mon 09:00, one merged gap
        (D, False, SourceKind.LAYER),
    ]
    assert timeline[2].duration == timedelta(days=2, hours=16)


def test_restriction_crossing_midnight() -> None:
    nights = window(["fri"], "22:00", "06:00")
    rota = schedule(layer([A, B], rotation="weekly", restrictions=[nights]))
    friday, saturday = (2026, 1, 9), (2026, 1, 10)
    assert on_call(rota, at(BERLIN, *friday, 21, 59, 59)).is_gap
    assert on_call(rota, at(BERLIN, *friday, 22)).user == A
    assert on_call(rota, at(BERLIN, *saturday, 5, 59, 59)).user == A
    assert on_call(rota, at(BERLIN, *saturday, 6)).is_gap
    assert on_call(rota, at(BERLIN, 2026, 1, 8, 23)).is_gap  # Thursday night is not listed
    assert on_call(rota, at(BERLIN, 2026, 1, 11, 1)).is_gap  # nor Saturday night
    timeline = shifts(rota, utc(2026, 1, 5), utc(2026, 1, 19))
    on = [(s.start, s.end, s.user) for s in timeline if not s.is_gap]
    assert on == [
        (at(BERLIN, *friday, 22), at(BERLIN, *saturday, 6), A),
        (at(BERLIN, 2026, 1, 16, 22), at(BERLIN, 2026, 1, 17, 6), B),
    ]


def test_restriction_window_across_dst_change_is_shorter() -> None:
    nights = window(["sat"], "22:00", "06:00")  # Sat 28 Mar into Sun 29 Mar: clocks jump at 02:00
    rota = schedule(layer([A], restrictions=[nights]))
    (cover,) = [s for s in shifts(rota, utc(2026, 3, 27), utc(2026, 3, 31)) if not s.is_gap]
    assert (cover.start, cover.end) == (at(BERLIN, 2026, 3, 28, 22), at(BERLIN, 2026, 3, 29, 6))
    assert cover.duration == 7 * HOUR


def test_equal_start_and_end_is_a_whole_day() -> None:
    rota = schedule(layer([A], restrictions=[window(["wed"], "00:00", "00:00")]))
    (cover,) = [s for s in shifts(rota, utc(2026, 1, 12), utc(2026, 1, 19)) if not s.is_gap]
    assert (cover.start, cover.end) == (at(BERLIN, 2026, 1, 14), at(BERLIN, 2026, 1, 15))


def test_handoff_inside_a_restriction_window() -> None:
    rota = schedule(
        layer([A, B], handoff="12:00", restrictions=[window(WEEKDAYS, "09:00", "17:00")])
    )
    timeline = shifts(rota, at(BERLIN, 2026, 1, 6, 9), at(BERLIN, 2026, 1, 6, 17))
    assert [(s.user, s.start) for s in timeline] == [
        (A, at(BERLIN, 2026, 1, 6, 9)),
        (B, at(BERLIN, 2026, 1, 6, 12)),
    ]


def test_override_across_a_handoff_replaces_both_sides() -> None:
    override = {"user": E, "start": at(BERLIN, 2026, 1, 6, 8), "end": at(BERLIN, 2026, 1, 6, 10)}
    rota = schedule(layer([A, B]), overrides=[override])
    assert on_call(rota, at(BERLIN, 2026, 1, 6, 9)).user == E
    assert on_call(rota, at(BERLIN, 2026, 1, 6, 9)).source == Source(SourceKind.OVERRIDE, 0)
    assert str(on_call(rota, at(BERLIN, 2026, 1, 6, 9)).source) == "override 1"
    assert str(on_call(rota, at(BERLIN, 2026, 1, 6, 10)).source) == "layer 1"
    assert on_call(rota, at(BERLIN, 2026, 1, 6, 10)).user == B
    timeline = shifts(rota, at(BERLIN, 2026, 1, 6), at(BERLIN, 2026, 1, 6, 12))
    assert [(s.user, s.start, s.end) for s in timeline] == [
        (A, at(BERLIN, 2026, 1, 6), at(BERLIN, 2026, 1, 6, 8)),
        (E, at(BERLIN, 2026, 1, 6, 8), at(BERLIN, 2026, 1, 6, 10)),
        (B, at(BERLIN, 2026, 1, 6, 10), at(BERLIN, 2026, 1, 6, 12)),
    ]


def test_override_across_dst_and_over_a_gap() -> None:
    # The example: 29 Mar 00:00 CET to 30 Mar 12:00 CEST, across the spring change.
    override = {
        "user": E,
        "start": datetime.fromisoformat("2026-03-29T00:00:00+01:00"),
        "end": datetime.fromisoformat("2026-03-30T12:00:00+02:00"),
    }
    rota = schedule(*_cover()[1:], overrides=[override])
    timeline = shifts(rota, utc(2026, 3, 28), utc(2026, 3, 31))
    assert [(s.user, s.source.kind) for s in timeline] == [
        (None, SourceKind.GAP),
        (E, SourceKind.OVERRIDE),
        (D, SourceKind.LAYER),
        (None, SourceKind.GAP),
    ]
    assert timeline[1].duration == 35 * HOUR
    assert timeline[1].start.tzinfo is UTC


def test_later_override_wins_where_overrides_overlap() -> None:
    overrides = [
        {"user": E, "start": utc(2026, 1, 6, 10), "end": utc(2026, 1, 6, 14)},
        {"user": F, "start": utc(2026, 1, 6, 11), "end": utc(2026, 1, 6, 12)},
    ]
    rota = schedule(layer([A]), overrides=overrides)
    timeline = shifts(rota, utc(2026, 1, 6, 10), utc(2026, 1, 6, 14))
    assert [(s.user, s.source.index, s.start.hour) for s in timeline] == [
        (E, 0, 10),
        (F, 1, 11),
        (E, 0, 12),
    ]
    assert on_call(rota, utc(2026, 1, 6, 11, 30)).user == F


def test_same_user_same_source_merges() -> None:
    rota = schedule(layer([A]), timezone="America/New_York")
    (only,) = shifts(rota, utc(2026, 3, 1), utc(2026, 3, 15))  # 14 daily shifts, one DST change
    assert (only.user, only.start, only.end) == (A, utc(2026, 3, 1), utc(2026, 3, 15))


def test_next_shift_for() -> None:
    rota = schedule(*_cover())
    monday_noon = at(BERLIN, 2026, 1, 12, 12)
    # D is on now, so "next" is Tuesday's cover, reported whole.
    following = next_shift_for(rota, D, monday_noon)
    assert following is not None
    assert (following.start, following.end) == (
        at(BERLIN, 2026, 1, 13, 9),
        at(BERLIN, 2026, 1, 13, 17),
    )
    # A shift that starts exactly at `after` is next.
    assert next_shift_for(rota, D, at(BERLIN, 2026, 1, 13, 9)) == following
    # C's week starts Mon 19 Jan 09:00 but the cover layer takes the day; C starts at 17:00.
    c_next = next_shift_for(rota, C, monday_noon)
    assert c_next is not None and c_next.start == at(BERLIN, 2026, 1, 19, 17)
    assert next_shift_for(rota, "U0ZZZZZZZ", monday_noon) is None
    assert next_shift_for(rota, C, monday_noon, within=timedelta(days=2)) is None


def test_next_shift_skips_a_continuation_under_another_source() -> None:
    override = {"user": A, "start": at(BERLIN, 2026, 1, 6, 9), "end": at(BERLIN, 2026, 1, 6, 11)}
    rota = schedule(layer([A, B]), overrides=[override])
    # A is on call from 5 Jan 09:00 and the override only extends that to 11:00.
    following = next_shift_for(rota, A, at(BERLIN, 2026, 1, 6, 8))
    assert following is not None and following.start == at(BERLIN, 2026, 1, 7, 9)


def test_timeline_cut_at_the_horizon() -> None:
    rota = schedule(layer([A, B], rotation="weekly"))
    following = next_shift_for(rota, B, utc(2026, 1, 6), within=timedelta(days=8))
    assert following is not None and following.end == utc(2026, 1, 14)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (datetime(2026, 1, 1), utc(2026, 1, 2), "start must be timezone-aware"),
        (utc(2026, 1, 1), datetime(2026, 1, 2), "end must be timezone-aware"),
        (utc(2026, 1, 2), utc(2026, 1, 1), "end must not be before start"),
    ],
)
def test_bad_windows_are_programming_errors(start: datetime, end: datetime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        shifts(schedule(layer([A])), start, end)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        on_call(schedule(layer([A])), datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="within must be a positive"):
        next_shift_for(schedule(layer([A])), A, utc(2026, 1, 1), within=timedelta(0))


def test_empty_window_is_empty() -> None:
    assert shifts(schedule(layer([A])), utc(2026, 1, 6), utc(2026, 1, 6)) == []


def test_layer_start_dates_are_local() -> None:
    rota = schedule(layer([A], start=date(2026, 2, 1), handoff="00:00"), timezone="Asia/Tokyo")
    assert on_call(rota, utc(2026, 1, 31, 14, 59, 59)).is_gap
    assert on_call(rota, utc(2026, 1, 31, 15)).user == A
