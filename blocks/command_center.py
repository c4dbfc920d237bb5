"""The war room's command center: the one message that shows an incident's whole state."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import ActionId, BlockId
from blocks.text import (
    clip,
    incident_duration,
    incident_ref,
    incident_value,
    link,
    mention,
    more_line,
    one_line,
    quote,
    safe,
    severity_emoji,
    severity_label,
    slack_date,
    status_label,
    timeline_line,
)
from bot.config import OpsConfig, Role
from bot.domain.snapshot import RECENT_ENTRIES, Snapshot
from storage.models import Incident, IncidentStatus, IncidentTask

# Block budget (Slack allows 50 per message): ~10 fixed blocks, the role buttons, the tasks.
MAX_ROLE_BUTTONS = 8
MAX_TASKS = 15
SECTION_LIMIT = 3000


def _alerts(snap: Snapshot) -> list[Block]:
    """The alerts behind the incident, with their source and dashboard links. Whole lines are
    dropped to fit the section, so a link is never cut in half."""
    if not snap.alerts:
        return []
    text = "*Alerts*"
    for alert in snap.alerts:
        mark = ":white_check_mark:" if alert.status == "resolved" else ":red_circle:"
        links = [
            link(item["href"], item.get("text") or "Link")
            for item in alert.links
            if item.get("href", "").startswith(("https://", "http://")) and len(item["href"]) < 500
        ]
        line = " · ".join([f"{mark} {safe(one_line(alert.summary), 300)}", *links])
        if len(text) + len(line) + 1 > SECTION_LIMIT:
            break
        text += "\n" + line
    return [SectionBlock(text=MarkdownTextObject(text=text))]


def command_center(snap: Snapshot, config: OpsConfig, *, now: datetime) -> tuple[str, list[Block]]:
    """Header, facts, roles (with "I'll take" buttons), latest timeline, open tasks (with
    "Done" buttons) and the action buttons; once resolved, the outcome instead of actions."""
    incident = snap.incident
    resolved = incident.status == IncidentStatus.RESOLVED
    ref = incident_ref(incident)
    text = (
        f"{ref} · {safe(severity_label(config, incident.severity))} · "
        f"{status_label(incident.status)} · {safe(one_line(incident.title), 300)}"
    )
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"{ref} · {one_line(incident.title)}", 150)),
        SectionBlock(fields=facts(incident, config, now=now)),
    ]
    if incident.description.strip():
        blocks.append(SectionBlock(text=MarkdownTextObject(text=quote(incident.description, 1500))))
    if resolved:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=outcome(incident, now=now))))
    if incident.conference_url:
        call = link(incident.conference_url, "Join the call")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f":telephone_receiver: {call}")))
    blocks.append(DividerBlock())
    blocks += _roles(snap, config, buttons=not resolved)
    blocks += _alerts(snap)
    blocks += _timeline(snap)
    blocks += _tasks(snap.open_tasks)
    blocks.append(_actions(incident))
    declared = f"Declared by {mention(incident.declared_by)} · " if incident.declared_by else ""
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"{declared}detected {slack_date(incident.detected_at)} · "
                    f"last update {slack_date(incident.last_update_at)}"
                )
            ]
        )
    )
    return text, blocks


def facts(incident: Incident, config: OpsConfig, *, now: datetime) -> list[MarkdownTextObject]:
    """Severity, status, duration and service as section fields (shared with the card)."""
    service = "—"
    if incident.service:
        service = safe(incident.service, 200)
        spec = config.service(incident.service)
        if spec is not None and spec.runbook_url is not None:
            service += f" · {link(str(spec.runbook_url), 'Runbook')}"
    fields = [
        f"*Severity*\n{severity_emoji(config, incident.severity)} "
        f"{safe(severity_label(config, incident.severity), 200)}",
        f"*Status*\n{status_label(incident.status)}",
        f"*Duration*\n{incident_duration(incident, now)}",
        f"*Service*\n{service}",
    ]
    if incident.private:
        fields.append("*Visibility*\n:lock: Private")
    return [MarkdownTextObject(text=field) for field in fields]


def outcome(incident: Incident, *, now: datetime) -> str:
    """`Resolved after 2h 10m` and the summary, as one mrkdwn text."""
    summary = incident.resolution_summary.strip()
    body = quote(summary, 2000) if summary else "_No summary was given._"
    return f":white_check_mark: *Resolved after {incident_duration(incident, now)}*\n{body}"


def _roles(snap: Snapshot, config: OpsConfig, *, buttons: bool) -> list[Block]:
    """Held roles in one section; each open role its own section with an "I'll take" button
    (one button per block, so action ids never repeat inside a block)."""
    held: list[str] = []
    open_roles: list[Role] = []
    for role in config.roles:
        holder = snap.roles.get(role.id)
        if holder:
            held.append(f"*{safe(role.label, 100)}*: {mention(holder)}")
        elif buttons and len(open_roles) < MAX_ROLE_BUTTONS:
            open_roles.append(role)
        else:
            held.append(f"*{safe(role.label, 100)}*: _unassigned_")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_fit("*Roles*", held, keep="first")))
    ]
    for role in open_roles:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{safe(role.label, 100)}*: _unassigned_\n{safe(role.description, 500)}"
                ),
                accessory=ButtonElement(
                    text=clip(f"I'll take {one_line(role.label)}", 75),
                    action_id=ActionId.TAKE_ROLE,
                    value=f"{incident_value(snap.incident)}:{role.id}",
                ),
            )
        )
    return blocks


def _timeline(snap: Snapshot) -> list[Block]:
    lines = [timeline_line(entry) for entry in snap.recent[-RECENT_ENTRIES:]]
    if not lines:
        lines = ["_Nothing recorded yet._"]
    return [SectionBlock(text=MarkdownTextObject(text=_fit("*Latest*", lines, keep="last")))]


def _tasks(tasks: list[IncidentTask]) -> list[Block]:
    if not tasks:
        return [SectionBlock(text=MarkdownTextObject(text="*Open tasks*\n_None._"))]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*Open tasks* ({len(tasks)})"))
    ]
    blocks += [task_section(task) for task in tasks[:MAX_TASKS]]
    if len(tasks) > MAX_TASKS:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=more_line(len(tasks) - MAX_TASKS, "tasks"))]
            )
        )
    return blocks


def task_section(task: IncidentTask, prefix: str = "") -> SectionBlock:
    """One open task, its assignee, and a "Done" button (shared with the App Home)."""
    who = mention(task.assignee) if task.assignee else "_unassigned_"
    return SectionBlock(
        text=MarkdownTextObject(text=f"{prefix}{safe(task.text, 1500)} · {who}"),
        accessory=None
        if task.id is None
        else ButtonElement(text="Done", action_id=ActionId.COMPLETE_TASK, value=str(task.id)),
    )


def _actions(incident: Incident) -> ActionsBlock:
    value = incident_value(incident)
    timeline = ButtonElement(text="Timeline", action_id=ActionId.OPEN_TIMELINE, value=value)
    if incident.status == IncidentStatus.RESOLVED:
        return ActionsBlock(
            block_id=BlockId.COMMAND_CENTER_ACTIONS,
            elements=[
                ButtonElement(
                    text="Write postmortem",
                    action_id=ActionId.OPEN_POSTMORTEM,
                    value=value,
                    style="primary",
                ),
                timeline,
            ],
        )
    buttons: list[ButtonElement] = []
    if incident.status == IncidentStatus.TRIGGERED:
        buttons.append(
            ButtonElement(
                text="Acknowledge", action_id=ActionId.ACKNOWLEDGE, value=value, style="primary"
            )
        )
    buttons += [
        ButtonElement(text="Update status", action_id=ActionId.UPDATE_STATUS, value=value),
        ButtonElement(text="Assign role", action_id=ActionId.ASSIGN_ROLE, value=value),
        ButtonElement(text="Add task", action_id=ActionId.ADD_TASK, value=value),
        timeline,
        ButtonElement(text="Resolve", action_id=ActionId.RESOLVE, value=value, style="danger"),
    ]
    return ActionsBlock(block_id=BlockId.COMMAND_CENTER_ACTIONS, elements=buttons)


def _fit(title: str, lines: list[str], *, keep: str) -> str:
    """Title and lines within Slack's 3000-character section limit, dropping whole lines
    (the newest are kept for `keep="last"`) so no mention or date token is cut in half."""
    chosen = list(lines)
    while chosen and len(title) + sum(len(line) + 1 for line in chosen) > SECTION_LIMIT - 40:
        chosen.pop(0 if keep == "last" else -1)
    dropped = len(lines) - len(chosen)
    if dropped:
        more = f"_{more_line(dropped, 'lines')}_"
        chosen = [more, *chosen] if keep == "last" else [*chosen, more]
    return "\n".join([title, *chosen])
