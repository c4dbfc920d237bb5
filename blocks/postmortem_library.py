"""Messages of the postmortem library: the list, one postmortem, and open follow-ups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import BlockId
from blocks.text import clip, command_list, incident_ref, link, mention, one_line, safe, slack_date
from bot.commands import POSTMORTEM_SUBCOMMANDS
from bot.domain.postmortem.action_items import Followup
from bot.domain.postmortem.library import Entry, Shown
from storage.models import ActionItem, PostmortemStatus

MAX_LISTED = 20
Links = tuple[str, str]  # (HTML, PDF)


def postmortem_list(
    entries: Sequence[Entry], links: Sequence[Links], service: str | None
) -> tuple[str, list[Block]]:
    where = f" for {safe(service, 80)}" if service else ""
    text = f"{len(entries)} published postmortems{where}"
    if not entries:
        return text, [
            SectionBlock(text=MarkdownTextObject(text=f"_No published postmortems{where} yet._"))
        ]
    blocks: list[Block] = [HeaderBlock(text=clip(f"Postmortems{where}", 150))]
    for entry, (html, pdf) in list(zip(entries, links, strict=True))[:MAX_LISTED]:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=entry_line(entry, html, pdf))))
    return text, blocks


def entry_line(entry: Entry, html: str, pdf: str) -> str:
    """`*INC-12* Checkout down · checkout · published <date> · web · PDF` (also the Home's)."""
    incident, pm = entry.incident, entry.postmortem
    parts = [f"*{incident_ref(incident)}* {safe(one_line(incident.title), 200)}"]
    if incident.service:
        parts.append(safe(incident.service, 80))
    if pm.published_at is not None:
        parts.append(f"published {slack_date(pm.published_at)}")
    parts.append(f"{link(html, 'web')} · {link(pdf, 'PDF')}")
    return " · ".join(parts)


def postmortem_shown(shown: Shown, html: str | None, pdf: str | None) -> tuple[str, list[Block]]:
    incident, pm = shown.incident, shown.postmortem
    state = "published" if pm.status == PostmortemStatus.PUBLISHED else "draft"
    text = f"{incident_ref(incident)} postmortem ({state})"
    summary = safe(pm.summary, 1500) if pm.summary else "_No summary yet._"
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"{incident_ref(incident)} · {one_line(incident.title)}", 150)),
        SectionBlock(text=MarkdownTextObject(text=f"*Summary* ({state})\n{summary}")),
    ]
    whys = [w for w in pm.whys if w.strip()]
    if whys:
        lines = "\n".join(f"{n}. {safe(w, 300)}" for n, w in enumerate(whys, start=1))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Five whys*\n{lines}")))
    items = "\n".join(item_line(i) for i in shown.items[:MAX_LISTED]) or "_None._"
    blocks.append(
        SectionBlock(text=MarkdownTextObject(text=clip(f"*Action items*\n{items}", 3000)))
    )
    if html and pdf:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=f"{link(html, 'Read it on the web')} · {link(pdf, 'PDF')}"
                    )
                ]
            )
        )
    return text, blocks


def item_line(item: ActionItem, *, today: date | None = None) -> str:
    """`• text · @owner · due 2026-12-01 · OPS-12` (the Jira key a link, or why it waits)."""
    parts = [f"• {safe(item.text, 300)}"]
    if item.owner:
        parts.append(mention(item.owner))
    if item.due_date:
        late = today is not None and item.due_date < today
        parts.append(f"due {item.due_date.isoformat()}{' :warning: overdue' if late else ''}")
    if item.jira_key:
        parts.append(link(item.jira_url, item.jira_key) if item.jira_url else safe(item.jira_key))
    elif item.jira_error:
        parts.append(f"_not in Jira yet: {safe(item.jira_error, 200)}_")
    if item.completed_at:
        parts.append("done")
    return " · ".join(parts)


def followups_message(
    followups: Sequence[Followup], owner: str | None, service: str | None, today: date
) -> tuple[str, list[Block]]:
    scope = " ".join(
        part
        for part in (
            f"owned by {mention(owner)}" if owner else "",
            f"for {safe(service, 80)}" if service else "",
        )
        if part
    )
    text = f"{len(followups)} open action items {scope}".strip()
    if not followups:
        return text, [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"_No open action items {scope}._".replace(" ._", "._")
                )
            )
        ]
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{safe(text, 200)}*"))]
    for followup in followups[:MAX_LISTED]:
        head = f"*INC-{followup.incident_number}* {safe(one_line(followup.incident_title), 120)}"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=f"{head}\n{item_line(followup.item, today=today)}")
            )
        )
    if len(followups) > MAX_LISTED:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"…and {len(followups) - MAX_LISTED} more")]
            )
        )
    return text, blocks


def postmortem_help() -> tuple[str, list[Block]]:
    return "The /postmortem commands", [
        SectionBlock(
            block_id=BlockId.USAGE,
            text=MarkdownTextObject(text=command_list(POSTMORTEM_SUBCOMMANDS)),
        )
    ]
