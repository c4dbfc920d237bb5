"""The stakeholder digest."""

from __future__ import annotations

from blocks.digest import stakeholder_digest
from bot.config import OpsConfig
from tests.blocks.support import COMMANDER, NASTY, NOW, dump, incident, message_ok, snapshot

CONFIG = OpsConfig()


def test_each_open_incident_is_listed() -> None:
    items = [
        snapshot(incident(channel_id="C0WAR")),
        snapshot(incident(id=8, number=13, severity="SEV2", status="monitoring"), roles={}),
    ]
    text, blocks = stakeholder_digest(items, CONFIG, now=NOW)
    dumped = dump(message_ok((text, blocks)))
    assert "2 open incidents" in text
    for fact in (
        "INC-12",
        "SEV1 · Critical",
        "Triggered",
        "1h 05m",
        f"<@{COMMANDER}>",
        "Rolled back v42",
        "<#C0WAR>",
        "INC-13",
        "SEV2 · Major",
        "Monitoring",
        "no commander",
    ):
        assert fact in dumped


def test_private_incidents_keep_their_details_to_themselves() -> None:
    secret = incident(private=True, title="Secret merger leak", last_update_text="CFO knows")
    dumped = dump(message_ok(stakeholder_digest([snapshot(secret)], CONFIG, now=NOW)))
    assert "Secret merger" not in dumped and "CFO" not in dumped
    assert "INC-12" in dumped


def test_empty_digest_says_so() -> None:
    text, blocks = stakeholder_digest([], CONFIG, now=NOW)
    message_ok((text, blocks))
    assert "No open incidents" in text


def test_200_incidents_fit_in_one_message() -> None:
    items = [
        snapshot(incident(id=i, number=i, title=NASTY * 3, last_update_text=NASTY * 100))
        for i in range(1, 201)
    ]
    raw = message_ok(stakeholder_digest(items, CONFIG, now=NOW))
    assert len(raw) <= 50
    assert "…and 155 more incidents" in dump(raw)
