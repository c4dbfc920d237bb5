"""The App Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, HeaderBlock, MarkdownTextObject, SectionBlock
from slack_sdk.models.views import View

from blocks.ids import BlockId
from blocks.text import command_list
from bot.commands import INCIDENT_SUBCOMMANDS
from bot.mrkdwn import escape


def home_view(display_name: str, tz: str) -> View:
    blocks: list[Block] = [
        HeaderBlock(text="OpsGuard"),
        SectionBlock(
            block_id=BlockId.HOME_INTRO,
            text=MarkdownTextObject(
                text=f"Hi {escape(display_name)}. Times are shown in your timezone "
                f"({escape(tz)})."
            ),
        ),
        SectionBlock(
            block_id=BlockId.HOME_COMMANDS,
            text=MarkdownTextObject(text=command_list(INCIDENT_SUBCOMMANDS)),
        ),
    ]
    return View(type="home", blocks=blocks)
