"""The `/incident help` answer."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import BlockId
from blocks.text import command_list
from bot.commands import INCIDENT_COMMAND, INCIDENT_SUBCOMMANDS, Subcommand
from bot.mrkdwn import escape


def help_message() -> tuple[str, list[Block]]:
    """Fallback text and blocks listing every `/incident` subcommand."""
    text = f"OpsGuard commands: {', '.join(sub.usage for sub in INCIDENT_SUBCOMMANDS)}"
    blocks: list[Block] = [
        HeaderBlock(text="OpsGuard commands"),
        SectionBlock(
            block_id=BlockId.HELP_COMMANDS,
            text=MarkdownTextObject(text=command_list(INCIDENT_SUBCOMMANDS)),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Run `{INCIDENT_COMMAND}` commands in a war room or any channel; "
                    "you can also DM me `help`. `/oncall` shows who is on call."
                )
            ]
        ),
    ]
    return text, blocks


def usage_message(given: str, known: tuple[Subcommand, ...]) -> tuple[str, list[Block]]:
    """What an unknown subcommand gets: what was not understood, then the valid ones."""
    text = f"Unknown subcommand “{escape(given)}”. Try `{INCIDENT_COMMAND} help`."
    blocks: list[Block] = [
        SectionBlock(
            block_id=BlockId.USAGE,
            text=MarkdownTextObject(
                text=f"I don't know `{escape(given)}`. These are the commands:\n\n"
                + command_list(known)
            ),
        )
    ]
    return text, blocks
