"""The postmortem report's data: one incident read into plain, frozen values.

Templates only ever see what is here, so this is where user ids become names and Slack
markup becomes plain text. Each table is read with one query (never one per entry), so a
report over ten thousand timeline entries still loads in a fraction of a second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import String, func, type_coerce
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import OpsConfig
from bot.domain.errors import NotFound
from storage.models import (
    ActionItem,
    Alert,
    AlertGroup,
    Deploy,
    Incident,
    IncidentRole,
    JiraStatus,
    Postmortem,
    PostmortemStatus,
    TimelineEntry,
    User,
)

DEFAULT_TRIGGER_WINDOW = timedelta(minutes=60)
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# Every `<…>` token Slack puts in message text; anything else in angle brackets is user text.
_MARKUP = re.compile(
    r"<(?:"
    r"@(?P<user>[UW][A-Z0-9]+)(?:\|(?P<user_label>[^<>]*))?"
    r"|#(?P<channel>[CGD][A-Z0-9]+)(?:\|(?P<channel_label>[^<>]*))?"
    r"|!(?P<special>here|channel|everyone)(?:\|[^<>]*)?"
    r"|!subteam\^(?P<group>[A-Z0-9]+)(?:\|(?P<group_label>[^<>]*))?"
    r"|!date\^[^|<>]*\|(?P<date_fallback>[^<>]*)"
    r"|(?P<url>(?:https?|mailto|tel):[^|<>\s]+)(?:\|(?P<url_label>[^<>]*))?"
    r")>"
)
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# Unknown ids are looked up in batches, so a pathological text cannot exceed bind limits.
_USER_BATCH = 500


@dataclass(frozen=True)
class Person:
    id: str
    name: str


@dataclass(frozen=True)
class RoleSpell:
    """One person holding one role, from assignment until relieved (None: still holds it)."""

    role: str
    label: str
    person: Person
    assigned_by: Person | None
    assigned_at: datetime
    relieved_at: datetime | None

    @property
    def current(self) -> bool:
        return self.relieved_at is None


@dataclass(frozen=True)
class IncidentInfo:
    id: int
    number: int
    ref: str
    title: str
    description: str
    severity: str
    severity_label: str
    service: str | None
    private: bool
    status: str
    declared_by: Person | None
    channel_name: str | None
    resolution_summary: str


@dataclass(frozen=True)
class Milestones:
    declared: datetime
    detected: datetime
    acknowledged: datetime | None
    identified: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    closed: datetime | None


@dataclass(frozen=True)
class Durations:
    """Time to detect runs from the impact start; every other one from detection."""

    impact_start: datetime
    impact_start_from_alerts: bool
    to_detect: timedelta
    to_acknowledge: timedelta | None
    to_identify: timedelta | None
    to_mitigate: timedelta | None
    to_resolve: timedelta | None


@dataclass(frozen=True)
class Analysis:
    """The written part of the postmortem; an empty draft until someone saves one."""

    status: str
    exists: bool
    summary: str
    impact: str
    users_affected: str
    whys: tuple[str, ...]
    contributing_factors: str
    went_well: str
    went_poorly: str
    published_at: datetime | None
    published_by: Person | None


@dataclass(frozen=True)
class ActionItemInfo:
    position: int
    text: str
    owner: Person | None
    due_date: date | None
    jira_key: str | None
    jira_url: str | None
    jira_status: str
    done: bool

    @property
    def status(self) -> str:
        return "done" if self.done else "open"


@dataclass(frozen=True)
class Pin:
    """Who keeps a captured message in the timeline: `reaction`, `shortcut` or `pin`."""

    source: str
    person: Person | None


@dataclass(frozen=True)
class TimelineItem:
    id: int
    occurred_at: datetime
    kind: str
    actor: Person | None
    text: str
    source_url: str | None
    pinned: bool
    captured: bool
    pinned_by: tuple[Pin, ...]
    files: tuple[str, ...]
    edited: bool


@dataclass(frozen=True)
class DeployInfo:
    id: int
    service: str
    deployed_at: datetime
    version: str
    author: str
    description: str
    url: str | None
    source: str
    from_detection: timedelta  # negative: before detection

    @property
    def before_detection(self) -> timedelta:
        return -self.from_detection


@dataclass(frozen=True)
class LikelyTrigger:
    """Deploys of the service shortly before detection (newest first) and while it was open
    (oldest first). The newest one before detection is the prime suspect; the newest one
    during the incident that is not after mitigation is probably what mitigated it."""

    service: str | None
    window: timedelta
    detected_at: datetime
    before: tuple[DeployInfo, ...]
    during: tuple[DeployInfo, ...]
    during_until: datetime | None
    mitigated_at: datetime | None

    @property
    def suspect(self) -> DeployInfo | None:
        return self.before[0] if self.before else None

    @property
    def mitigation(self) -> DeployInfo | None:
        if self.mitigated_at is None:
            return None
        mitigated_at = self.mitigated_at
        candidates = [d for d in self.during if d.deployed_at <= mitigated_at]
        return candidates[-1] if candidates else None


@dataclass(frozen=True)
class Report:
    incident: IncidentInfo
    roles: tuple[RoleSpell, ...]  # current holders, in the config's role order
    role_history: tuple[RoleSpell, ...]  # every assignment, oldest first
    milestones: Milestones
    durations: Durations
    postmortem: Analysis
    action_items: tuple[ActionItemInfo, ...]
    timeline: tuple[TimelineItem, ...]
    trigger: LikelyTrigger


async def load_report(
    session: AsyncSession,
    incident_id: int,
    config: OpsConfig,
    *,
    trigger_window: timedelta = DEFAULT_TRIGGER_WINDOW,
) -> Report:
    """Everything the postmortem shows about one incident, in one query per table."""
    incident = await session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("That incident no longer exists.")
    roles = (
        await session.exec(
            select(IncidentRole)
            .where(IncidentRole.incident_id == incident_id)
            .order_by(col(IncidentRole.assigned_at), col(IncidentRole.id))
        )
    ).all()
    rows = (
        await session.exec(
            select(
                TimelineEntry.id,
                TimelineEntry.occurred_at,
                TimelineEntry.kind,
                TimelineEntry.actor,
                TimelineEntry.text,
                TimelineEntry.source_url,
                TimelineEntry.pinned,
                col(TimelineEntry.message_ts).is_not(None),
                col(TimelineEntry.edited_at).is_not(None),
                # Unparsed: the JSON type would json.loads every value, nearly all `[]`.
                type_coerce(TimelineEntry.pinned_by, String),
                type_coerce(TimelineEntry.files, String),
            )
            .where(TimelineEntry.incident_id == incident_id, col(TimelineEntry.hidden).is_(False))
            .order_by(col(TimelineEntry.occurred_at), col(TimelineEntry.id))
        )
    ).all()
    entries = [(*row[:9], _json_list(row[9]), _json_list(row[10])) for row in rows]
    alerts_start = (
        await session.exec(
            select(func.min(Alert.starts_at))
            .join(AlertGroup, col(AlertGroup.id) == col(Alert.group_id))
            .where(AlertGroup.incident_id == incident_id)
        )
    ).one()
    postmortem = (
        await session.exec(select(Postmortem).where(Postmortem.incident_id == incident_id))
    ).first()
    items = (
        await session.exec(
            select(ActionItem)
            .where(ActionItem.incident_id == incident_id)
            .order_by(col(ActionItem.position), col(ActionItem.id))
        )
    ).all()
    deploys = await _deploys(session, incident, trigger_window)

    wanted: set[str] = {r.user_id for r in roles} | {r.assigned_by for r in roles if r.assigned_by}
    wanted |= {i.owner for i in items if i.owner}
    wanted |= {d.author for d in deploys if USER_ID.match(d.author)}
    wanted |= {u for u in (incident.declared_by, postmortem and postmortem.published_by) if u}
    sources: set[str] = set()
    for _, _, _, actor, text, _, _, _, _, pinned_by, _ in entries:
        if actor:
            wanted.add(actor)
        if "<@" in text:
            wanted.update(_MENTION.findall(text))
        sources.update(pinned_by)
    wanted |= {user for _, user in map(_pin_source, sources) if user}
    names = _Names(await _names(session, wanted), incident.channel_id, incident.channel_name)
    person, plain = names.person, names.plain

    return Report(
        incident=_incident_info(incident, config, names),
        roles=_current_roles(roles, config, names),
        role_history=tuple(_spell(r, config, names) for r in roles),
        milestones=Milestones(
            declared=incident.created_at,
            detected=incident.detected_at,
            acknowledged=incident.acknowledged_at,
            identified=incident.identified_at,
            mitigated=incident.mitigated_at,
            resolved=incident.resolved_at,
            closed=incident.closed_at,
        ),
        durations=_durations(incident, alerts_start),
        postmortem=_analysis(postmortem, names),
        action_items=tuple(
            ActionItemInfo(
                position=i.position,
                text=plain(i.text),
                owner=person(i.owner),
                due_date=i.due_date,
                jira_key=i.jira_key,
                jira_url=i.jira_url,
                jira_status=i.jira_status or JiraStatus.NONE.value,
                done=i.completed_at is not None,
            )
            for i in items
        ),
        timeline=tuple(
            TimelineItem(
                id=entry_id,
                occurred_at=occurred_at,
                kind=kind,
                actor=person(actor),
                text=plain(text, captured=captured),
                source_url=source_url,
                pinned=pinned,
                captured=captured,
                pinned_by=tuple(map(names.pin, pinned_by)),
                files=files,
                edited=edited,
            )
            for (
                entry_id,
                occurred_at,
                kind,
                actor,
                text,
                source_url,
                pinned,
                captured,
                edited,
                pinned_by,
                files,
            ) in entries
        ),
        trigger=_trigger(incident, trigger_window, deploys, names),
    )


async def _deploys(session: AsyncSession, incident: Incident, window: timedelta) -> list[Deploy]:
    """The service's deploys from the window before detection until resolution."""
    if not incident.service:
        return []
    query = select(Deploy).where(
        Deploy.service == incident.service,
        col(Deploy.deployed_at) >= incident.detected_at - window,
    )
    if incident.resolved_at is not None:
        query = query.where(col(Deploy.deployed_at) <= incident.resolved_at)
    return list((await session.exec(query.order_by(col(Deploy.deployed_at), col(Deploy.id)))).all())


