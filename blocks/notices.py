"""Short notices: confirmations, DMs to role holders and assignees, update nudges,
integration fallbacks and refusals."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import ActionId, BlockId
from blocks.text import (
    channel_link,
    duration_text,
    incident_ref,
    incident_value,
    mention,
    one_line,
    safe,
)
from bot.config import Role
from storage.models import Incident, IncidentTask


def declared_confirmation(incident: Incident, *, channel_id: str | None) -> tuple[str, list[Block]]:
    """The declarer's ephemeral: the incident exists, and where to go next."""
    name = _name(incident)
    where = (
        f"Join the war room: {channel_link(channel_id)}."
        if channel_id
        else "No war room was opened; updates go to the incident's card."
    )
    text = f"You declared {name}."
    return text, [
        SectionBlock(
            text=MarkdownTextObject(text=f":rotating_light: You declared *{name}*.\n{where}")
        )
    ]


def role_dm(incident: Incident, role: Role, *, channel_id: str | None) -> tuple[str, list[Block]]:
    """A DM to a new role holder, so they know the role is theirs and what it asks of them."""
    name = _name(incident)
    label = safe(one_line(role.label), 200)
    text = f"You are now the {label} for {name}."
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":wave: You are now the *{label}* for *{name}*.{_in_room(channel_id)}\n"
                f"{safe(role.description, 1500)}"
            )
        )
    ]
    return text, blocks


def task_dm(
    incident: Incident, task: IncidentTask, *, channel_id: str | None
) -> tuple[str, list[Block]]:
    """A DM to a task's assignee with the task text."""
    name = _name(incident)
    by = f" from {mention(task.created_by)}" if task.created_by else ""
    text = f"New task for you in {incident_ref(incident)}: {safe(one_line(task.text), 300)}"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":memo: A task for you{by} in *{name}*:\n>{safe(one_line(task.text), 2000)}"
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Mark it done from the command center"
                    + (f" in {channel_link(channel_id)}." if channel_id else ".")
                )
            ]
        ),
    ]
    return text, blocks


def nudge(
    incident: Incident, *, commander: str | None, silent_for: timedelta
) -> tuple[str, list[Block]]:
    """A reminder that an incident has gone quiet, with the two ways to answer it."""
    ref = incident_ref(incident)
    quiet = duration_text(silent_for)
    who = f"{mention(commander)}, " if commander else ""
    text = f"{ref} has had no update for {quiet}."
    value = incident_value(incident)
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":hourglass: *{_name(incident)}* has had no update for {quiet}. "
                f"{who}please post an update so stakeholders know where things stand."
            )
        ),
        ActionsBlock(
            block_id=BlockId.NUDGE_ACTIONS,
            elements=[
                ButtonElement(
                    text="Post update", action_id=ActionId.POST_UPDATE, value=value, style="primary"
                ),
                ButtonElement(text="Snooze 30 min", action_id=ActionId.SNOOZE, value=value),
            ],
        ),
    ]
    return text, blocks


def integration_note(what: str, why: str, *, instead: str = "") -> tuple[str, list[Block]]:
    """An integration failed and we carried on, as `<what>: <why>. <instead>`, e.g.
    `Conference bridge: Couldn't create a Zoom meeting (Zoom answered 503). Using the Meet
    room instead.` Every part is escaped: `why` may quote a remote API's answer."""
    parts = [f"{_sentence(what).rstrip('.')}: {_sentence(why)}", _sentence(instead)]
    text = safe(" ".join(p for p in parts if p), 2900)
    return text, [SectionBlock(text=MarkdownTextObject(text=f":warning: {text}"))]


def _sentence(text: str) -> str:
    """One line, ending in punctuation (empty stays empty)."""
    line = one_line(text)
    return line if not line or line[-1] in ".!?" else f"{line}."


def refusal(message: str) -> tuple[str, list[Block]]:
    """A domain refusal as an ephemeral. Our own words, but escaped: they can quote input."""
    text = safe(message, 2900)
    return text, [SectionBlock(text=MarkdownTextObject(text=f":no_entry_sign: {text}"))]


def notice(message: str) -> tuple[str, list[Block]]:
    """A plain private answer that is good news (e.g. a snooze), escaped like a refusal."""
    text = safe(message, 2900)
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


def _name(incident: Incident) -> str:
    return f"{incident_ref(incident)} · {safe(one_line(incident.title), 300)}"


def _in_room(channel_id: str | None) -> str:
    return f" The war room is {channel_link(channel_id)}." if channel_id else ""
