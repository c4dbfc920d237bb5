"""The message a user sees when something failed on our side."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from blocks.ids import BlockId


def failure_message(error_id: str) -> tuple[str, list[Block]]:
    text = f"Sorry, that didn't work because of a problem in OpsGuard (error id {error_id})."
    blocks: list[Block] = [
        SectionBlock(
            block_id=BlockId.ERROR,
            text=MarkdownTextObject(
                text=":warning: Sorry, that didn't work: OpsGuard ran into a problem on its "
                "side. Nothing was changed by the failed step; please try again."
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Error id `{error_id}`: give it to your OpsGuard admin so they can "
                    "find the details in the logs."
                )
            ]
        ),
    ]
    return text, blocks
