"""Small text helpers shared by the builders.

Everything here returns either plain text (for plain_text objects, clipped to Slack's limits)
or mrkdwn that is safe to embed: user text is escaped with `bot.mrkdwn.escape`, and the only
`<…>` tokens produced are ones we build ourselves (mentions of ids we know, channel links,
date tokens, links with escaped URLs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.commands import Subcommand
from bot.mrkdwn import escape

if TYPE_CHECKING:
    from bot.config import OpsConfig
    from storage.models import Incident, TimelineEntry

ELLIPSIS = "…"
USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")
# A mention as it looks after `escape`: the only thing re-enabled in domain-written text.
_ESCAPED_MENTION = r"&lt;@([UW][A-Z0-9]+)&gt;"
# Domain templates whose mention position is unambiguous (see `timeline_text`).
_ROLE_ENTRY = re.compile(rf"^([a-z][a-z0-9_]{{0,31}}): {_ESCAPED_MENTION}$")
_SEVERITY_EMOJI = (
    ":red_circle:",
    ":large_orange_circle:",
    ":large_yellow_circle:",
    ":large_blue_circle:",
)


def command_list(subcommands: Iterable[Subcommand]) -> str:
    """Usage lines escaped: `<title>` or `<@user>` in a usage must show, not be parsed as a
    link or a mention (Slack parses `<…>` even inside backticks)."""
    return "\n".join(f"`{escape(sub.usage)}`\n{escape(sub.summary)}" for sub in subcommands)


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, ending in an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """Newlines and runs of whitespace collapsed, for headers, options and topics."""
    return " ".join(text.split())


def safe(text: str, limit: int = 3000) -> str:
    """User text escaped for mrkdwn and clipped without splitting an `&amp;` entity.

    Clipping after escaping could cut `&lt;` into `&l`; so characters are escaped one by one
    and the text stops before the first one that would not fit with the ellipsis.
    """
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def quote(text: str, limit: int = 2800, max_lines: int = 40) -> str:
    """User text as an escaped mrkdwn block quote (every line prefixed with `>`)."""
    lines = text.strip().splitlines() or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], ELLIPSIS]
    body = safe("\n".join(lines), limit - len(lines))
    return "\n".join(f">{line}" for line in body.split("\n"))


def mention(user_id: str) -> str:
    """A mention of a Slack user id we know; anything else is escaped instead."""
    return f"<@{user_id}>" if USER_ID.match(user_id) else escape(user_id)


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>" if CHANNEL_ID.match(channel_id) else escape(channel_id)


def link(url: str, label: str) -> str:
    """A mrkdwn link; the URL's control characters are escaped (`&` → `&amp;`, as Slack asks)
    and `|` is percent-encoded so it cannot end the URL early."""
    return f"<{escape(url.replace('|', '%7C'))}|{safe(one_line(label), 200)}>"


def aware(when: datetime) -> datetime:
    """Stored datetimes are aware UTC; a naive one (e.g. in a test) is taken as UTC."""
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def slack_date(when: datetime) -> str:
    """A date token every reader sees in their own timezone, with a UTC ISO fallback."""
    moment = aware(when).astimezone(UTC)
    fallback = moment.isoformat(timespec="minutes")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def duration_text(delta: timedelta) -> str:
    """`45s`, `12m`, `1h 05m`, `2d 03h`: short, and the same width for minutes and hours."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def elapsed(start: datetime, end: datetime) -> str:
    return duration_text(aware(end) - aware(start))


def incident_ref(incident: Incident) -> str:
    return f"INC-{incident.number}"


def severity_label(config: OpsConfig, severity_id: str) -> str:
    """`SEV1 · Critical`; an id missing from the config is shown as it is stored."""
    sev = config.severity(severity_id)
    return f"{sev.id} · {sev.label}" if sev else severity_id


def severity_emoji(config: OpsConfig, severity_id: str) -> str:
    """Red for the most severe configured level, then orange, yellow, blue, white."""
    ids = [s.id for s in config.severities]
    position = ids.index(severity_id) if severity_id in ids else len(_SEVERITY_EMOJI)
    return _SEVERITY_EMOJI[position] if position < len(_SEVERITY_EMOJI) else ":white_circle:"


def status_label(status: str) -> str:
    return status.capitalize()


def incident_duration(incident: Incident, now: datetime) -> str:
    """From detection to resolution, or to now while the incident is open."""
    return elapsed(incident.detected_at, incident.resolved_at or now)


def more_line(count: int, noun: str) -> str:
    """`…and 7 more tasks` (`noun` is plural; one item drops the trailing `s`)."""
    return f"{ELLIPSIS}and {count} more {noun if count != 1 else noun.removesuffix('s')}"


def timeline_text(entry: TimelineEntry, limit: int = 500) -> str:
    """A timeline entry's text as safe mrkdwn.

    The text is always escaped. Mentions are re-enabled only where the domain wrote the whole
    text from a template with a single, unambiguous mention: role entries, which are exactly
    `<role id>: <@U…>`. This is stricter than "every kind but update/status": `declared`
    embeds the user's title and `task` embeds user-typed task text next to the assignee
    mention, so a typed `<@U999>` there cannot be told apart from one the domain wrote, and
    it stays literal text. Unknown kinds are treated the same way (escaped only).
    """
    text = safe(entry.text, limit)
    if entry.kind == "role":
        return _ROLE_ENTRY.sub(r"\1: <@\2>", text)
    return text


def timeline_line(entry: TimelineEntry) -> str:
    """`<date> <@actor> text`: one line of the timeline, the actor being an id we stored."""
    who = f"{mention(entry.actor)} " if entry.actor else ""
    return f"{slack_date(entry.occurred_at)} {who}{timeline_text(entry)}"


def incident_value(incident: Incident) -> str:
    """A button's value: the incident's database id (a stored incident always has one)."""
    if incident.id is None:
        raise ValueError("a stored incident (with an id) is needed for its buttons")
    return str(incident.id)
