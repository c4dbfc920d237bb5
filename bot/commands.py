"""The slash-command grammar: one entry per subcommand, shared by help, usage errors and parsing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str


INCIDENT_COMMAND = "/incident"

INCIDENT_SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "declare",
        "/incident declare <title> [sev1|sev2|sev3|sev4] [service:<name>] [private]",
        "Declare an incident without the form (SEV3 unless given).",
    ),
    Subcommand("ack", "/incident ack [#<number>]", "Acknowledge: you are on it."),
    Subcommand(
        "status",
        "/incident status [#<number>] <investigating|identified|monitoring|resolved> [message]",
        "Move the incident along, with an optional update.",
    ),
    Subcommand(
        "update",
        "/incident update [#<number>] <message>",
        "Post an update without changing the status.",
    ),
    Subcommand("sev", "/incident sev [#<number>] <1-4>", "Change the severity."),
    Subcommand(
        "role",
        "/incident role [#<number>] <role> <@user>",
        "Give a role (commander, scribe, liaison, tech_lead) to someone.",
    ),
    Subcommand(
        "task", "/incident task [#<number>] <text> [@user]", "Add a task, optionally assigned."
    ),
    Subcommand("bridge", "/incident bridge [#<number>]", "Create the conference bridge again."),
    Subcommand("resolve", "/incident resolve [#<number>] [summary]", "Resolve the incident."),
    Subcommand("reopen", "/incident reopen [#<number>]", "Reopen a resolved incident."),
    Subcommand(
        "page",
        "/incident page <@user|team|service> [#<number>]",
        "Page by hand: a person, a team, or whoever is on call for a service.",
    ),
    Subcommand(
        "timeline",
        "/incident timeline [#<number>] [<text> [at HH:MM]]",
        "Add a note to the timeline (at a time on your clock), or open the timeline.",
    ),
    Subcommand(
        "postmortem",
        "/incident postmortem [#<number>]",
        "Write (or carry on writing) the postmortem.",
    ),
    Subcommand(
        "followups",
        "/incident followups [@owner] [service]",
        "Open action items across incidents, by owner or service.",
    ),
    Subcommand("help", "/incident help", "Show the commands OpsGuard understands."),
)
DECLARE_FORM = Subcommand("", "/incident", "Open the form to declare an incident.")

ONCALL_COMMAND = "/oncall"
ONCALL_SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("", "/oncall", "Who is on call now, for every service and schedule."),
    Subcommand(
        "show",
        "/oncall <service|team|schedule>",
        "Who is on call now and next, and the shifts of the next 7 days.",
    ),
    Subcommand(
        "override",
        "/oncall override <@user> <duration|until HH:MM> [schedule]",
        "Cover a schedule from now: for 2h, 1h30m… or until a time on your clock.",
    ),
    Subcommand("help", "/oncall help", "Show the /oncall commands."),
)

POSTMORTEM_COMMAND = "/postmortem"
POSTMORTEM_SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("list", "/postmortem list [service]", "Published postmortems, newest first."),
    Subcommand("show", "/postmortem show <number>", "One incident's postmortem, with links."),
    Subcommand("help", "/postmortem help", "Show the /postmortem commands."),
)

_NUMBER = re.compile(r"^#(\d{1,9})$")
_AT_TIME = re.compile(r"^(.*?)\s+at\s+([01]?\d|2[0-3]):([0-5]\d)$", re.IGNORECASE | re.DOTALL)
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_SEVERITY = re.compile(r"^sev([0-9])$", re.IGNORECASE)
_SERVICE = re.compile(r"^service:(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: str
    args: str


def parse(text: str) -> ParsedCommand:
    """Split `/incident` text into its subcommand (lowercased) and the raw rest."""
    head, _, rest = text.strip().partition(" ")
    return ParsedCommand(subcommand=head.lower(), args=rest.strip())


def find(name: str, among: tuple[Subcommand, ...] = INCIDENT_SUBCOMMANDS) -> Subcommand | None:
    return next((sub for sub in among if sub.name == name), None)


def take_number(args: str) -> tuple[int | None, str]:
    """A leading `#12` names the incident; the rest of the text is returned untouched."""
    head, _, rest = args.strip().partition(" ")
    match = _NUMBER.match(head)
    return (int(match.group(1)), rest.strip()) if match else (None, args.strip())


def mention(token: str) -> str | None:
    """The user id in a Slack-escaped mention `<@U123|name>`, else None."""
    match = _MENTION.match(token.strip())
    return match.group(1) if match else None


@dataclass(frozen=True)
class DeclareArgs:
    title: str
    severity: str | None
    service: str | None
    private: bool


def parse_declare(args: str) -> DeclareArgs:
    """Options trail the title, in any order: "Private API down sev2 private" keeps its title."""
    words = args.split()
    severity = service = None
    private = False
    while words:
        word = words[-1]
        if (sev := _SEVERITY.match(word)) is not None and severity is None:
            severity = f"SEV{sev.group(1)}"
        elif (svc := _SERVICE.match(word)) is not None and service is None:
            service = svc.group(1).lower()
        elif word.lower() == "private" and not private:
            private = True
        else:
            break
        words.pop()
    return DeclareArgs(" ".join(words), severity, service, private)


def split_trailing_mention(text: str) -> tuple[str, str | None]:
    """`Roll back v42 <@U123>` → ("Roll back v42", "U123")."""
    head, _, last = text.strip().rpartition(" ")
    user = mention(last)
    return (head.strip(), user) if user and head.strip() else (text.strip(), None)


def take_trailing_number(args: str) -> tuple[int | None, str]:
    """A trailing `#12` names the incident: `dave #12` → (12, "dave")."""
    head, _, last = args.strip().rpartition(" ")
    match = _NUMBER.match(last)
    return (int(match.group(1)), head.strip()) if match else (None, args.strip())


@dataclass(frozen=True)
class OverrideArgs:
    user: str
    when: str  # "2h" or "until 17:30", checked by bot.domain.oncall.cover
    schedule: str | None


def parse_override(args: str) -> OverrideArgs | None:
    """`<@user> <duration|until HH:MM> [schedule]`, or None when the words do not fit."""
    words = args.split()
    user = mention(words[0]) if words else None
    if user is None or len(words) < 2:
        return None
    size = 2 if words[1].lower() == "until" else 1
    when, rest = words[1 : 1 + size], words[1 + size :]
    if len(when) < size or len(rest) > 1:
        return None
    return OverrideArgs(user, " ".join(when), rest[0].lower() if rest else None)


def split_trailing_time(text: str) -> tuple[str, time | None]:
    """`Rolled back at 14:05` → ("Rolled back", 14:05); text without one is left whole."""
    match = _AT_TIME.match(text.strip())
    if match is None or not match.group(1).strip():
        return text.strip(), None
    return match.group(1).strip(), time(int(match.group(2)), int(match.group(3)))
