"""The App Home tab: your incidents, the others, your tasks, and the commands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from blocks.command_center import task_section
from blocks.ids import ActionId, BlockId
from blocks.oncall import home_on_call
from blocks.postmortem_library import Links, entry_line
from blocks.text import (
    channel_link,
    command_list,
    incident_duration,
    incident_ref,
    more_line,
    one_line,
    safe,
    severity_emoji,
    severity_label,
    slack_date,
    status_label,
)
from bot.commands import INCIDENT_SUBCOMMANDS
from bot.config import OpsConfig
from bot.domain.oncall.board import MyShifts
from bot.domain.postmortem.library import Entry
from bot.domain.snapshot import HomeData
from storage.models import Incident

# Three lists of at most 25 (+1 "…and N more") and ~12 fixed blocks stay within Slack's 100.
MAX_PER_LIST = 25
RECENT_POSTMORTEMS = 5  # one section: each line stays well under 600 characters


def home_view(
    *,
    user_name: str,
    tz: str,
    data: HomeData,
    config: OpsConfig,
    now: datetime,
    on_call: Sequence[MyShifts] = (),
    postmortems: Sequence[tuple[Entry, Links]] = (),
) -> View:
    """What one user sees on the Home tab; `data` is already filtered to what they may see.
    `on_call`: the schedules they are in (nothing is shown for none)."""
    blocks: list[Block] = [
        HeaderBlock(text="OpsGuard"),
        SectionBlock(
            block_id=BlockId.HOME_INTRO,
            text=MarkdownTextObject(
                text=f"Hi {safe(one_line(user_name), 200)}. Times are shown in your timezone "
                f"({safe(tz, 100)})."
            ),
            accessory=ButtonElement(
                text="Declare incident", action_id=ActionId.DECLARE, style="danger"
            ),
        ),
        DividerBlock(),
        *home_on_call(on_call),
        HeaderBlock(text="Your incidents"),
    ]
    blocks += _listed(
        [_incident_text(i, config, now, roles=roles) for i, roles in data.mine],
        empty="You are not part of any open incident.",
        noun="incidents",
    )
    blocks.append(HeaderBlock(text="Other open incidents"))
    blocks += _listed(
        [_incident_text(i, config, now) for i in data.others],
        empty="No other open incidents.",
        noun="incidents",
    )
    blocks.append(HeaderBlock(text="Your open tasks"))
    if not data.my_tasks:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="_You have no open tasks._")))
    for incident, task in data.my_tasks[:MAX_PER_LIST]:
        blocks.append(task_section(task, prefix=f"*{incident_ref(incident)}* · "))
    if len(data.my_tasks) > MAX_PER_LIST:
        blocks.append(_more(len(data.my_tasks) - MAX_PER_LIST, "tasks"))
    blocks.append(HeaderBlock(text="Recent postmortems"))
    lines = [
        entry_line(entry, html, pdf) for entry, (html, pdf) in postmortems[:RECENT_POSTMORTEMS]
    ]
    blocks.append(
        SectionBlock(
            text=MarkdownTextObject(
                text="\n".join(lines) if lines else "_No postmortems published yet._"
            )
        )
    )
    blocks += [
        DividerBlock(),
        HeaderBlock(text="Commands"),
        SectionBlock(
            block_id=BlockId.HOME_COMMANDS,
            text=MarkdownTextObject(text=command_list(INCIDENT_SUBCOMMANDS)),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=f"Updated {slack_date(now)}")]),
    ]
    return View(type="home", blocks=blocks)


def _incident_text(
    incident: Incident, config: OpsConfig, now: datetime, *, roles: list[str] | None = None
) -> str:
    room = f" · {channel_link(incident.channel_id)}" if incident.channel_id else ""
    lock = " :lock:" if incident.private else ""
    text = (
        f"{severity_emoji(config, incident.severity)} *{incident_ref(incident)} · "
        f"{safe(one_line(incident.title), 400)}*{lock}{room}\n"
        f"{safe(severity_label(config, incident.severity), 100)} · "
        f"{status_label(incident.status)} · open {incident_duration(incident, now)}"
    )
    if roles is not None:
        labels = [spec.label if (spec := config.role(r)) else r for r in roles]
        text += (
            f"\nYour roles: {safe(', '.join(labels), 500)}"
            if labels
            else "\nYou are a participant."
        )
    return text


def _listed(texts: list[str], *, empty: str, noun: str) -> list[Block]:
    if not texts:
        return [SectionBlock(text=MarkdownTextObject(text=f"_{empty}_"))]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=text)) for text in texts[:MAX_PER_LIST]
    ]
    if len(texts) > MAX_PER_LIST:
        blocks.append(_more(len(texts) - MAX_PER_LIST, noun))
    return blocks


def _more(count: int, noun: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=more_line(count, noun))])
