"""Confirmations, DMs, nudges, integration notes and refusals."""

from __future__ import annotations

from datetime import timedelta

from blocks.ids import ActionId, BlockId
from blocks.notices import (
    declared_confirmation,
    integration_note,
    nudge,
    refusal,
    role_dm,
    task_dm,
)
from bot.config import DEFAULT_ROLES
from tests.blocks.support import (
    COMMANDER,
    NASTY,
    block_with_id,
    buttons,
    dump,
    incident,
    message_ok,
    task,
)


def test_declared_confirmation_links_the_war_room() -> None:
    assert "<#C0WAR>" in dump(message_ok(declared_confirmation(incident(), channel_id="C0WAR")))
    raw = message_ok(declared_confirmation(incident(title=NASTY), channel_id=None))
    assert "<#" not in dump(raw)


def test_role_dm_explains_the_duties() -> None:
    scribe = DEFAULT_ROLES[1]
    text, blocks = role_dm(incident(), scribe, channel_id="C0WAR")
    dumped = dump(message_ok((text, blocks)))
    assert "Scribe" in text
    assert "Keeps the timeline" in dumped
    assert "<#C0WAR>" in dumped


def test_task_dm() -> None:
    dumped = dump(message_ok(task_dm(incident(), task(3, NASTY), channel_id="C0WAR")))
    assert "&lt;!channel&gt;" in dumped
    assert "<#C0WAR>" in dumped
    message_ok(task_dm(incident(), task(3, "x", assignee=None), channel_id=None))


def test_nudge_buttons() -> None:
    raw = message_ok(nudge(incident(), commander=COMMANDER, silent_for=timedelta(minutes=35)))
    assert buttons(raw) == [(ActionId.POST_UPDATE, "7"), (ActionId.SNOOZE, "7")]
    assert block_with_id(raw, BlockId.NUDGE_ACTIONS)["type"] == "actions"
    dumped = dump(raw)
    assert "35m" in dumped and f"<@{COMMANDER}>" in dumped
    message_ok(nudge(incident(), commander=None, silent_for=timedelta(hours=2)))


def test_integration_note_reads_as_one_sentence() -> None:
    text, _ = integration_note(
        "Conference bridge",
        "Couldn't create a Zoom meeting (Zoom answered 503)",
        instead="Using the Meet room instead.",
    )
    assert text == (
        "Conference bridge: Couldn't create a Zoom meeting (Zoom answered 503). "
        "Using the Meet room instead."
    )
    text, _ = integration_note("Couldn't update the topic", "Slack answered 429. Retrying shortly.")
    assert text == "Couldn't update the topic: Slack answered 429. Retrying shortly."
    message_ok(integration_note(NASTY, NASTY * 100, instead=NASTY))


def test_refusal_escapes_quoted_input() -> None:
    text, blocks = refusal("Unknown severity “<!channel>”. Valid severities: SEV1, SEV2.")
    message_ok((text, blocks))
    assert "&lt;!channel&gt;" in text
    message_ok(refusal("<" * 10_000))
