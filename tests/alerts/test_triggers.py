"""Trigger deliveries are written in batches: plain repeats counted in bulk, new groups and new
alerts applied in the batch's transaction; concurrent deliveries still end in one group and one
incident, on both backends."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import col, func, select

from bot.config import OpsConfig
from bot.domain.alerts import intake, payloads, triggers
from bot.domain.alerts.integrations import Integration
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import Alert, AlertGroup, Incident, Page, TimelineEntry
from tests.alerts.payload_samples import alertmanager, am_alert, pagerduty
from tests.alerts.test_intake import AM, PD, config

TWO = [am_alert("firing", "a1", "pod-1"), am_alert("firing", "a2", "pod-2")]


def fired(body: dict[str, Any]) -> list[payloads.AlertEvent]:
    return payloads.alertmanager(body)


async def groups(db: Database) -> list[AlertGroup]:
    async with db.session() as session:
        return list((await session.exec(select(AlertGroup).order_by(col(AlertGroup.id)))).all())


async def alert_entries(db: Database) -> list[str]:
    async with db.session() as session:
        return list(
            (
                await session.exec(select(TimelineEntry.text).where(TimelineEntry.kind == "alert"))
            ).all()
        )


def count_commits(db: Database) -> list[object]:
    commits: list[object] = []
    event.listen(db.engine.sync_engine, "commit", commits.append)
    return commits


async def test_concurrent_repeats_are_counted_together(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    (first,) = await intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO)))
    clock.advance(timedelta(minutes=5))
    commits = count_commits(db)
    results = await asyncio.gather(
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO))) for _ in range(40))
    )
    plain = intake.Outcome(group_id=first.group_id, incident_id=first.incident_id)
    assert all(outcomes == [plain] for outcomes in results)
    assert not plain.news
    assert len(commits) <= 2  # one batch for the 40, not one transaction each
    (group,) = await groups(db)
    assert (group.count, group.last_seen) == (41, clock.now())
    async with db.session() as session:
        seen = (await session.exec(select(Alert.last_seen))).all()
        incidents = (await session.exec(select(func.count()).select_from(Incident))).one()
    assert seen == [clock.now(), clock.now()]
    assert incidents == 1
    assert await alert_entries(db) == []  # a plain repeat records nothing


async def test_a_new_alert_among_repeats_is_news_once(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager()))
    results = await asyncio.gather(
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager())) for _ in range(10)),
        intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO))),
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager())) for _ in range(10)),
    )
    news = [o for (o,) in results if o.news]
    assert [o.new_alerts for o in news] == [["Checkout 5xx above 5%"]]
    (group,) = await groups(db)
    assert group.count == 22
    assert await alert_entries(db) == ["New alerts firing in group: Checkout 5xx above 5%"]


async def test_new_groups_arriving_together_are_declared_in_one_transaction(
    db: Database,
) -> None:
    """Twenty new groups cost one transaction (on SQLite one turn at the write lock), not
    twenty."""
    clock = FakeClock()
    calm = AM.model_copy(update={"storm_threshold": 50})
    cfg = config().model_copy(update={"integrations": (calm,)})
    commits = count_commits(db)
    results = await asyncio.gather(
        *(
            intake.receive(
                db, clock, cfg, calm, fired(alertmanager(group_key=f"g{n}", alerts=[TWO[n % 2]]))
            )
            for n in range(20)
        )
    )
    declared = [o for (o,) in results]
    assert all(o.declared and o.incident is not None for o in declared)
    assert sorted(o.incident.number for o in declared if o.incident) == list(range(1, 21))
    assert len(commits) == 1
    assert len({g.incident_id for g in await groups(db)}) == 20


async def test_a_storm_arriving_at_once_attaches_past_the_threshold(db: Database) -> None:
    clock = FakeClock()
    storm = AM.model_copy(update={"storm_threshold": 3})
    cfg = config().model_copy(update={"integrations": (storm,)})
    await asyncio.gather(
        *(
            intake.receive(
                db,
                clock,
                cfg,
                storm,
                fired(alertmanager(group_key=f"g{n}", alerts=[am_alert("firing", f"f{n}", "x")])),
            )
            for n in range(6)
        )
    )
    assert len(await groups(db)) == 6
    async with db.session() as session:
        incidents = (await session.exec(select(func.count()).select_from(Incident))).one()
    assert incidents == 3


async def test_an_alert_firing_again_is_news_then_its_repeats_are_plain(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO)))
    half = alertmanager("resolved", alerts=[am_alert("resolved", "a1", "pod-1")])
    await intake.receive(db, clock, cfg, AM, fired(half))  # a2 still fires: the group stays open
    (again,) = await intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO)))
    assert again.new_alerts == ["Checkout 5xx above 5%"]
    (repeat,) = await intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO)))
    assert not repeat.news
    (group,) = await groups(db)
    assert (group.status, group.count) == ("open", 3)


async def test_repeats_racing_a_resolve_lose_no_delivery(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager()))
    resolve = fired(alertmanager("resolved", alerts=[am_alert("resolved", "a1", "pod-1")]))
    await asyncio.gather(
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager())) for _ in range(15)),
        intake.receive(db, clock, cfg, AM, resolve),
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager())) for _ in range(15)),
    )
    found = await groups(db)
    assert sum(g.count for g in found) == 31  # every trigger counted once, in one group or other
    assert sum(g.status == "open" for g in found) <= 1
    assert found[0].status == "closed"  # the resolve closed the first group
    async with db.session() as session:
        incidents = (await session.exec(select(Incident.status).order_by(Incident.id))).all()
    assert incidents[0] == "resolved"
    assert len(incidents) == len(found)  # a trigger after the resolve opened a new incident


async def test_pagerduty_repeats_are_plain_until_acknowledged(db: Database) -> None:
    clock, cfg = FakeClock(), config()
    _, trigger = payloads.pagerduty(pagerduty())
    (created,) = await intake.receive(db, clock, cfg, PD, [trigger])
    (repeat,) = await intake.receive(db, clock, cfg, PD, [trigger])
    assert (repeat.group_id, repeat.news) == (created.group_id, False)
    _, ack = payloads.pagerduty(pagerduty("acknowledge"))
    (acked,) = await intake.receive(db, clock, cfg, PD, [ack])
    assert acked.acknowledged
    (group,) = await groups(db)
    assert group.count == 2  # an acknowledgement is no delivery of the alert


async def test_a_group_attached_to_a_storm_counts_its_first_delivery_once(db: Database) -> None:
    clock = FakeClock()
    storm = AM.model_copy(update={"storm_threshold": 1})
    cfg = config().model_copy(update={"integrations": (storm,)})
    for n in range(2):
        body = alertmanager(group_key=f"group-{n}", alerts=[am_alert("firing", f"f{n}", "x")])
        await intake.receive(db, clock, cfg, storm, fired(body))
    assert [(g.count, g.incident_id) for g in await groups(db)] == [(1, 1), (1, 1)]


async def test_a_failed_batch_falls_back_to_the_full_path(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager()))

    async def broken(_db: Database, _batch: list[triggers.Trigger]) -> list[intake.Outcome | None]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(triggers, "_write", broken)
    await asyncio.gather(
        *(intake.receive(db, clock, cfg, AM, fired(alertmanager())) for _ in range(5))
    )
    (group,) = await groups(db)
    assert group.count == 6


async def test_an_alert_changed_under_the_batch_rolls_the_batch_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager()))
    # As if a transaction had resolved the alert between the batch's read and its write.
    monkeypatch.setattr(triggers, "_TOUCH", triggers._TOUCH.where(col(Alert.status) == "gone"))
    (outcome,) = await intake.receive(db, clock, cfg, AM, fired(alertmanager()))
    assert not outcome.news
    (group,) = await groups(db)
    assert group.count == 2  # counted by the full path only: the batch's count rolled back


async def test_alert_incidents_escalate_and_repeats_page_nobody_again(db: Database) -> None:
    policy = {"name": "api", "steps": [{"delay": "5m", "targets": [{"user": "U0BOB"}]}]}
    integration = Integration(name="pd", type="pagerduty", routing_key="rk", service="api")
    cfg = OpsConfig.model_validate(
        {
            "services": [{"name": "api", "escalation_policy": "api"}],
            "escalation_policies": [policy],
            "integrations": [integration.model_dump()],
        }
    )
    clock = FakeClock()
    _, trigger = payloads.pagerduty(pagerduty())
    (created,) = await intake.receive(db, clock, cfg, integration, [trigger])
    assert created.incident is not None
    assert created.incident.escalation_policy is not None  # step 0 ran when it was declared
    for _ in range(3):
        await intake.receive(db, clock, cfg, integration, [trigger])
    async with db.session() as session:
        pages = (await session.exec(select(Page.user_id))).all()
        incident = await session.get(Incident, created.incident_id)
    assert pages == ["U0BOB"]
    assert incident is not None and incident.escalation_state == "running"
    _, ack = payloads.pagerduty(pagerduty("acknowledge"))
    await intake.receive(db, clock, cfg, integration, [ack])
    async with db.session() as session:
        incident = await session.get(Incident, created.incident_id)
    assert incident is not None and incident.escalation_state == "acked"


async def test_a_batch_does_not_wait_for_a_group_another_transaction_holds(db: Database) -> None:
    if db.dialect != "postgresql":
        pytest.skip("on SQLite no other transaction runs while a batch holds the write lock")
    clock, cfg = FakeClock(), config()
    await intake.receive(db, clock, cfg, AM, fired(alertmanager()))
    held, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:  # as a resolve of the group in progress would
        async with db.transaction() as session:
            await session.exec(select(AlertGroup).with_for_update())
            held.set()
            await release.wait()

    holding = asyncio.create_task(holder())
    await held.wait()
    new_alert = asyncio.create_task(
        intake.receive(db, clock, cfg, AM, fired(alertmanager(alerts=TWO)))
    )
    other = alertmanager(group_key="other", alerts=[am_alert("firing", "b1", "pod-9")])
    (declared,) = await asyncio.wait_for(intake.receive(db, clock, cfg, AM, fired(other)), 5)
    assert declared.declared  # not held up behind the lock its batch-mate waits for
    assert not new_alert.done()
    release.set()
    await holding
    ((joined,),) = await asyncio.wait_for(asyncio.gather(new_alert), 5)
    assert joined.new_alerts == ["Checkout 5xx above 5%"]
    assert sorted(g.count for g in await groups(db)) == [1, 2]