def _trigger(
    incident: Incident, window: timedelta, deploys: list[Deploy], names: _Names
) -> LikelyTrigger:
    detected = incident.detected_at
    infos = [
        DeployInfo(
            id=d.id or 0,
            service=d.service,
            deployed_at=d.deployed_at,
            version=d.version,
            author=names.name(d.author),
            description=d.description,
            url=d.url,
            source=d.source,
            from_detection=d.deployed_at - detected,
        )
        for d in deploys
    ]
    return LikelyTrigger(
        service=incident.service,
        window=window,
        detected_at=detected,
        before=tuple(reversed([d for d in infos if d.deployed_at <= detected])),
        during=tuple(d for d in infos if d.deployed_at > detected),
        during_until=incident.resolved_at,
        mitigated_at=incident.mitigated_at,
    )


def _durations(incident: Incident, alerts_start: datetime | None) -> Durations:
    detected = incident.detected_at
    start = min(alerts_start, detected) if alerts_start else detected

    def since_detection(milestone: datetime | None) -> timedelta | None:
        return milestone - detected if milestone else None

    return Durations(
        impact_start=start,
        impact_start_from_alerts=start < detected,
        to_detect=detected - start,
        to_acknowledge=since_detection(incident.acknowledged_at),
        to_identify=since_detection(incident.identified_at),
        to_mitigate=since_detection(incident.mitigated_at),
        to_resolve=since_detection(incident.resolved_at),
    )


