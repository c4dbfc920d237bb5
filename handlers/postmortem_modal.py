"""The postmortem form: open it (command, buttons), grow and shrink its action items, save
it as a draft or publish it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from blocks.ids import ActionId, BlockId, CallbackId
from blocks.notices import refusal
from blocks.postmortem import ItemRow, PostmortemForm, form_from_draft, postmortem_modal
from bot import commands
from bot.domain.errors import DomainError
from bot.domain.postmortem import drafts
from bot.domain.postmortem.drafts import WHYS, DraftFields, DraftForm
from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from bot.slack_ops.postmortem import publish_due
from handlers.common import actor, incident_by_id, incident_for, opens_modal
from storage.models import Incident


def subcommand(ops: SlackOps) -> Any:
    usage = commands.find("postmortem")
    assert usage is not None

    async def run(ack: AsyncAck, respond: AsyncRespond, command: dict[str, Any], args: str) -> None:
        number, _ = commands.take_number(args)
        try:
            incident = await incident_for(
                ops, number=number, channel_id=command.get("channel_id"), user_id=command["user_id"]
            )
        except DomainError as exc:
            text, blocks = refusal(f"{exc} Usage: `{usage.usage}`")
            await ack(text=text, blocks=blocks, response_type="ephemeral")
            return
        await ack()
        await open_form(ops, command["trigger_id"], incident)

    return run


async def open_form(ops: SlackOps, trigger_id: str, incident: Incident) -> None:
    assert incident.id is not None
    form = form_from_draft(await drafts.load_draft(ops.deps.db, incident.id))
    await ops.client.views_open(trigger_id=trigger_id, view=postmortem_modal(incident, form))


def form_from_view(view: dict[str, Any]) -> PostmortemForm:
    """What is typed in the form right now, in the form's own terms."""
    meta = json.loads(view["private_metadata"])
    values = view["state"]["values"]

    def text(block: str) -> str:
        return (values.get(block, {}).get(block) or {}).get("value") or ""

    rows = []
    for key in meta["items"]:
        item_meta = values.get(f"{BlockId.PM_ITEM_META}:{key}", {})
        due = (item_meta.get(ActionId.PM_ITEM_DUE) or {}).get("selected_date")
        jira_key, jira_url = meta.get("jira", {}).get(key, [None, None])
        rows.append(
            ItemRow(
                key=key,
                text=text(f"{BlockId.PM_ITEM_TEXT}:{key}"),
                owner=(item_meta.get(ActionId.PM_ITEM_OWNER) or {}).get("selected_user"),
                due=date.fromisoformat(due) if due else None,
                jira_key=jira_key,
                jira_url=jira_url,
            )
        )
    return PostmortemForm(
        incident_id=int(meta["incident_id"]),
        fields=DraftFields(
            summary=text(BlockId.PM_SUMMARY),
            impact=text(BlockId.PM_IMPACT),
            users_affected=text(BlockId.PM_USERS_AFFECTED),
            whys=tuple(text(f"{BlockId.PM_WHY}:{n}") for n in range(WHYS)),
            contributing_factors=text(BlockId.PM_CONTRIBUTING),
            went_well=text(BlockId.PM_WENT_WELL),
            went_poorly=text(BlockId.PM_WENT_POORLY),
        ),
        items=rows,
        next_key=int(meta["next"]),
        published=view.get("submit", {}).get("text", "").startswith("Save and"),
    )


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def edit_items(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        view = body["view"]
        form = form_from_view(view)
        if action["action_id"] == ActionId.PM_ADD_ITEM:
            form.add_row()
        else:
            form.items = [row for row in form.items if row.key != action["value"]]
        incident = await incident_by_id(ops, str(form.incident_id), body["user"]["id"])
        await ops.client.views_update(
            view_id=view["id"], hash=view["hash"], view=postmortem_modal(incident, form)
        )

    async def picked(ack: AsyncAck) -> None:
        await ack()  # an owner or a date picked in a row: read when the form is submitted

    async def submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        form = form_from_view(view)
        publish = bool(
            (view["state"]["values"].get(BlockId.PM_PUBLISH, {}).get(BlockId.PM_PUBLISH) or {}).get(
                "selected_options"
            )
        )
        try:
            incident = await incident_by_id(ops, str(form.incident_id), user)
            await drafts.save(
                deps.db,
                deps.clock,
                deps.config,
                incident,
                actor(ops, user),
                DraftForm(form.fields, form.item_inputs()),
                publish=publish,
                jira_enabled=deps.settings.jira_enabled,
            )
        except DomainError as exc:
            where = BlockId.PM_PUBLISH if publish else BlockId.PM_SUMMARY
            await ack(response_action="errors", errors={where: str(exc)[:150]})
            return
        await ack()
        what = "published" if publish else "saved as a draft"
        await ops.client.chat_postMessage(
            channel=user, text=f"INC-{incident.number}'s postmortem is {what}."
        )
        if publish or form.published:
            await publish_due(ops)

    registry.action(
        ActionId.OPEN_POSTMORTEM,
        opens_modal(ops, lambda trigger, incident: open_form(ops, trigger, incident)),
        name="button_open_postmortem",
    )
    registry.action(ActionId.PM_ADD_ITEM, edit_items, name="postmortem_add_item")
    registry.action(ActionId.PM_REMOVE_ITEM, edit_items, name="postmortem_remove_item")
    registry.action(ActionId.PM_ITEM_OWNER, picked, name="postmortem_item_owner")
    registry.action(ActionId.PM_ITEM_DUE, picked, name="postmortem_item_due")
    registry.view(CallbackId.POSTMORTEM_MODAL, submitted, name="postmortem_submitted")
