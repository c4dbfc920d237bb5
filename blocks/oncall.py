"""`/oncall` answers, the cover confirmation and DM, the manual-page answer, and the App Home's
on-call lines. Times are Slack date tokens, so every reader sees them in their own timezone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from blocks.ids import BlockId
from blocks.text import command_list, mention, more_line, safe, slack_date
from bot.commands import ONCALL_SUBCOMMANDS
from bot.domain.oncall.board import (
    Board,
    MyShifts,
    ScheduleView,
    ServiceView,
    Stretch,
    TargetView,
    TeamView,
)
from bot.domain.oncall.cover import Cover
from bot.domain.paging.manual import ManualPage
from bot.domain.paging.models import Target
from bot.durations import format_duration

MAX_LINES = 60  # per list; a 7-day list of 1-hour shifts would be 168
MAX_HOME_SCHEDULES = 10  # the App Home has room for 100 blocks in all
SECTION_CHARS = 2900  # Slack allows 3000 in a section's text
GAP = "_nobody (gap)_"
TIMES = "Times are shown in your timezone."


def overview_message(board: Board) -> tuple[str, list[Block]]:
    lines = [f"*{safe(s.name)}*: {_service_now(s)}" for s in board.services]
    blocks: list[Block] = [HeaderBlock(text="On call now")]
    blocks += _sections(lines or ["_No services are configured._"])
    if board.schedules:
        blocks += _sections(
            [f"*{safe(v.name)}*: {_now_text(v)}" for v in board.schedules], title="*Schedules*"
        )
    blocks.append(
        _context(f"{TIMES} `/oncall &lt;service|team|schedule&gt;` shows the next 7 days.")
    )
    return "Who is on call now", blocks


def detail_message(shown: ServiceView | TeamView | ScheduleView) -> tuple[str, list[Block]]:
    if isinstance(shown, ScheduleView):
        return f"On call for {shown.name}", [*_schedule_blocks(shown), _context(TIMES)]
    if isinstance(shown, TeamView):
        text = f"*Team {safe(shown.name)}*\nMembers: {_mentions(shown.members)}"
        if shown.next_in_turn:
            text += f"\nNext in turn (round robin): {mention(shown.next_in_turn)}"
        note = "A page to the team reaches every member; a round-robin step pages one in turn."
        return f"Team {shown.name}", [_section(text), _context(note)]
    if shown.policy is None:
        text = f"*Service {safe(shown.name)}* has no escalation policy: nobody is paged for it."
        return f"Service {shown.name}", [_section(text)]
    lines = [
        f"*Service {safe(shown.name)}* · escalation policy *{safe(shown.policy.name)}*",
        f"Paged first: {_service_now(shown)}",
    ]
    after = timedelta(0)
    for previous, step in zip(shown.policy.steps, shown.policy.steps[1:], strict=False):
        after += previous.delay
        targets = ", ".join(_target_label(t) for t in step.targets)
        lines.append(f"Then after {format_duration(after)}: {targets}")
    blocks: list[Block] = [_section("\n".join(lines))]
    for target in shown.first:
        if target.schedule is not None:
            blocks += _schedule_blocks(target.schedule)
    return f"On call for {shown.name}", [*blocks, _context(TIMES)]


def oncall_help() -> tuple[str, list[Block]]:
    return "The /oncall commands", [
        SectionBlock(
            block_id=BlockId.USAGE, text=MarkdownTextObject(text=command_list(ONCALL_SUBCOMMANDS))
        )
    ]


def cover_confirmation(cover: Cover) -> tuple[str, list[Block]]:
    text = (
        f"{mention(cover.user)} is on call for *{safe(cover.schedule)}* from now until "
        f"{slack_date(cover.end)}."
    )
    if cover.covering:
        text += f" Covering {_mentions(cover.covering)}."
    return text, [_section(f":white_check_mark: {text}")]


def cover_dm(cover: Cover) -> tuple[str, list[Block]]:
    text = (
        f"{mention(cover.by)} put you on call for *{safe(cover.schedule)}* from now until "
        f"{slack_date(cover.end)}."
    )
    return text, [_section(f":pager: {text}")]


def page_confirmation(done: ManualPage) -> tuple[str, list[Block]]:
    text = f"Paging {_mentions(done.users)} for *INC-{done.incident.number}*."
    return text, [_section(f":rotating_light: {text}")]


def home_on_call(mine: Sequence[MyShifts]) -> list[Block]:
    """The App Home's on-call lines: nothing at all for someone in no schedule."""
    if not mine:
        return []
    lines = []
    for item in mine[:MAX_HOME_SCHEDULES]:
        name = f"*{safe(item.schedule)}*"
        if item.until_horizon:
            line = f"You are on call for {name} for 90 days or more."
        elif item.on_call_until is not None:
            line = f"You are on call for {name} until {slack_date(item.on_call_until)}."
        else:
            line = f"You are not on call for {name} now."
        if item.next is not None:
            span = f"{slack_date(item.next.start)} – {slack_date(item.next.end)}"
            line += f" Your next shift: {span}."
        else:
            line += " No next shift in the next 90 days."
        lines.append(line)
    if len(mine) > MAX_HOME_SCHEDULES:
        lines.append(more_line(len(mine) - MAX_HOME_SCHEDULES, "schedules"))
    return [HeaderBlock(text="On call"), *_sections(lines)]


