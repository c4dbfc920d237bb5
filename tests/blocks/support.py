"""Builders' test helpers: model factories and the checks every message and view must pass."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domain.snapshot import Snapshot
from fakes.slack.blockkit import check_message_blocks, check_view
from storage.models import Incident, IncidentStatus, IncidentTask, TimelineEntry

NOW = datetime(2024, 11, 23, 14, 0, tzinfo=UTC)
DETECTED = NOW - timedelta(hours=1, minutes=5)
COMMANDER = "U0COMMAND"
SCRIBE = "U0SCRIBE"
ASSIGNEE = "U0ASSIGN"
KNOWN_USERS = frozenset({COMMANDER, SCRIBE, ASSIGNEE})
NASTY = "<!channel> <@U999> & <https://evil.example|click> <!here> &amp; > <#C666>"

# Tokens our builders create on purpose; anything else in mrkdwn with `<` or `>` came from
# user text that was not escaped.
_OURS = re.compile(
    r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[0-9T:+-]+>"
    r"|<@(?P<user>[UW][A-Z0-9]+)>"
    r"|<#[CGD][A-Z0-9]+>"
    r"|<https?://[^<>|\s]+\|[^<>]*>"
)


def incident(**overrides: Any) -> Incident:
    """A stored-looking incident, 1h 05m old, triggered, with a conference link."""
    values: dict[str, Any] = {
        "id": 7,
        "number": 12,
        "title": "Checkout returns 5xx",
        "description": "Payments fail for ~30% of users",
        "severity": "SEV1",
        "status": IncidentStatus.TRIGGERED.value,
        "service": "checkout",
        "declared_by": COMMANDER,
        "conference_url": "https://zoom.us/j/123?pwd=a&b=c",
        "created_at": DETECTED,
        "updated_at": DETECTED,
        "detected_at": DETECTED,
        "last_update_at": DETECTED + timedelta(minutes=20),
        "last_update_text": "Rolled back v42; error rate dropping",
    }
    values.update(overrides)
    return Incident(**values)


def task(
    task_id: int, text: str = "Roll back v42", assignee: str | None = ASSIGNEE
) -> IncidentTask:
    return IncidentTask(
        id=task_id,
        incident_id=7,
        text=text,
        assignee=assignee,
        created_by=COMMANDER,
        created_at=DETECTED,
    )


def entry(
    kind: str, text: str, *, actor: str | None = COMMANDER, minutes: int = 0
) -> TimelineEntry:
    return TimelineEntry(
        id=minutes + 1,
        incident_id=7,
        kind=kind,
        occurred_at=DETECTED + timedelta(minutes=minutes),
        actor=actor,
        text=text,
        created_at=DETECTED,
    )


def snapshot(
    inc: Incident | None = None,
    *,
    roles: dict[str, str] | None = None,
    tasks: Sequence[IncidentTask] = (),
    recent: Sequence[TimelineEntry] = (),
) -> Snapshot:
    return Snapshot(
        incident=inc or incident(),
        roles={"commander": COMMANDER} if roles is None else roles,
        open_tasks=list(tasks),
        recent=list(recent),
        members=sorted(KNOWN_USERS),
    )


def message_ok(built: tuple[str, list[Block]]) -> list[dict[str, Any]]:
    """Valid for slack-sdk and the fake Slack; fallback and mrkdwn free of stray tokens."""
    text, blocks = built
    raw = [block.to_dict() for block in blocks]
    check_message_blocks(json.loads(json.dumps(raw)))
    assert text.strip()
    assert_safe_mrkdwn(text)
    for mrkdwn in mrkdwn_texts(raw):
        assert_safe_mrkdwn(mrkdwn)
    return raw


def view_ok(view: View, kind: str) -> dict[str, Any]:
    view.validate_json()
    raw = view.to_dict()
    check_view(json.loads(json.dumps(raw)), (kind,))
    for mrkdwn in mrkdwn_texts(raw):
        assert_safe_mrkdwn(mrkdwn)
    return raw


def mrkdwn_texts(node: Any) -> Iterator[str]:
    """Every mrkdwn text object's text. plain_text is not parsed by Slack (no mentions, no
    links), so user text there is shown as typed and is not checked."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def assert_safe_mrkdwn(text: str) -> None:
    """Only our own tokens may use `<`; `>` may only start a block-quote line."""
    for match in _OURS.finditer(text):
        user = match.group("user")
        assert user is None or user in KNOWN_USERS, f"mention of {user} from user text: {text!r}"
    rest = _OURS.sub("", text)
    assert "<" not in rest, f"unescaped '<' in {text!r}"
    for line in rest.split("\n"):
        assert ">" not in line.removeprefix(">"), f"unescaped '>' in {text!r}"


def buttons(raw: list[dict[str, Any]] | dict[str, Any]) -> list[tuple[str, str | None]]:
    """(action_id, value) of every button, in order."""
    found: list[tuple[str, str | None]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append((node["action_id"], node.get("value")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(raw)
    return found


def block_with_id(raw: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(b for b in raw if b.get("block_id") == block_id)


def dump(raw: Any) -> str:
    """JSON as Slack receives it, with `·` and `…` left readable for assertions."""
    return json.dumps(raw, ensure_ascii=False)
