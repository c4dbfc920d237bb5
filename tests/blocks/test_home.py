"""The App Home view."""

from __future__ import annotations

from blocks.home import home_view
from blocks.ids import ActionId, BlockId
from bot.config import OpsConfig
from bot.domain.snapshot import HomeData
from tests.blocks.support import NASTY, NOW, buttons, dump, incident, task, view_ok

CONFIG = OpsConfig()


def test_sections_and_buttons() -> None:
    mine = incident(channel_id="C0WAR")
    other = incident(id=8, number=13, title="Search is slow", severity="SEV3")
    data = HomeData(
        mine=[(mine, ["commander", "scribe"])], others=[other], my_tasks=[(mine, task(31))]
    )
    raw = view_ok(
        home_view(user_name="Alice", tz="Europe/Paris", data=data, config=CONFIG, now=NOW), "home"
    )
    dumped = dump(raw)
    for fact in (
        "Hi Alice",
        "Europe/Paris",
        "Your roles: Incident commander, Scribe",
        "<#C0WAR>",
        "INC-13 · Search is slow",
        "Roll back v42",
        "/incident help",
    ):
        assert fact in dumped
    assert buttons(raw) == [(ActionId.DECLARE, None), (ActionId.COMPLETE_TASK, "31")]
    assert {b.get("block_id") for b in raw["blocks"]} >= {BlockId.HOME_INTRO, BlockId.HOME_COMMANDS}


def test_empty_sections_say_so() -> None:
    raw = view_ok(
        home_view(user_name=NASTY, tz="UTC", data=HomeData([], [], []), config=CONFIG, now=NOW),
        "home",
    )
    dumped = dump(raw)
    assert "not part of any open incident" in dumped
    assert "No other open incidents" in dumped
    assert "no open tasks" in dumped
    assert "<!channel>" not in dumped


def test_participant_without_roles() -> None:
    data = HomeData(mine=[(incident(), [])], others=[], my_tasks=[])
    raw = view_ok(home_view(user_name="A", tz="UTC", data=data, config=CONFIG, now=NOW), "home")
    assert "You are a participant." in dump(raw)


def test_caps_hold_with_200_of_everything() -> None:
    incidents = [incident(id=i, number=i, title=NASTY * 3) for i in range(1, 201)]
    data = HomeData(
        mine=[(i, ["commander"]) for i in incidents],
        others=incidents,
        my_tasks=[(i, task(n, NASTY * 50)) for n, i in enumerate(incidents)],
    )
    raw = view_ok(home_view(user_name="A", tz="UTC", data=data, config=CONFIG, now=NOW), "home")
    assert len(raw["blocks"]) <= 100
    dumped = dump(raw)
    assert "…and 175 more incidents" in dumped and "…and 175 more tasks" in dumped