def _schedule_blocks(shown: ScheduleView) -> list[Block]:
    lines = [f"*Schedule {safe(shown.name)}* · {safe(shown.timezone)}", f"Now: {_now_text(shown)}"]
    upcoming = shown.next
    if upcoming is not None:
        lines.append(f"Next: {_who(upcoming)} from {slack_date(upcoming.start)}")
    week = [f"{slack_date(s.start)} – {slack_date(s.end)} · {_who(s)}" for s in shown.week]
    return [_section("\n".join(lines)), *_sections(week, title="*Next 7 days*")]


def _now_text(shown: ScheduleView) -> str:
    return f"{_who(shown.now)}{_until(shown)}"


def _until(shown: ScheduleView) -> str:
    end = shown.now.end
    return ", for 90 days or more" if end >= shown.horizon_end else f" until {slack_date(end)}"


def _service_now(service: ServiceView) -> str:
    if service.policy is None:
        return "_no escalation policy_"
    return "; ".join(_target_now(t) for t in service.first)


def _target_now(shown: TargetView) -> str:
    target = shown.target
    if target.user:
        return mention(target.user)
    if target.team:
        turn = " (in turn)" if target.mode == "round_robin" else ""
        return f"team *{safe(target.team)}*{turn}: {_mentions(shown.users)}"
    if shown.schedule is not None:
        view = shown.schedule
        return f"{_who(view.now)} on *{safe(view.name)}*{_until(view)}"
    return f"user group {safe(target.usergroup or '')}: {_mentions(shown.users)}"


def _target_label(target: Target) -> str:
    if target.user:
        return mention(target.user)
    if target.team:
        return f"team *{safe(target.team)}*"
    if target.schedule:
        return f"whoever is on call for *{safe(target.schedule)}*"
    return f"user group {safe(target.usergroup or '')}"


def _who(stretch: Stretch) -> str:
    if stretch.user is None:
        return GAP
    return mention(stretch.user) + (" (cover)" if stretch.cover else "")


def _mentions(users: Sequence[str]) -> str:
    return ", ".join(mention(u) for u in users) or "_nobody_"


def _sections(lines: list[str], *, title: str | None = None) -> list[Block]:
    """Lines in as few sections as fit, capped at MAX_LINES with an "…and N more" line."""
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(more_line(len(lines) - MAX_LINES, "lines"))
    chunks: list[list[str]] = [[title]] if title else [[]]
    for line in shown:
        if chunks[-1] and len("\n".join([*chunks[-1], line])) > SECTION_CHARS:
            chunks.append([])
        chunks[-1].append(line)
    return [_section("\n".join(chunk)) for chunk in chunks if chunk]


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])
