"""Long answers stay inside Slack's limits: 3000 characters a section, a capped list."""

from __future__ import annotations

from datetime import timedelta

from blocks.oncall import MAX_LINES, detail_message, home_on_call
from bot.domain.oncall import Schedule, Shift
from bot.domain.oncall.board import MyShifts, view
from bot.domain.oncall.resolve import Source, SourceKind
from tests.oncall_slack.conftest import START, token

USERS = ["U0AAAAAAA", "U0BBBBBBB", "U0CCCCCCC"]


def texts(blocks: list) -> list[str]:
    return [b.to_dict()["text"]["text"] for b in blocks if b.to_dict()["type"] == "section"]


def test_an_hourly_rotation_lists_sixty_shifts_then_says_how_many_more() -> None:
    schedule = Schedule.model_validate(
        {
            "name": "hourly",
            "timezone": "UTC",
            "layers": [
                {
                    "users": USERS,
                    "rotation": {"hours": 1},
                    "handoff": "00:00",
                    "start": "2026-11-01",
                }
            ],
        }
    )
    _, blocks = detail_message(view(schedule, START))
    sections = texts(blocks)
    assert all(len(text) <= 3000 for text in sections)
    lines = "\n".join(sections).splitlines()
    listed = [line for line in lines if line.startswith("<!date^")]
    assert len(listed) == MAX_LINES  # 7 x 24 = 168 one-hour shifts in the week
    assert listed[0] == f"{token(START)} – {token(START + timedelta(hours=1))} · <@{USERS[0]}>"
    assert lines[-1] == f"…and {7 * 24 - MAX_LINES} more lines"


def test_the_home_shows_ten_schedules_then_says_how_many_more() -> None:
    mine = [
        MyShifts(
            f"s{i}",
            None,
            False,
            Shift(USERS[0], START, START + timedelta(days=1), Source(SourceKind.LAYER, 0)),
        )
        for i in range(15)
    ]
    sections = texts(home_on_call(mine))
    assert all(len(text) <= 3000 for text in sections)
    lines = "\n".join(sections).splitlines()
    assert len(lines) == 11
    assert lines[-1] == "…and 5 more schedules"
