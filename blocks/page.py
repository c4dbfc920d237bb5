"""The page DM and the "escalation exhausted" notice."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import ActionId, BlockId
from blocks.text import channel_link, incident_ref, incident_value, safe
from storage.models import Incident


def _name(incident: Incident) -> str:
    return f"{incident_ref(incident)} · {safe(incident.title, 200)}"


def page_message(incident: Incident, *, step: int, via: str) -> tuple[str, list[Block]]:
    """What the paged person sees: the incident in one glance and the three things to do."""
    where = f" War room: {channel_link(incident.channel_id)}." if incident.channel_id else ""
    summary = safe(incident.last_update_text or incident.description or "No update yet.", 2500)
    reason = "you directly" if via == "user" else via.replace(":", " ")
    value = incident_value(incident)
    return f"You are paged for {_name(incident)} ({incident.severity}).", [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":rotating_light: *You are paged* for *{_name(incident)}* · "
                f"{incident.severity} · {incident.status.capitalize()}.{where}\n{summary}"
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Paged by hand."
                    if via == "manual"
                    else f"Step {step + 1} of the escalation policy, via {safe(reason, 200)}."
                )
            ]
        ),
        ActionsBlock(
            block_id=BlockId.PAGE_ACTIONS,
            elements=[
                ButtonElement(
                    text="Acknowledge",
                    action_id=ActionId.PAGE_ACKNOWLEDGE,
                    value=value,
                    style="primary",
                ),
                ButtonElement(text="Escalate now", action_id=ActionId.PAGE_ESCALATE, value=value),
                ButtonElement(
                    text="Resolve", action_id=ActionId.PAGE_RESOLVE, value=value, style="danger"
                ),
            ],
        ),
    ]


def exhausted_notice(incident: Incident) -> tuple[str, list[Block]]:
    text = f"Escalation exhausted for {_name(incident)}: nobody acknowledged."
    return text, [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":warning: *Escalation exhausted, nobody acknowledged* for {_name(incident)}."
                " Every step of the policy was tried, with its repeats."
            )
        )
    ]
