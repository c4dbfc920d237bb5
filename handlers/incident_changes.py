"""`/incident ack|status|update|sev|role|task|bridge|resolve|reopen` (and `page`, in
handlers/incident_page.py): parse, change, refresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.notices import refusal
from bot import commands
from bot.domain import lifecycle
from bot.domain.errors import DomainError
from bot.domain.lifecycle import Change
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change
from bot.slack_ops.war_room import recreate_bridge
from handlers import incident_page
from handlers.common import actor, incident_for

Subcommand = Callable[[AsyncAck, AsyncRespond, dict[str, Any], str], Awaitable[None]]
STATUS_WORDS = {s.value: s for s in lifecycle.SETTABLE}


class Usage(DomainError):
    """The words did not fit the subcommand's grammar."""


def handlers(ops: SlackOps) -> dict[str, Subcommand]:
    deps = ops.deps

    async def change(
        name: str, args: str, user: str, incident_id: int
    ) -> tuple[Change, str | None]:
        who = actor(ops, user)
        db, clock, config = deps.db, deps.clock, deps.config
        if name == "ack":
            return await lifecycle.acknowledge(db, clock, config, incident_id, who), "Acknowledged."
        if name == "status":
            word, _, message = args.partition(" ")
            if word.lower() not in STATUS_WORDS:
                raise Usage(f"Unknown status “{word}”. Valid: {', '.join(STATUS_WORDS)}.")
            status = STATUS_WORDS[word.lower()]
            done = await lifecycle.set_status(
                db, clock, config, incident_id, who, status, message.strip()
            )
            return done, message.strip() or f"Status is now {status.value}."
        if name == "update":
            return await lifecycle.post_update(db, clock, config, incident_id, who, args), args
        if name == "sev":
            level = args.strip().lower().removeprefix("sev")
            if not level.isdigit():
                raise Usage("Give the new severity as a number, e.g. `2`.")
            done = await lifecycle.set_severity(db, clock, config, incident_id, who, f"SEV{level}")
            return done, None
        if name == "role":
            role, _, rest = args.partition(" ")
            target = commands.mention(rest)
            if not role or target is None:
                raise Usage("Name a role and mention a person, e.g. `scribe @alice`.")
            return await lifecycle.assign_role(
                db, clock, config, incident_id, who, role, target
            ), None
        if name == "task":
            text, assignee = commands.split_trailing_mention(args)
            return await lifecycle.add_task(db, clock, incident_id, who, text, assignee), None
        if name == "resolve":
            done = await lifecycle.resolve(db, clock, config, incident_id, who, args)
            return done, args or "Resolved."
        if name == "reopen":
            return await lifecycle.reopen(db, clock, config, incident_id, who), "Reopened."
        raise Usage(f"Unknown subcommand “{name}”.")

    def subcommand(name: str) -> Subcommand:
        async def run(
            ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], args: str
        ) -> None:
            user = command["user_id"]
            spec = commands.find(name)
            assert spec is not None
            number, rest = commands.take_number(args)
            try:
                incident = await incident_for(
                    ops, number=number, channel_id=command.get("channel_id"), user_id=user
                )
                assert incident.id is not None
                if name == "bridge":
                    await lifecycle.check_can_change(deps.db, incident, actor(ops, user))
                    await ack(text="Creating a new bridge…", response_type="ephemeral")
                    bridge = await recreate_bridge(ops, incident.id, actor=user)
                    note = bridge.url or bridge.note or "No bridge is configured."
                    await respond(text=f"Bridge: {note}", response_type="ephemeral")
                    await after_change(ops, Change(incident), actor=user)
                    return
                done, update_text = await change(name, rest, user, incident.id)
            except DomainError as exc:
                hint = f" Usage: `{spec.usage}`" if isinstance(exc, Usage) else ""
                text, blocks = refusal(f"{exc}{hint}")
                await ack(text=text, blocks=blocks, response_type="ephemeral")
                return
            await ack()
            await after_change(ops, done, actor=user, update_text=update_text)

        return run

    names = ("ack", "status", "update", "sev", "role", "task", "bridge", "resolve", "reopen")
    return {name: subcommand(name) for name in names} | {"page": incident_page.subcommand(ops)}