def _incident_info(incident: Incident, config: OpsConfig, names: _Names) -> IncidentInfo:
    assert incident.id is not None
    severity = config.severity(incident.severity)
    return IncidentInfo(
        id=incident.id,
        number=incident.number,
        ref=f"INC-{incident.number}",
        title=names.plain(incident.title),
        description=names.plain(incident.description),
        severity=incident.severity,
        severity_label=severity.label if severity else incident.severity,
        service=incident.service,
        private=incident.private,
        status=incident.status,
        declared_by=names.person(incident.declared_by),
        channel_name=incident.channel_name,
        resolution_summary=names.plain(incident.resolution_summary),
    )


def _spell(role: IncidentRole, config: OpsConfig, names: _Names) -> RoleSpell:
    spec = config.role(role.role)
    return RoleSpell(
        role=role.role,
        label=spec.label if spec else role.role,
        person=names.known(role.user_id),
        assigned_by=names.person(role.assigned_by),
        assigned_at=role.assigned_at,
        relieved_at=role.relieved_at,
    )


def _current_roles(
    roles: Iterable[IncidentRole], config: OpsConfig, names: _Names
) -> tuple[RoleSpell, ...]:
    order = {r.id: i for i, r in enumerate(config.roles)}
    current = [_spell(r, config, names) for r in roles if r.relieved_at is None]
    return tuple(sorted(current, key=lambda s: (order.get(s.role, len(order)), s.role)))


