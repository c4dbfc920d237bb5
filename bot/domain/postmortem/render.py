"""The postmortem as Markdown, from a Jinja template that is checked once, at start-up.

`load_template` parses the template and renders two built-in sample reports with it (one
full, one nearly empty), so a syntax error, an unknown variable or a filter misused fails
the start-up with the file and line, instead of failing a publish later. User text enters
the Markdown only through the `md` and `md_block` filters, which escape everything that
could turn it into structure: headings, lists, tables, links, HTML.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import groupby
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2

from bot.domain.postmortem.report import (
    ActionItemInfo,
    Analysis,
    DeployInfo,
    Durations,
    IncidentInfo,
    LikelyTrigger,
    Milestones,
    Person,
    Pin,
    Report,
    RoleSpell,
    TimelineItem,
)

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "postmortem.md.j2"
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What makes inline Markdown (emphasis, code, links, autolinks and HTML, table cells,
# headings, strikethrough); the backslash first, so later escapes are not escaped again.
# `&` is escaped only where it would start an entity.
_INLINE = tuple((c, "\\" + c) for c in "\\`*_[]<>|#~")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_LINK_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_URL_SAFE = "!#$%&'*+,/:;=?@[]~"
_URL_PLAIN = re.compile(r"[A-Za-z0-9\-._~!#$%&'*+,/:;=?@\[\]]*")
_OBJECT_REPR = re.compile(r"'(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*) object'")


class TemplateError(Exception):
    """A postmortem template that cannot be used; str() is one line naming file and line."""


@dataclass(frozen=True)
class PostmortemTemplate:
    path: Path
    template: jinja2.Template


@dataclass(frozen=True)
class Day:
    """Timeline entries of one calendar day in the organisation's timezone."""

    date: date
    items: tuple[TimelineItem, ...]


def load_template(path: Path | None) -> PostmortemTemplate:
    """Load and check a template (None: the one that ships); raises TemplateError."""
    path = (path or DEFAULT_TEMPLATE).resolve()
    if path == DEFAULT_TEMPLATE:
        return _default_template()
    return _load(path)


@functools.cache
def _default_template() -> PostmortemTemplate:
    """Compiled once per process: it is package data, and compiling takes ~50 ms (every
    start-up, and every test that builds an app, would pay it)."""
    return _load(DEFAULT_TEMPLATE)


def _load(path: Path) -> PostmortemTemplate:
    environment = _environment(path.parent)
    try:
        template = environment.get_template(path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            _where(exc.filename or str(path), exc.lineno, f"syntax error: {exc.message}")
        ) from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{path}: cannot read the template (no such file)") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: cannot read the template (not UTF-8 text)") from None
    except OSError as exc:
        raise TemplateError(f"{path}: cannot read the template ({exc.strerror})") from None
    loaded = PostmortemTemplate(path, template)
    for sample, tz in ((sample_report(), "Europe/Berlin"), (sample_report(empty=True), "UTC")):
        try:
            render_markdown(loaded, sample, tz)
        except Exception as exc:
            raise TemplateError(_runtime_problem(exc, path)) from None
    return loaded


def render_markdown(template: PostmortemTemplate, report: Report, tz: tzinfo | str) -> str:
    """The report as Markdown, times in `tz` (the organisation's zone, UTC shown beside)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    name = getattr(zone, "key", None) or zone.tzname(None) or "UTC"
    return template.template.render(
        report=report,
        tz=zone,
        tz_name=name,
        show_utc=name not in _UTC_NAMES,
        timeline_days=timeline_days(report.timeline, zone),
    )


def timeline_days(items: tuple[TimelineItem, ...], zone: tzinfo) -> tuple[Day, ...]:
    """Consecutive entries grouped by local date, so the order stays chronological."""
    return tuple(
        Day(day, tuple(group))
        for day, group in groupby(items, key=lambda item: item.occurred_at.astimezone(zone).date())
    )


def md(value: object) -> str:
    """User text as one line of Markdown that renders as exactly that text."""
    return _escape(" ".join(_CONTROL.sub("", _text(value)).split()))


def md_block(value: object) -> str:
    """User text as Markdown paragraphs: blank lines separate them, other line breaks stay
    (hard breaks), and nothing in it can become a heading, list, quote, table or code."""
    paragraphs: list[list[str]] = [[]]
    for raw in _CONTROL.sub("", _text(value)).splitlines():
        line = " ".join(raw.split())
        if line:
            paragraphs[-1].append(_escape(line))
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def md_url(value: object) -> str:
    """A link destination, or "" when it is not an http(s) or mailto URL."""
    url = _text(value).strip()
    if not _LINK_SCHEME.match(url):
        return ""
    return url if _URL_PLAIN.fullmatch(url) else quote(url, safe=_URL_SAFE)


def duration(value: timedelta | None) -> str:
    """`45 s`, `4 min`, `1 h 12 min`, `2 d 3 h`; None (never reached) is `—`."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours:
        text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    elif minutes:
        text = f"{minutes} min"
    else:
        text = f"{secs} s"
    return sign + text


