"""A realistic incident for the report tests, built through the real lifecycle functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.domain.lifecycle import Actor
from bot.domain.postmortem.report import Report, load_report
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import (
    ActionItem,
    Alert,
    AlertGroup,
    Deploy,
    IncidentStatus,
    JiraStatus,
    Postmortem,
    TimelineEntry,
    User,
)

ALICE, BOB, CAROL = Actor("U0ALICE"), Actor("U0BOB"), Actor("U0CAROL")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
USERS = {
    "U0ALICE": ("alice", "Alice Example"),
    "U0BOB": ("bob", "Bob Builder"),
    "U0CAROL": ("carol", ""),  # no real name: the handle is shown
    "U0DAVE": ("dave", "Dave Deployer"),
}


def org_config(config: OpsConfig, timezone: str = "Europe/Berlin") -> OpsConfig:
    return config.model_copy(update={"timezone": timezone})


async def add_users(db: Database) -> None:
    async with db.transaction() as session:
        for user_id, (name, real_name) in USERS.items():
            session.add(User(id=user_id, name=name, real_name=real_name, fetched_at=START))


async def add_deploy(
    db: Database, at: datetime, version: str, *, service: str = "checkout", **fields: str
) -> None:
    async with db.transaction() as session:
        session.add(
            Deploy(service=service, version=version, deployed_at=at, received_at=at, **fields)
        )


async def add_entry(db: Database, incident_id: int, at: datetime, **fields: object) -> None:
    async with db.transaction() as session:
        session.add(TimelineEntry(incident_id=incident_id, occurred_at=at, created_at=at, **fields))  # type: ignore[arg-type]


async def build_incident(db: Database, config: OpsConfig) -> int:
    """SEV1 on checkout: a bad deploy, an alert, roles handed over, a rollback, a postmortem."""
    clock = FakeClock(START)
    await add_users(db)
    await add_deploy(db, START - timedelta(hours=2), "v1.4.0", author="dave")  # too early
    await add_deploy(db, START - timedelta(minutes=25), "v1.9.0", service="search")
    await add_deploy(
        db,
        START - timedelta(minutes=10),
        "v1.4.2",
        author="U0DAVE",
        description="Pricing cache | new *fast* path",
        url="https://ci.example.com/checkout/1402",
        source="github",
    )
    incident = await lifecycle.declare(
        db,
        clock,
        config,
        title="Checkout 5xx after <deploy> # 2",
        declared_by=ALICE.user_id,
        severity="SEV1",
        service="checkout",
        description="Card payments fail with HTTP 502.\n\n# Not a heading\n- not a list",
    )
    assert incident.id is not None
    incident_id = incident.id
    async with db.transaction() as session:
        group = AlertGroup(
            integration="prometheus",
            dedup_key="checkout-5xx",
            service="checkout",
            title="Checkout 5xx",
            severity="SEV1",
            incident_id=incident_id,
            first_seen=START,
            last_seen=START,
        )
        session.add(group)
        await session.flush()
        assert group.id is not None
        for fingerprint, minutes in (("a", 12), ("b", 7)):
            session.add(
                Alert(
                    group_id=group.id,
                    fingerprint=fingerprint,
                    summary="5xx ratio above 5%",
                    starts_at=START - timedelta(minutes=minutes),
                    last_seen=START,
                )
            )

    clock.advance(timedelta(minutes=3))
    await lifecycle.acknowledge(db, clock, config, incident_id, ALICE)
    clock.advance(timedelta(minutes=2))
    await lifecycle.assign_role(db, clock, config, incident_id, ALICE, "scribe", CAROL.user_id)
    await add_entry(
        db,
        incident_id,
        clock.now() + timedelta(minutes=1),
        kind="message",
        actor=BOB.user_id,
        text="<@U0ALICE> error rate &gt; 40% since 08:50, see <https://grafana.example.com/d/1|the"
        " dashboard> in <#C0WAR|war-room> cc <!subteam^S0SRE|@sre> <@U0NOBODY>",
        source_url="https://example.slack.com/archives/C0WAR/p1700000000000100",
        pinned=True,
        message_channel="C0WAR",
        message_ts="1700000000.000100",
        pinned_by=["reaction:U0CAROL", "pin"],
        files=["error-rate.png", "trace | 42.json"],
    )
    clock.advance(timedelta(minutes=7))
    await lifecycle.add_task(
        db, clock, incident_id, ALICE, "Roll back to v1.4.1", assignee=BOB.user_id
    )
    await add_entry(
        db,
        incident_id,
        clock.now(),
        kind="note",
        actor=CAROL.user_id,
        text="Hidden: a wrong guess",
        hidden=True,
    )
    clock.advance(timedelta(minutes=8))
    await lifecycle.set_status(
        db, clock, config, incident_id, BOB, IncidentStatus.IDENTIFIED, "Pricing cache in v1.4.2"
    )
    clock.advance(timedelta(minutes=5))
    await lifecycle.assign_role(db, clock, config, incident_id, ALICE, "commander", BOB.user_id)
    await add_deploy(
        db,
        clock.now() + timedelta(minutes=13),
        "v1.4.1",
        author="bob",
        description="Rollback",
        source="github",
    )
    clock.advance(timedelta(minutes=20))
    await lifecycle.set_status(
        db, clock, config, incident_id, BOB, IncidentStatus.MONITORING, "Rolled back to v1.4.1"
    )
    clock.advance(timedelta(minutes=45))
    await lifecycle.resolve(db, clock, config, incident_id, BOB, "Rolled back; error rate normal")
    await add_deploy(db, clock.now() + timedelta(minutes=30), "v1.4.3", author="bob")  # after

    async with db.transaction() as session:
        session.add(
            Postmortem(
                incident_id=incident_id,
                summary="Checkout failed for 45 minutes after v1.4.2.\nRolled back at 10:38.",
                impact="About 40% of card payments failed.\n\n| not | a table |",
                users_affected="~3,100 customers",
                whys=[
                    "Payments failed: the pricing cache returned stale prices",
                    "1. The cache key missed the currency",
                    "",
                    "No test covers multi-currency carts",
                ],
                contributing_factors="Deployed at 09:50 on a Monday peak.\n> quoted",
                went_well="Alerting fired within 2 minutes.",
                went_poorly="Rollback took 33 minutes: the pipeline was **slow**.",
                created_by=ALICE.user_id,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
        now = clock.now()
        items: list[dict[str, object]] = [
            {
                "text": "Add a multi-currency cache test",
                "owner": BOB.user_id,
                "due_date": date(2026, 11, 30),
                "jira_status": JiraStatus.FILED.value,
                "jira_key": "OPS-101",
                "jira_url": "https://jira.example.com/browse/OPS-101",
            },
            {"text": "Speed up rollbacks | pipeline", "owner": CAROL.user_id},
            {
                "text": "Alert on cache hit ratio",
                "due_date": date(2026, 12, 7),
                "jira_status": JiraStatus.PENDING.value,
                "completed_at": now,
            },
        ]
        for position, fields in enumerate(items):
            session.add(
                ActionItem(incident_id=incident_id, position=position, created_at=now, **fields)  # type: ignore[arg-type]
            )
    return incident_id


async def report_of(db: Database, incident_id: int, config: OpsConfig, **kw: timedelta) -> Report:
    async with db.session() as session:
        return await load_report(session, incident_id, config, **kw)
