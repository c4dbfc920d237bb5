"""The stakeholder digest: every open incident in one message, for people not in the rooms."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.text import (
    channel_link,
    incident_duration,
    incident_ref,
    mention,
    more_line,
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

MAX_INCIDENTS = 45  # header, context and a "…and N more" line stay within Slack's 50


def stakeholder_digest(
    items: list[Snapshot], config: OpsConfig, *, now: datetime
) -> tuple[str, list[Block]]:
    """One section per open incident: severity, status, how long, commander, latest update."""
    count = len(items)
    text = f"{count} open incident{'s' if count != 1 else ''}" if count else "No open incidents"
    blocks: list[Block] = [
        HeaderBlock(text="Incident digest"),
        ContextBlock(elements=[MarkdownTextObject(text=f"{text} as of {slack_date(now)}.")]),
    ]
    if not items:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="All quiet: nothing is open.")))
    for snap in items[:MAX_INCIDENTS]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_entry(snap, config, now=now))))
    if count > MAX_INCIDENTS:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=more_line(count - MAX_INCIDENTS, "incidents"))]
            )
        )
    return f"Incident digest: {text}.", blocks


def _entry(snap: Snapshot, config: OpsConfig, *, now: datetime) -> str:
    """A private incident shows only its number, severity and status: the digest goes to
    people who are not its members."""
    incident = snap.incident
    if incident.private:
        return (
            f"{severity_emoji(config, incident.severity)} *{incident_ref(incident)}* · "
            f":lock: _private incident_\n{safe(severity_label(config, incident.severity), 100)} · "
            f"{status_label(incident.status)} · open {incident_duration(incident, now)}"
        )
    commander = mention(snap.commander) if snap.commander else "_no commander_"
    room = f" · {channel_link(incident.channel_id)}" if incident.channel_id else ""
    lines = [
        f"{severity_emoji(config, incident.severity)} *{incident_ref(incident)} · "
        f"{safe(one_line(incident.title), 400)}*{room}",
        f"{safe(severity_label(config, incident.severity), 100)} · "
        f"{status_label(incident.status)} · open {incident_duration(incident, now)} · "
        f"commander {commander}",
    ]
    update = incident.last_update_text.strip()
    if update:
        lines.append(f"Latest update {slack_date(incident.last_update_at)}:")
        lines.append(quote(update, 2000))
    return "\n".join(lines)