def _environment(search_path: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search_path),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: user text goes through `md`/`md_block`
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    environment.filters.update(
        md=md,
        md_block=md_block,
        md_url=md_url,
        duration=duration,
        stamp=_stamp,
        when=_when,
        day=_day,
        isodate=_isodate,
    )
    return environment


@jinja2.pass_context
def _stamp(context: jinja2.runtime.Context, value: datetime) -> str:
    """`14:05 (13:05 UTC)`: local time, and UTC unless the organisation is on UTC."""
    local = value.astimezone(context["tz"])
    if not context["show_utc"]:
        return f"{local.hour:02d}:{local.minute:02d}"
    utc = value.astimezone(UTC)
    return f"{local.hour:02d}:{local.minute:02d} ({utc.hour:02d}:{utc.minute:02d} UTC)"


@jinja2.pass_context
def _when(context: jinja2.runtime.Context, value: datetime | None) -> str:
    """`2026-11-23 10:05 CET (09:05 UTC)`; the zone's abbreviation settles DST."""
    if value is None:
        return "—"
    local = value.astimezone(context["tz"])
    if not context["show_utc"]:
        return f"{local:%Y-%m-%d %H:%M} UTC"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({value.astimezone(UTC):%H:%M} UTC)"


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _isodate(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _escape(line: str) -> str:
    """One line of text, already without line breaks, escaped for Markdown. At its start,
    what would open a list, a setext heading or a thematic break is escaped too."""
    for char, escaped in _INLINE:  # str.replace per character: ~9x faster than translate
        if char in line:
            line = line.replace(char, escaped)
    if "&" in line:
        line = _ENTITY.sub(r"\\&", line)
    if line[:1] in ("-", "+", "="):
        return "\\" + line
    if line[:1].isdigit():
        return _ORDERED_MARKER.sub(r"\1\\\2", line)
    return line


def _where(filename: str, line: int | None, problem: str) -> str:
    problem = " ".join(problem.split())
    return f"{filename}: line {line}: {problem}" if line else f"{filename}: {problem}"


def _runtime_problem(exc: Exception, path: Path) -> str:
    """Where a trial render failed: the last traceback frame inside the template's folder
    (Jinja maps template frames to the template file and line)."""
    folder = str(path.parent) + os.sep
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(folder)]
    frame = frames[-1] if frames else None
    message = _OBJECT_REPR.sub(r"\1", str(exc))
    if isinstance(exc, jinja2.UndefinedError):
        problem = f"unknown variable or attribute: {message}"
    else:
        problem = f"fails on a sample report: {type(exc).__name__}: {message}"
    return _where(frame.filename if frame else str(path), frame.lineno if frame else None, problem)


