"""The command center: facts, roles, timeline, tasks and the buttons that drive them."""

from __future__ import annotations

from datetime import timedelta

from pydantic import HttpUrl

from blocks.command_center import command_center
from blocks.ids import ActionId, BlockId
from bot.config import OpsConfig, Role, Service
from tests.blocks.support import (
    ASSIGNEE,
    COMMANDER,
    DETECTED,
    NASTY,
    NOW,
    SCRIBE,
    block_with_id,
    buttons,
    dump,
    entry,
    incident,
    message_ok,
    snapshot,
    task,
)

CONFIG = OpsConfig(
    services=(Service(name="checkout", runbook_url=HttpUrl("https://wiki.example.com/checkout")),)
)


def test_open_incident() -> None:
    snap = snapshot(
        roles={"commander": COMMANDER, "scribe": SCRIBE},
        tasks=[task(31), task(32, "Page the DBA", assignee=None)],
        recent=[
            entry("declared", "Declared SEV1 “Checkout returns 5xx”"),
            entry("role", f"scribe: <@{SCRIBE}>", minutes=2),
            entry("update", "Rolled back v42", minutes=20),
        ],
    )
    text, blocks = command_center(snap, CONFIG, now=NOW)
    raw = message_ok((text, blocks))
    dumped = dump(raw)
    assert raw[0]["type"] == "header"
    assert raw[0]["text"]["text"] == "INC-12 · Checkout returns 5xx"
    assert text.startswith("INC-12 · SEV1 · Critical · Triggered")
    fields = " ".join(f["text"] for f in raw[1]["fields"])
    for fact in ("SEV1 · Critical", "Triggered", "1h 05m", "checkout", "wiki.example.com"):
        assert fact in fields
    assert "<https://zoom.us/j/123?pwd=a&amp;b=c|Join the call>" in dumped
    assert f"<@{SCRIBE}>" in dumped  # the role entry's mention is rendered
    assert buttons(raw) == [
        (ActionId.TAKE_ROLE, "7:liaison"),
        (ActionId.TAKE_ROLE, "7:tech_lead"),
        (ActionId.COMPLETE_TASK, "31"),
        (ActionId.COMPLETE_TASK, "32"),
        (ActionId.ACKNOWLEDGE, "7"),
        (ActionId.UPDATE_STATUS, "7"),
        (ActionId.ASSIGN_ROLE, "7"),
        (ActionId.ADD_TASK, "7"),
        (ActionId.OPEN_TIMELINE, "7"),
        (ActionId.RESOLVE, "7"),
    ]
    assert block_with_id(raw, BlockId.COMMAND_CENTER_ACTIONS)["type"] == "actions"
    assert f"<@{ASSIGNEE}>" in dumped
    assert "I'll take Communications liaison" in dumped


def test_acknowledge_only_while_triggered() -> None:
    snap = snapshot(incident(status="investigating"))
    actions = [a for a, _ in buttons(message_ok(command_center(snap, CONFIG, now=NOW)))]
    assert ActionId.ACKNOWLEDGE not in actions
    assert ActionId.RESOLVE in actions


def test_resolved_shows_the_outcome_and_only_the_follow_up_actions() -> None:
    inc = incident(
        status="resolved",
        resolved_at=DETECTED + timedelta(hours=2, minutes=10),
        resolution_summary="Bad deploy <!channel>; rolled back",
        conference_url=None,
    )
    raw = message_ok(command_center(snapshot(inc), CONFIG, now=NOW + timedelta(days=1)))
    dumped = dump(raw)
    assert "Resolved after 2h 10m" in dumped
    assert "Bad deploy &lt;!channel&gt;; rolled back" in dumped
    assert buttons(raw) == [(ActionId.OPEN_POSTMORTEM, "7"), (ActionId.OPEN_TIMELINE, "7")]
    assert "Join the call" not in dumped


def test_caps_hold_with_200_tasks_and_200_roles() -> None:
    roles = (
        Role(id="commander", label="Commander", description="Leads"),
        *(Role(id=f"role{i}", label="R" * 100, description=NASTY * 20) for i in range(200)),
    )
    tasks = [task(i, NASTY * 40) for i in range(200)]
    recent = [entry("update", NASTY * 200, minutes=i) for i in range(5)]
    inc = incident(title=NASTY * 3, description=NASTY * 100)
    raw = message_ok(
        command_center(snapshot(inc, tasks=tasks, recent=recent), OpsConfig(roles=roles), now=NOW)
    )
    assert len(raw) <= 50
    assert "…and 185 more tasks" in dump(raw)
    assert all(len(v or "") <= 2000 for _, v in buttons(raw))


def test_no_tasks_no_timeline_say_so() -> None:
    dumped = dump(message_ok(command_center(snapshot(), CONFIG, now=NOW)))
    assert "_None._" in dumped
    assert "Nothing recorded yet" in dumped