def _analysis(postmortem: Postmortem | None, names: _Names) -> Analysis:
    if postmortem is None:
        return Analysis(
            status=PostmortemStatus.DRAFT.value,
            exists=False,
            summary="",
            impact="",
            users_affected="",
            whys=(),
            contributing_factors="",
            went_well="",
            went_poorly="",
            published_at=None,
            published_by=None,
        )
    plain = names.plain
    return Analysis(
        status=postmortem.status,
        exists=True,
        summary=plain(postmortem.summary),
        impact=plain(postmortem.impact),
        users_affected=plain(postmortem.users_affected),
        whys=tuple(plain(w) for w in postmortem.whys if w.strip()),
        contributing_factors=plain(postmortem.contributing_factors),
        went_well=plain(postmortem.went_well),
        went_poorly=plain(postmortem.went_poorly),
        published_at=postmortem.published_at,
        published_by=names.person(postmortem.published_by),
    )


async def _names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Display names (the real name when Slack has one) of the users the cache knows."""
    wanted = sorted(ids)
    names: dict[str, str] = {}
    for start in range(0, len(wanted), _USER_BATCH):
        rows = await session.exec(
            select(User.id, User.name, User.real_name).where(
                col(User.id).in_(wanted[start : start + _USER_BATCH])
            )
        )
        names.update({uid: real or name or uid for uid, name, real in rows.all()})
    return names


def _json_list(value: object) -> tuple[str, ...]:
    """A JSON list column read unparsed: text on SQLite, already a list on PostgreSQL."""
    if isinstance(value, str):
        return () if value == "[]" else tuple(json.loads(value))
    return tuple(value) if isinstance(value, list) else ()


def _pin_source(source: str) -> tuple[str, str | None]:
    """`reaction:U1` → (`reaction`, `U1`); `pin` → (`pin`, None)."""
    kind, _, user = source.partition(":")
    return kind, user or None


class _Names:
    """User ids to people and Slack markup to plain text, each answer made once and shared
    (a long timeline repeats the same few people, pins and mentions thousands of times)."""

    def __init__(
        self, names: dict[str, str], channel_id: str | None, channel_name: str | None
    ) -> None:
        self._names = names
        self._channels = {channel_id: channel_name} if channel_id and channel_name else {}
        self._people: dict[str, Person] = {}
        self._pins: dict[str, Pin] = {}
        self._markup: dict[str, str] = {}

    def name(self, user_id: str) -> str:
        return self._names.get(user_id, user_id)

    def known(self, user_id: str) -> Person:
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = Person(user_id, self.name(user_id))
        return person

    def person(self, user_id: str | None) -> Person | None:
        return self.known(user_id) if user_id else None

    def pin(self, source: str) -> Pin:
        pin = self._pins.get(source)
        if pin is None:
            kind, user = _pin_source(source)
            pin = self._pins[source] = Pin(kind, self.person(user))
        return pin

    def plain(self, text: str, *, captured: bool = False) -> str:
        """Mentions and channels to names, links to `label (url)`, and for a captured
        message (text as Slack stores it) its three escaped characters back."""
        if "<" in text:
            text = _MARKUP.sub(self._replace, text)
        if captured and "&" in text:
            for entity, char in _ENTITIES:
                text = text.replace(entity, char)
        return text

    def _replace(self, match: re.Match[str]) -> str:
        token = match.group(0)
        plain = self._markup.get(token)
        if plain is None:
            plain = self._markup[token] = self._token(match)
        return plain

    def _token(self, match: re.Match[str]) -> str:
        groups = match.groupdict()
        if user := groups["user"]:
            known = self._names.get(user)
            return f"@{known or groups['user_label'] or user}"
        if channel := groups["channel"]:
            return f"#{groups['channel_label'] or self._channels.get(channel) or channel}"
        if special := groups["special"]:
            return f"@{special}"
        if group := groups["group"]:
            label = groups["group_label"]
            return label if label else f"@{group}"
        if groups["date_fallback"] is not None:
            return groups["date_fallback"]
        url = groups["url"]
        label = groups["url_label"]
        if not label or label == url or url.removeprefix("mailto:") == label:
            return label or url
        return f"{label} ({url})"