def sample_report(*, empty: bool = False) -> Report:
    """A made-up incident exercising every field (or, `empty`, every "nothing yet" branch),
    used to check templates before they are trusted with real ones."""
    t0 = datetime(2026, 3, 28, 22, 40, tzinfo=UTC)  # spans midnight in most zones

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    alice, bob, carol = Person("U0A", "Alice"), Person("U0B", "Bob"), Person("U0C", "Carol")
    incident = IncidentInfo(
        id=1,
        number=7,
        ref="INC-7",
        title="Checkout errors",
        description="Card payments fail.",
        severity="SEV1",
        severity_label="Critical",
        service="checkout",
        private=True,
        status="resolved",
        declared_by=alice,
        channel_name="inc-7-checkout-errors",
        resolution_summary="Rolled back.",
    )
    window = timedelta(minutes=60)
    if empty:
        return Report(
            incident=replace(
                incident,
                description="",
                severity="SEV9",
                severity_label="SEV9",
                service=None,
                private=False,
                status="triggered",
                declared_by=None,
                channel_name=None,
                resolution_summary="",
            ),
            roles=(),
            role_history=(),
            milestones=Milestones(at(0), at(0), None, None, None, None, None),
            durations=Durations(at(0), False, timedelta(0), None, None, None, None),
            postmortem=Analysis("draft", False, "", "", "", (), "", "", "", None, None),
            action_items=(),
            timeline=(),
            trigger=LikelyTrigger(None, window, at(0), (), (), None, None),
        )
    commander = RoleSpell("commander", "Incident commander", alice, None, at(0), at(30))
    relief = RoleSpell("commander", "Incident commander", bob, alice, at(30), None)
    scribe = RoleSpell("scribe", "Scribe", carol, alice, at(5), None)
    suspect = DeployInfo(
        id=1,
        service="checkout",
        deployed_at=at(-12),
        version="v2.3.0",
        author="Dave",
        description="New cache",
        url="https://ci.example.com/1",
        source="ci",
        from_detection=timedelta(minutes=-12),
    )
    rollback = replace(
        suspect,
        id=2,
        deployed_at=at(40),
        version="v2.2.9",
        author="",
        description="",
        url=None,
        from_detection=timedelta(minutes=40),
    )
    message = TimelineItem(
        id=2,
        occurred_at=at(10),
        kind="message",
        actor=bob,
        text="Errors <script> | spike",
        source_url="https://example.slack.com/archives/C1/p1",
        pinned=True,
        captured=True,
        pinned_by=(Pin("reaction", carol), Pin("pin", None), Pin("shortcut", bob)),
        files=("graph.png",),
        edited=True,
    )
    status = replace(
        message,
        id=3,
        occurred_at=at(90),
        kind="status",
        actor=None,
        text="Status monitoring → resolved",
        source_url=None,
        pinned=False,
        captured=False,
        pinned_by=(),
        files=(),
        edited=False,
    )
    item = ActionItemInfo(
        position=0,
        text="Add a cache test",
        owner=bob,
        due_date=date(2026, 4, 3),
        jira_key="OPS-1",
        jira_url="https://jira.example.com/browse/OPS-1",
        jira_status="filed",
        done=False,
    )
    return Report(
        incident=incident,
        roles=(relief, scribe),
        role_history=(commander, scribe, relief),
        milestones=Milestones(at(0), at(0), at(2), at(25), at(45), at(90), at(1500)),
        durations=Durations(
            impact_start=at(-8),
            impact_start_from_alerts=True,
            to_detect=timedelta(minutes=8),
            to_acknowledge=timedelta(minutes=2),
            to_identify=timedelta(minutes=25),
            to_mitigate=timedelta(minutes=45),
            to_resolve=timedelta(minutes=90),
        ),
        postmortem=Analysis(
            status="published",
            exists=True,
            summary="Payments failed.",
            impact="Half of checkouts.",
            users_affected="About 2,000",
            whys=("A bad cache key.", "No test for it."),
            contributing_factors="Friday deploy.",
            went_well="Fast rollback.",
            went_poorly="Slow paging.",
            published_at=at(2000),
            published_by=bob,
        ),
        action_items=(
            item,
            replace(
                item,
                position=1,
                text="Page faster",
                owner=None,
                due_date=None,
                jira_key=None,
                jira_url=None,
                jira_status="pending",
                done=True,
            ),
            replace(
                item,
                position=2,
                text="Write a runbook",
                owner=carol,
                jira_key="OPS-2",
                jira_url=None,
            ),
        ),
        timeline=(
            TimelineItem(
                1, at(0), "declared", alice, "Declared SEV1", None, False, False, (), (), False
            ),
            message,
            status,
        ),
        trigger=LikelyTrigger("checkout", window, at(0), (suspect,), (rollback,), at(90), at(45)),
    )
