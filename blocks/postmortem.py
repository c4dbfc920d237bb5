"""The postmortem form: the analysis fields, five whys and a growing list of action items.

Adding or removing an item redraws the form from what was typed so far (`PostmortemForm`),
so nothing entered is lost. Each item row is a text input plus an actions block holding its
owner, due date and a remove button.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from blocks.ids import ActionId, BlockId, CallbackId
from blocks.text import clip, incident_ref, link, safe
from bot.domain.postmortem.action_items import ItemInput
from bot.domain.postmortem.drafts import WHYS, Draft, DraftFields
from storage.models import ActionItem, Incident, PostmortemStatus

FIELD_MAX = 3000
ITEM_MAX = 255  # a Jira summary
MAX_ITEMS = 20  # 2 blocks each, within a modal's 100
TITLE_LIMIT = 24


@dataclass
class ItemRow:
    key: str  # "i<id>" for a stored item, "n<counter>" for a new one
    text: str = ""
    owner: str | None = None
    due: date | None = None
    jira_key: str | None = None
    jira_url: str | None = None


@dataclass
class PostmortemForm:
    incident_id: int
    fields: DraftFields
    items: list[ItemRow] = field(default_factory=list)
    next_key: int = 0
    published: bool = False

    def item_inputs(self) -> list[ItemInput]:
        return [
            ItemInput(
                text=row.text,
                owner=row.owner,
                due_date=row.due,
                id=int(row.key[1:]) if row.key.startswith("i") else None,
            )
            for row in self.items
        ]

    def add_row(self) -> None:
        if len(self.items) < MAX_ITEMS:
            self.items.append(ItemRow(key=f"n{self.next_key}"))
            self.next_key += 1


def form_from_draft(draft: Draft) -> PostmortemForm:
    pm = draft.postmortem
    assert draft.incident.id is not None
    form = PostmortemForm(
        incident_id=draft.incident.id,
        fields=DraftFields(
            summary=pm.summary,
            impact=pm.impact,
            users_affected=pm.users_affected,
            whys=tuple(pm.whys),
            contributing_factors=pm.contributing_factors,
            went_well=pm.went_well,
            went_poorly=pm.went_poorly,
        ),
        items=[_row(item) for item in draft.items],
        published=pm.status == PostmortemStatus.PUBLISHED,
    )
    for suggestion in draft.suggested[:MAX_ITEMS]:
        form.add_row()
        form.items[-1].text, form.items[-1].owner = suggestion.text, suggestion.owner
    if not form.items:
        form.add_row()
    return form


def postmortem_modal(incident: Incident, form: PostmortemForm) -> View:
    f = form.fields
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{safe(incident.title, 300)}*\nThe timeline, durations and likely "
                "trigger are filled in from the incident when the report is rendered."
            )
        ),
        _text(BlockId.PM_SUMMARY, "Summary", f.summary, multiline=True),
        _text(BlockId.PM_IMPACT, "Customer impact", f.impact, multiline=True, optional=True),
        _text(BlockId.PM_USERS_AFFECTED, "Users affected", f.users_affected, optional=True),
        HeaderBlock(text="Root cause: five whys"),
    ]
    for n in range(WHYS):
        value = f.whys[n] if n < len(f.whys) else ""
        blocks.append(_text(f"{BlockId.PM_WHY}:{n}", f"Why? ({n + 1})", value, optional=n > 0))
    blocks += [
        _text(
            BlockId.PM_CONTRIBUTING,
            "Contributing factors",
            f.contributing_factors,
            multiline=True,
            optional=True,
        ),
        _text(BlockId.PM_WENT_WELL, "What went well", f.went_well, multiline=True, optional=True),
        _text(
            BlockId.PM_WENT_POORLY, "What went poorly", f.went_poorly, multiline=True, optional=True
        ),
        HeaderBlock(text="Action items"),
    ]
    for number, row in enumerate(form.items, start=1):
        blocks += _item(number, row)
    if len(form.items) < MAX_ITEMS:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.PM_ITEMS_ADD,
                elements=[ButtonElement(text="Add an action item", action_id=ActionId.PM_ADD_ITEM)],
            )
        )
    blocks += [
        DividerBlock(),
        InputBlock(
            block_id=BlockId.PM_PUBLISH,
            label="Publish",
            optional=True,
            element=CheckboxesElement(
                action_id=BlockId.PM_PUBLISH,
                options=[
                    Option(
                        value="publish",
                        label="Publish now",
                        description="Post it to the war room, file the action items in Jira "
                        "and close the incident.",
                    )
                ],
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CallbackId.POSTMORTEM_MODAL,
        title=clip(f"{incident_ref(incident)} postmortem", TITLE_LIMIT),
        submit="Save" if not form.published else "Save and republish",
        close="Cancel",
        private_metadata=json.dumps(
            {
                "incident_id": form.incident_id,
                "items": [row.key for row in form.items],
                "next": form.next_key,
                "jira": {r.key: [r.jira_key, r.jira_url] for r in form.items if r.jira_key},
            }
        ),
        blocks=blocks,
    )


def _row(item: ActionItem) -> ItemRow:
    return ItemRow(
        key=f"i{item.id}",
        text=item.text,
        owner=item.owner,
        due=item.due_date,
        jira_key=item.jira_key,
        jira_url=item.jira_url,
    )


def _item(number: int, row: ItemRow) -> list[Block]:
    if row.jira_key:  # filed: Jira holds it now
        where = link(row.jira_url, row.jira_key) if row.jira_url else safe(row.jira_key)
        return [
            SectionBlock(
                text=MarkdownTextObject(text=f"*{number}.* {safe(row.text, 500)} · {where}")
            )
        ]
    remove = ButtonElement(text="Remove", action_id=ActionId.PM_REMOVE_ITEM, value=row.key)
    return [
        _text(
            f"{BlockId.PM_ITEM_TEXT}:{row.key}",
            f"Action item {number}",
            row.text,
            limit=ITEM_MAX,
            optional=True,
        ),
        ActionsBlock(
            block_id=f"{BlockId.PM_ITEM_META}:{row.key}",
            elements=[
                UserSelectElement(
                    action_id=ActionId.PM_ITEM_OWNER,
                    placeholder="Owner",
                    initial_user=row.owner,
                ),
                DatePickerElement(
                    action_id=ActionId.PM_ITEM_DUE,
                    placeholder="Due date",
                    initial_date=row.due.isoformat() if row.due else None,
                ),
                remove,
            ],
        ),
    ]


def _text(
    block_id: str,
    label: str,
    value: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    limit: int = FIELD_MAX,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=multiline,
            max_length=limit,
            initial_value=value[:limit] or None,
        ),
    )
