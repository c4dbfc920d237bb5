"""Grouping alerts into incidents, race-safely.

A partial unique index allows one *open* group per (integration, dedup key). The first
delivery inserts the group and declares its incident in the same transaction; a concurrent
delivery of the same alert hits the index, waits for that transaction, and joins the group.

Deliveries that only trigger (most of them: Alertmanager re-sends a firing group every few
minutes) are written in batches by `triggers`, which counts plain repeats in bulk and applies
the rest with `_apply_in` in the batch's transaction. Resolves, acknowledgements and whatever
a failed batch gives back take `_apply_in` in a transaction of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.alerts import triggers
from bot.domain.alerts.integrations import Integration
from bot.domain.alerts.outcome import Outcome
from bot.domain.alerts.payloads import AlertEvent
from bot.domain.paging import engine as paging
from storage.db import Database
from storage.models import Alert, AlertGroup, Incident, IncidentStatus, TimelineEntry

STORM_WINDOW = timedelta(minutes=1)
ATTEMPTS = 3
# Counted for every new group, so built once, and run as Core: no ORM bookkeeping for a count.
_RECENT_GROUPS = (
    select(func.count())
    .select_from(AlertGroup)
    .where(
        col(AlertGroup.service) == bindparam("service"),
        col(AlertGroup.first_seen) > bindparam("since"),
    )
)


async def receive(
    db: Database,
    clock: Clock,
    config: OpsConfig,
    integration: Integration,
    events: list[AlertEvent],
) -> list[Outcome]:
    """Apply a delivery's events group by group (by dedup key)."""
    by_key: dict[str, list[AlertEvent]] = {}
    for event in events:
        by_key.setdefault(event.dedup_key, []).append(event)
    outcomes = []
    for key, group_events in by_key.items():
        now = clock.now()
        apply = partial(
            _apply_in, config=config, integration=integration, key=key, events=group_events, now=now
        )
        if all(e.action == "trigger" for e in group_events):
            fingerprints = frozenset(e.fingerprint for e in group_events)
            trigger = triggers.Trigger(integration.name, key, fingerprints, now, apply)
            if (written := await triggers.write(db, trigger)) is not None:
                outcomes.append(written)
                continue
        for attempt in range(ATTEMPTS):
            try:
                async with db.transaction() as session:
                    outcomes.append(await apply(session, triggers.Lookup.WAIT))
                break
            except IntegrityError:
                # Another delivery opened this group first; now it is visible, so join it.
                if attempt == ATTEMPTS - 1:
                    raise
    return outcomes


async def _apply_in(
    session: AsyncSession,
    lookup: triggers.Lookup,
    *,
    config: OpsConfig,
    integration: Integration,
    key: str,
    events: list[AlertEvent],
    now: datetime,
) -> Outcome:
    """Apply one delivery's events for one group, inside the caller's transaction."""
    outcome = Outcome()
    triggered = any(e.action == "trigger" for e in events)
    group = (
        None
        if lookup is triggers.Lookup.NONE_OPEN
        else await _open_group(session, integration.name, key, lookup is triggers.Lookup.WAIT)
    )
    alerts: dict[str, Alert] = {}  # by fingerprint
    if group is None:
        if not triggered:
            return outcome  # resolving or acknowledging something never seen: nothing to do
        group = await _new_group(session, config, integration, key, events, now, outcome)
    else:
        alerts = await _alerts(session, group, {e.fingerprint for e in events})
        group.last_seen = now
        if triggered:
            group.count += 1
    assert group.id is not None
    outcome.group_id, outcome.incident_id = group.id, group.incident_id
    for event in events:
        _record(session, group, event, now, outcome, alerts)
    if outcome.new_alerts and not outcome.declared and group.incident_id:
        await _timeline(
            session,
            group.incident_id,
            now,
            f"New alerts firing in group: {', '.join(outcome.new_alerts)}",
        )
    resolving = any(e.action == "resolve" for e in events)
    if resolving and await _all_resolved(session, group.id):
        group.status = "closed"
        group.closed_at = now
        if integration.auto_resolve and group.incident_id:
            outcome.resolved = await _resolve_if_quiet(session, config, group, now)
    if any(e.action == "acknowledge" for e in events) and group.incident_id:
        outcome.acknowledged = await _acknowledge(session, group.incident_id, now)
    session.add(group)
    return outcome


async def _open_group(
    session: AsyncSession, integration: str, key: str, wait: bool
) -> AlertGroup | None:
    return (
        await session.exec(
            select(AlertGroup)
            .where(
                AlertGroup.integration == integration,
                AlertGroup.dedup_key == key,
                AlertGroup.status == "open",
            )
            .with_for_update(nowait=not wait)
        )
    ).first()


