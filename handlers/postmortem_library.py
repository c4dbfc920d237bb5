"""`/postmortem list|show` and `/incident followups`: reading what postmortems left behind."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.notices import refusal
from blocks.postmortem_library import (
    followups_message,
    postmortem_help,
    postmortem_list,
    postmortem_shown,
)
from bot import commands, links
from bot.domain.errors import DomainError
from bot.domain.postmortem import library
from bot.domain.postmortem.action_items import open_followups
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from handlers.common import actor
from storage.models import PostmortemStatus


def followups(ops: SlackOps) -> Any:
    """`/incident followups [@owner] [service]`, words in either order."""
    deps = ops.deps
    usage = commands.find("followups")
    assert usage is not None

    async def run(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], args: str) -> None:
        owner = service = None
        for word in args.split():
            if (user := commands.mention(word)) is not None and owner is None:
                owner = user
            elif deps.config.service(word.lower()) is not None and service is None:
                service = word.lower()
            else:
                text, blocks = refusal(f"“{word}” is not a person or a service. `{usage.usage}`")
                await ack(text=text, blocks=blocks, response_type="ephemeral")
                return
        async with deps.db.session() as session:
            found = await open_followups(session, owner, service, viewer=command["user_id"])
        today = deps.clock.now().date()
        text, blocks = followups_message(found, owner, service, today)
        await ack(text=text, blocks=blocks, response_type="ephemeral")

    return run


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    def urls(number: int) -> tuple[str, str]:
        return links.postmortem_links(deps.settings, number, deps.clock.now())

    async def postmortem_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        head, _, rest = command.get("text", "").strip().partition(" ")
        head, rest = head.lower(), rest.strip()
        viewer = actor(ops, command["user_id"])
        if head == "list":
            service = rest.lower() or None
            entries = await library.recent(deps.db, viewer, service=service)
            message = postmortem_list(entries, [urls(e.incident.number) for e in entries], service)
        elif head == "show" and rest.lstrip("#").removeprefix("INC-").isdigit():
            number = int(rest.lstrip("#").removeprefix("INC-"))
            try:
                shown = await library.show(deps.db, viewer, number)
            except DomainError as exc:
                message = refusal(str(exc))
            else:
                published = shown.postmortem.status == PostmortemStatus.PUBLISHED
                html, pdf = urls(number) if published else (None, None)
                message = postmortem_shown(shown, html, pdf)
        else:
            message = postmortem_help()
        text, blocks = message
        await ack(text=text, blocks=blocks, response_type="ephemeral")

    registry.command(commands.POSTMORTEM_COMMAND, postmortem_command, name="postmortem_command")
