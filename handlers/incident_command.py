"""`/incident`: help, the declare form and `declare`; the other subcommands are routed on."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from blocks.declare import declare_modal
from blocks.help import help_message, usage_message
from blocks.notices import declared_confirmation, refusal
from bot import commands
from bot.domain import lifecycle
from bot.domain.errors import DomainError
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_declare
from handlers import incident_changes, postmortem_library, postmortem_modal, timeline_command
from storage.models import Incident


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    # The help text is static: render (and validate) it once, not on every request.
    help_text, help_blocks = help_message()
    help_dicts = [block.to_dict() for block in help_blocks]
    changes = incident_changes.handlers(ops) | {
        "timeline": timeline_command.subcommand(ops),
        "postmortem": postmortem_modal.subcommand(ops),
        "followups": postmortem_library.followups(ops),
    }

    async def incident_command(
        ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        parsed = commands.parse(command.get("text", ""))
        user = command["user_id"]
        if parsed.subcommand == "help":
            await ack(text=help_text, blocks=help_dicts, response_type="ephemeral")
        elif parsed.subcommand == "":
            await ack()
            view = declare_modal(ops.deps.config, commander=user)
            await client.views_open(trigger_id=command["trigger_id"], view=view)
        elif parsed.subcommand == "declare":
            await declare(ack, respond, parsed.args, user)
        elif parsed.subcommand in changes:
            await changes[parsed.subcommand](ack, respond, command, parsed.args)
        else:
            text, blocks = usage_message(parsed.subcommand, commands.INCIDENT_SUBCOMMANDS)
            await ack(text=text, blocks=blocks, response_type="ephemeral")

    async def declare(ack: AsyncAck, respond: AsyncRespond, args: str, user: str) -> None:
        parsed = commands.parse_declare(args)
        usage = commands.find("declare")
        assert usage is not None
        if not parsed.title:
            text, blocks = refusal(f"An incident needs a title. Usage: `{usage.usage}`")
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        try:
            incident = await lifecycle.declare(
                ops.deps.db,
                ops.deps.clock,
                ops.deps.config,
                title=parsed.title,
                declared_by=user,
                severity=parsed.severity or "SEV3",
                service=parsed.service,
                private=parsed.private,
            )
        except DomainError as exc:
            text, blocks = refusal(f"{exc} Usage: `{usage.usage}`")
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        await ack(text=f"Declaring INC-{incident.number}…", response_type="ephemeral")
        await announce_declared(ops, respond, incident, user)

    registry.command(commands.INCIDENT_COMMAND, incident_command, name="incident_command")


async def announce_declared(
    ops: SlackOps, respond: AsyncRespond | None, incident: Incident, user: str
) -> None:
    """Set the incident up in Slack, then tell the declarer where it lives."""
    room = await after_declare(ops, incident, actor=user)
    messages = [declared_confirmation(incident, channel_id=room.channel_id if room else None)]
    if room is not None and room.problem:
        messages.append(
            refusal(
                f"The war room could not be created ({room.problem}). "
                "Use “Open war room” on the announcement card to try again."
            )
        )
    for text, blocks in messages:
        if respond is not None and respond.response_url:
            await respond(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
        else:
            await ops.client.chat_postMessage(channel=user, text=text, blocks=blocks)
