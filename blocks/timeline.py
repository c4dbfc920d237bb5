"""The timeline modal: every entry, a page at a time, each with hide/show/delete."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from blocks.ids import ActionId, BlockId, CallbackId
from blocks.text import clip, incident_ref, link, one_line, safe, timeline_line
from bot.domain.timeline import TimelinePage
from storage.models import Incident, TimelineEntry

TITLE_LIMIT = 24


def timeline_modal(incident: Incident, page: TimelinePage) -> View:
    """private_metadata: `{"incident_id": …, "page": …}`, so the menu and the pager know
    where they are without reading anything back from Slack."""
    assert incident.id is not None
    blocks: list[Block] = []
    if not page.entries:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="_Nothing recorded yet._")))
    blocks += [_entry(entry) for entry in page.entries]
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Page {page.page + 1} of {page.pages} · {page.total} entries · "
                    "📌 a message in the war room to add it"
                )
            ]
        )
    )
    pager: list[ButtonElement] = []
    if page.page > 0:
        pager.append(_page_button("← Earlier", page.page - 1))
    if page.page + 1 < page.pages:
        pager.append(_page_button("Later →", page.page + 1))
    if pager:
        blocks.append(ActionsBlock(block_id=BlockId.TIMELINE_NAV, elements=pager))
    return View(
        type="modal",
        callback_id=CallbackId.TIMELINE_MODAL,
        title=clip(f"{incident_ref(incident)} timeline", TITLE_LIMIT),
        close="Close",
        private_metadata=json.dumps({"incident_id": incident.id, "page": page.page}),
        blocks=blocks,
    )


def pick_incident_modal(incidents: list[Incident], message: dict[str, str], preview: str) -> View:
    """The message shortcut outside a war room: which incident should get this message?"""
    options = [
        Option(value=str(i.id), label=clip(f"{incident_ref(i)} {one_line(i.title)}", 75))
        for i in incidents[:100]
    ]
    return View(
        type="modal",
        callback_id=CallbackId.TIMELINE_PICK_MODAL,
        title="Add to timeline",
        submit="Add",
        close="Cancel",
        private_metadata=json.dumps(message),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f">{safe(preview, 500)}")),
            InputBlock(
                block_id=BlockId.TIMELINE_PICK_INCIDENT,
                label="Incident",
                element=StaticSelectElement(
                    action_id=BlockId.TIMELINE_PICK_INCIDENT,
                    placeholder="Choose an open incident",
                    options=options,
                ),
            ),
        ],
    )


def _entry(entry: TimelineEntry) -> SectionBlock:
    text = timeline_line(entry)
    if entry.files:
        text += "\n:paperclip: " + safe(", ".join(entry.files), 300)
    if entry.source_url:
        text += f" · {link(entry.source_url, 'source')}"
    if entry.hidden:
        text = f"~{text}~ _(hidden from the report)_"
    assert entry.id is not None
    toggle = ("show", "Show in report") if entry.hidden else ("hide", "Hide from report")
    return SectionBlock(
        block_id=f"{BlockId.TIMELINE_ENTRY}:{entry.id}",
        text=MarkdownTextObject(text=clip(text, 3000)),
        accessory=OverflowMenuElement(
            action_id=ActionId.TIMELINE_ENTRY_MENU,
            options=[
                Option(value=f"{toggle[0]}:{entry.id}", label=toggle[1]),
                Option(value=f"delete:{entry.id}", label="Delete"),
            ],
        ),
    )


def _page_button(label: str, page: int) -> ButtonElement:
    return ButtonElement(text=label, action_id=ActionId.TIMELINE_PAGE, value=str(page))
