"""The announcement card, a status update post and the resolution summary."""

from __future__ import annotations

from datetime import timedelta

from blocks.card import announcement_card, resolution_summary, status_update_post
from blocks.ids import ActionId, BlockId
from bot.config import OpsConfig
from tests.blocks.support import (
    COMMANDER,
    DETECTED,
    NASTY,
    NOW,
    block_with_id,
    buttons,
    dump,
    incident,
    message_ok,
    snapshot,
)

CONFIG = OpsConfig()


def test_card_with_war_room() -> None:
    raw = message_ok(
        announcement_card(snapshot(), CONFIG, now=NOW, channel_id="C0WAR", can_open_war_room=True)
    )
    dumped = dump(raw)
    for fact in (
        "SEV1 · Critical",
        "Triggered",
        "Checkout returns 5xx",
        "checkout",
        f"<@{COMMANDER}>",
        "Rolled back v42",
        "1h 05m",
        "<#C0WAR>",
    ):
        assert fact in dumped
    assert buttons(raw) == []


def test_card_offers_a_war_room_only_when_allowed() -> None:
    raw = message_ok(
        announcement_card(snapshot(), CONFIG, now=NOW, channel_id=None, can_open_war_room=True)
    )
    assert buttons(raw) == [(ActionId.OPEN_WAR_ROOM, "7")]
    assert block_with_id(raw, BlockId.CARD_ACTIONS)["type"] == "actions"
    raw = message_ok(
        announcement_card(snapshot(), CONFIG, now=NOW, channel_id=None, can_open_war_room=False)
    )
    assert buttons(raw) == []


def test_resolved_card() -> None:
    inc = incident(status="resolved", resolved_at=DETECTED + timedelta(minutes=50))
    raw = message_ok(
        announcement_card(snapshot(inc), CONFIG, now=NOW, channel_id=None, can_open_war_room=True)
    )
    assert "Resolved after 50m" in dump(raw)
    assert buttons(raw) == []


def test_status_update_post_quotes_the_text() -> None:
    text, blocks = status_update_post(incident(), actor=COMMANDER, text=f"line one\n{NASTY}")
    raw = message_ok((text, blocks))
    section = raw[0]["text"]["text"]
    assert f"<@{COMMANDER}>" in section
    assert "\n>line one\n>&lt;!channel&gt;" in section
    assert "INC-12" in text


def test_status_update_post_long_text_fits() -> None:
    message_ok(status_update_post(incident(), actor=COMMANDER, text="<" * 10_000))
    message_ok(status_update_post(incident(), actor=COMMANDER, text="\n".join("x" * 3000)))
    message_ok(status_update_post(incident(), actor=COMMANDER, text="  "))


def test_resolution_summary_milestones() -> None:
    inc = incident(
        status="resolved",
        acknowledged_at=DETECTED + timedelta(minutes=4),
        mitigated_at=DETECTED + timedelta(minutes=45),
        resolved_at=DETECTED + timedelta(hours=2, minutes=10),
        resolution_summary="Bad deploy; rolled back.",
    )
    text, blocks = resolution_summary(snapshot(inc), CONFIG, now=NOW + timedelta(hours=5))
    raw = message_ok((text, blocks))
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in raw[1]["fields"]}
    assert fields["*Time to acknowledge*"] == "4m"
    assert fields["*Time to mitigate*"] == "45m"
    assert fields["*Time to resolve*"] == "2h 10m"
    assert "Resolved after 2h 10m" in raw[1]["text"]["text"]
    assert "Bad deploy; rolled back." in dump(raw)
    assert "resolved after 2h 10m" in text


def test_resolution_summary_missing_milestones() -> None:
    inc = incident(status="resolved", resolved_at=DETECTED + timedelta(minutes=30))
    raw = message_ok(resolution_summary(snapshot(inc), CONFIG, now=NOW))
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in raw[1]["fields"]}
    assert fields["*Time to acknowledge*"] == "—"
    assert "No summary was given" in dump(raw)