async def _new_group(
    session: AsyncSession,
    config: OpsConfig,
    integration: Integration,
    key: str,
    events: list[AlertEvent],
    now: datetime,
    outcome: Outcome,
) -> AlertGroup:
    """Attach to a storm's incident or declare one, then insert the group: the partial unique
    index decides a race there, and the loser's transaction (its incident too) rolls back."""
    first = next(e for e in events if e.action == "trigger")
    service = _service(config, integration, first)
    severity = integration.severity_map.get(
        (first.severity or "").lower(), integration.default_severity
    )
    storm = await _storm_incident(session, integration, service, now)
    if storm is not None:
        incident_id = storm
        outcome.attached_to_storm = True
        await _timeline(
            session,
            storm,
            now,
            f"Alert storm: “{first.summary}” attached here instead of opening another incident",
        )
    else:
        incident = await lifecycle.declare_in(
            session,
            now,
            config,
            title=first.summary[: lifecycle.MAX_TITLE] or "Alert",
            declared_by=None,
            severity=severity,
            service=service,
            description=_description(first),
            detected_at=first.starts_at,
            source=f"{integration.type} alert ({integration.name})",
        )
        incident_id = incident.id
        outcome.declared = True
        outcome.incident = incident
    group = AlertGroup(
        integration=integration.name,
        dedup_key=key,
        service=service,
        title=first.summary,
        severity=severity,
        incident_id=incident_id,
        first_seen=now,
        last_seen=now,
    )
    session.add(group)
    await session.flush()
    return group


def _service(config: OpsConfig, integration: Integration, event: AlertEvent) -> str | None:
    if integration.service_label:
        named = event.labels.get(integration.service_label, "").lower()
        if named and config.service(named) is not None:
            return named
    return integration.service


async def _storm_incident(
    session: AsyncSession, integration: Integration, service: str | None, now: datetime
) -> int | None:
    """Past the threshold of new groups a minute for one service, reuse its open incident.

    The new group is not inserted yet: it makes `recent + 1`. Groups this transaction opened
    before are counted: `_new_group` flushes each one it adds."""
    if service is None:
        return None
    conn = await session.connection()
    recent = (
        await conn.execute(_RECENT_GROUPS, {"service": service, "since": now - STORM_WINDOW})
    ).scalar_one()
    if recent + 1 <= integration.storm_threshold:
        return None
    return (
        await session.exec(
            select(Incident.id)
            .where(Incident.service == service, Incident.status != IncidentStatus.RESOLVED.value)
            .order_by(col(Incident.number).desc())
        )
    ).first()


async def _alerts(
    session: AsyncSession, group: AlertGroup, fingerprints: set[str]
) -> dict[str, Alert]:
    """The group's alerts a delivery names, by fingerprint, in one query."""
    rows = await session.exec(
        select(Alert).where(Alert.group_id == group.id, col(Alert.fingerprint).in_(fingerprints))
    )
    return {alert.fingerprint: alert for alert in rows.all()}


def _record(
    session: AsyncSession,
    group: AlertGroup,
    event: AlertEvent,
    now: datetime,
    outcome: Outcome,
    alerts: dict[str, Alert],
) -> None:
    """Apply one event to its alert; `alerts` holds the group's alerts the delivery names."""
    assert group.id is not None
    alert = alerts.get(event.fingerprint)
    status = "resolved" if event.action == "resolve" else "firing"
    if alert is None:
        if event.action != "trigger":
            return
        alert = Alert(
            group_id=group.id,
            fingerprint=event.fingerprint,
            summary=event.summary,
            labels=event.labels,
            links=event.links,
            starts_at=event.starts_at,
            last_seen=now,
        )
        alerts[event.fingerprint] = alert
        outcome.new_alerts.append(event.summary)
    elif event.action == "trigger" and alert.status == "resolved":
        outcome.new_alerts.append(event.summary)  # fired again
    if event.action != "acknowledge":
        alert.status = status
        alert.ends_at = event.ends_at if status == "resolved" else None
    alert.last_seen = now
    session.add(alert)


async def _all_resolved(session: AsyncSession, group_id: int) -> bool:
    firing = (
        await session.exec(
            select(func.count())
            .select_from(Alert)
            .where(Alert.group_id == group_id, Alert.status == "firing")
        )
    ).one()
    return firing == 0


async def _resolve_if_quiet(
    session: AsyncSession, config: OpsConfig, group: AlertGroup, now: datetime
) -> bool:
    """Resolve the incident once none of its groups is open any more."""
    assert group.incident_id is not None
    still_open = (
        await session.exec(
            select(func.count())
            .select_from(AlertGroup)
            .where(
                AlertGroup.incident_id == group.incident_id,
                AlertGroup.status == "open",
                AlertGroup.id != group.id,
            )
        )
    ).one()
    incident = await session.get(Incident, group.incident_id, with_for_update=True)
    if still_open or incident is None or incident.status == IncidentStatus.RESOLVED:
        return False
    lifecycle.resolve_in(incident, config, now, "All alerts resolved.")
    session.add(incident)
    await _timeline(session, group.incident_id, now, "Resolved: every alert cleared")
    return True


async def _acknowledge(session: AsyncSession, incident_id: int, now: datetime) -> bool:
    incident = await session.get(Incident, incident_id, with_for_update=True)
    if incident is None or incident.status != IncidentStatus.TRIGGERED:
        return False
    incident.status = IncidentStatus.ACKNOWLEDGED.value
    incident.acknowledged_at = incident.acknowledged_at or now
    paging.on_acknowledged(incident, now)
    session.add(incident)
    await _timeline(session, incident_id, now, "Acknowledged by the alert source")
    return True


async def _timeline(session: AsyncSession, incident_id: int, now: datetime, text: str) -> None:
    session.add(
        TimelineEntry(
            incident_id=incident_id, kind="alert", occurred_at=now, text=text, created_at=now
        )
    )


def _description(event: AlertEvent) -> str:
    labels = ", ".join(f"{k}={v}" for k, v in sorted(event.labels.items()))
    links = "\n".join(link["href"] for link in event.links)
    return "\n".join(part for part in (labels, links) if part)
