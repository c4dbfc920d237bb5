"""Messages about one incident outside its command center: the public announcement card,
a status update post, and the resolution summary."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.command_center import facts, outcome
from blocks.ids import ActionId, BlockId
from blocks.text import (
    aware,
    channel_link,
    clip,
    duration_text,
    incident_duration,
    incident_ref,
    incident_value,
    mention,
    one_line,
    quote,
    safe,
    severity_emoji,
    severity_label,
    slack_date,
    status_label,
)
from bot.config import OpsConfig
from bot.domain.snapshot import Snapshot
from storage.models import Incident, IncidentStatus


def announcement_card(
    snap: Snapshot,
    config: OpsConfig,
    *,
    now: datetime,
    channel_id: str | None,
    can_open_war_room: bool,
) -> tuple[str, list[Block]]:
    """The card in the public incidents channel, edited in place as the incident changes.

    Offers "Open war room" only when there is no war room yet and the caller says one may be
    opened (e.g. the severity does not open one by itself)."""
    incident = snap.incident
    ref = incident_ref(incident)
    resolved = incident.status == IncidentStatus.RESOLVED
    sev = safe(severity_label(config, incident.severity), 200)
    text = (
        f"{ref} · {sev} · {status_label(incident.status)} · {safe(one_line(incident.title), 300)}"
    )
    commander = mention(snap.commander) if snap.commander else "_unassigned_"
    room = channel_link(channel_id) if channel_id else "_none_"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{severity_emoji(config, incident.severity)} *{ref}* · "
                f"{status_label(incident.status)}\n*{safe(one_line(incident.title), 500)}*"
            )
        ),
        SectionBlock(
            fields=[
                *facts(incident, config, now=now),
                MarkdownTextObject(text=f"*Commander*\n{commander}"),
                MarkdownTextObject(text=f"*War room*\n{room}"),
            ]
        ),
    ]
    if resolved:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=outcome(incident, now=now))))
    elif incident.last_update_text.strip():
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Latest update* · {slack_date(incident.last_update_at)}\n"
                    + quote(incident.last_update_text, 2000)
                )
            )
        )
    if channel_id is None and can_open_war_room and not resolved:
        blocks.append(
            ActionsBlock(
                block_id=BlockId.CARD_ACTIONS,
                elements=[
                    ButtonElement(
                        text="Open war room",
                        action_id=ActionId.OPEN_WAR_ROOM,
                        value=incident_value(incident),
                        style="primary",
                    )
                ],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text=f"Detected {slack_date(incident.detected_at)}")]
        )
    )
    return text, blocks


def status_update_post(incident: Incident, *, actor: str, text: str) -> tuple[str, list[Block]]:
    """One update, posted in the card's thread and the war room: who said what, quoted."""
    ref = incident_ref(incident)
    message = text.strip()
    body = quote(message) if message else "_No message._"
    fallback = f"{ref} update: {safe(one_line(message), 300) if message else 'no message'}"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f":mega: *{ref} update* from {mention(actor)} · "
                f"{status_label(incident.status)}\n{body}"
            )
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{safe(incident.severity, 20)} · {safe(one_line(incident.title), 300)}"
                )
            ]
        ),
    ]
    return fallback, blocks


def resolution_summary(
    snap: Snapshot, config: OpsConfig, *, now: datetime
) -> tuple[str, list[Block]]:
    """The wrap-up: how long it lasted, the summary, and time to acknowledge, mitigate and
    resolve, each measured from detection (`—` for a milestone never reached)."""
    incident = snap.incident
    ref = incident_ref(incident)
    lasted = incident_duration(incident, now)
    text = f"{ref} resolved after {lasted} · {safe(one_line(incident.title), 300)}"
    commander = mention(snap.commander) if snap.commander else "_unassigned_"
    summary = incident.resolution_summary.strip()
    fields = [
        f"*Severity*\n{safe(severity_label(config, incident.severity), 200)}",
        f"*Commander*\n{commander}",
        f"*Time to acknowledge*\n{_since_detection(incident, incident.acknowledged_at)}",
        f"*Time to mitigate*\n{_since_detection(incident, incident.mitigated_at)}",
        f"*Time to resolve*\n{_since_detection(incident, incident.resolved_at)}",
        f"*Open tasks*\n{len(snap.open_tasks)}",
    ]
    sev = config.severity(incident.severity)
    closing = f"Detected {slack_date(incident.detected_at)}"
    if incident.resolved_at is not None:
        closing += f" · resolved {slack_date(incident.resolved_at)}"
    if sev is not None and sev.requires_postmortem:
        closing += f" · {sev.id} incidents need a postmortem"
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"{ref} resolved · {one_line(incident.title)}", 150)),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{severity_emoji(config, incident.severity)} :white_check_mark: "
                f"*Resolved after {lasted}*"
            ),
            fields=[MarkdownTextObject(text=field) for field in fields],
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="*Summary*\n"
                + (quote(summary, 2800) if summary else "_No summary was given._")
            )
        ),
        ContextBlock(elements=[MarkdownTextObject(text=closing)]),
        ActionsBlock(
            block_id=BlockId.RESOLUTION_ACTIONS,
            elements=[
                ButtonElement(
                    text="Write postmortem",
                    action_id=ActionId.OPEN_POSTMORTEM,
                    value=incident_value(incident),
                    style="primary",
                )
            ],
        ),
    ]
    return text, blocks


def _since_detection(incident: Incident, when: datetime | None) -> str:
    return "—" if when is None else duration_text(aware(when) - aware(incident.detected_at))
