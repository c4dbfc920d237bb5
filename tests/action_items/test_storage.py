"""Action items in storage: saving the form, the fenced filing claims, follow-up lists."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.domain.errors import NotFound
from bot.domain.lifecycle import add_members
from bot.domain.postmortem import action_items as ai
from bot.domain.postmortem.action_items import ItemInput
from fakes.clock import FakeClock
from storage.db import Database
from storage.models import ActionItem, JiraStatus
from tests.action_items.conftest import declare


async def save(
    db: Database, clock: FakeClock, incident_id: int, items: list[ItemInput], *, jira: bool = True
) -> list[ActionItem]:
    async with db.transaction() as session:
        return await ai.save_items(session, incident_id, items, "U1", clock.now(), jira)


async def stored(db: Database, incident_id: int) -> list[ActionItem]:
    async with db.session() as session:
        return list(
            (
                await session.exec(
                    select(ActionItem)
                    .where(ActionItem.incident_id == incident_id)
                    .order_by(col(ActionItem.position))
                )
            ).all()
        )


async def file_first(db: Database, clock: FakeClock, key: str) -> ActionItem:
    """Claim the first due item and record it filed as ``key``."""
    [item, *_] = await ai.claim_due_filings(db, clock, 1)
    assert item.id is not None
    assert await ai.record_filed(
        db, item.id, item.jira_fence, key, f"https://j/browse/{key}", clock.now()
    )
    return item


# -- saving the form ----------------------------------------------------------


async def test_new_items_wait_for_jira_when_it_is_enabled(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None

    saved = await save(
        db,
        clock,
        incident.id,
        [ItemInput("Add an alert", owner="U2", due_date=date(2026, 12, 1)), ItemInput("  ")],
    )

    [item] = await stored(db, incident.id)
    assert [i.id for i in saved] == [item.id]
    assert (item.text, item.owner, item.due_date, item.created_by) == (
        "Add an alert",
        "U2",
        date(2026, 12, 1),
        "U1",
    )
    assert item.jira_status == JiraStatus.PENDING
    assert item.jira_due_at == clock.now()


async def test_without_jira_items_are_not_queued(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None

    await save(db, clock, incident.id, [ItemInput("Add an alert")], jira=False)

    [item] = await stored(db, incident.id)
    assert (item.jira_status, item.jira_due_at) == (JiraStatus.NONE, None)
    assert await ai.claim_due_filings(db, clock, 10) == []


async def test_resaving_updates_by_id_reorders_and_drops_the_rest(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    first, second = await save(db, clock, incident.id, [ItemInput("a"), ItemInput("b")])

    await save(
        db,
        clock,
        incident.id,
        [ItemInput("c"), ItemInput("a, reworded", owner="U3", id=first.id)],
    )

    items = await stored(db, incident.id)
    assert [(i.text, i.position) for i in items] == [("c", 0), ("a, reworded", 1)]
    assert items[1].id == first.id
    assert items[1].owner == "U3"
    assert second.id not in {i.id for i in items}


async def test_filed_items_are_never_changed_dropped_or_filed_again(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput("a"), ItemInput("b")])
    filed = await file_first(db, clock, "OPS-1")

    # The form leaves the filed item out, then tries to reword it.
    await save(db, clock, incident.id, [ItemInput("z")])
    await save(db, clock, incident.id, [ItemInput("z, too"), ItemInput("a!", id=filed.id)])

    items = await stored(db, incident.id)
    assert [(i.text, i.jira_key) for i in items] == [("z, too", None), ("a", "OPS-1")]
    claimed = await ai.claim_due_filings(db, clock, 10)
    assert [i.text for i in claimed] == ["z, too"]


async def test_saving_for_a_missing_incident(db: Database, clock: FakeClock) -> None:
    with pytest.raises(NotFound):
        await save(db, clock, 999, [ItemInput("a")])


# -- claims, leases and fences ------------------------------------------------


async def test_a_claim_leases_the_item_and_a_crash_is_retried(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput("a")])

    [claimed] = await ai.claim_due_filings(db, clock, 10)
    assert (claimed.jira_fence, claimed.jira_attempts) == (1, 1)
    assert claimed.jira_due_at == clock.now() + ai.LEASE
    assert await ai.claim_due_filings(db, clock, 10) == []

    clock.advance(ai.LEASE)  # the worker died without a word
    [again] = await ai.claim_due_filings(db, clock, 10)
    assert (again.id, again.jira_fence, again.jira_attempts) == (claimed.id, 2, 2)


async def test_a_stale_workers_result_changes_nothing(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput("a")])
    [stale] = await ai.claim_due_filings(db, clock, 10)
    clock.advance(ai.LEASE)
    [fresh] = await ai.claim_due_filings(db, clock, 10)
    assert stale.id is not None and fresh.id is not None

    assert not await ai.record_failed(db, stale.id, stale.jira_fence, "late", clock.now())
    assert not await ai.record_filed(db, stale.id, stale.jira_fence, "OPS-1", "u", clock.now())
    assert await ai.record_filed(db, fresh.id, fresh.jira_fence, "OPS-2", "u2", clock.now())
    assert not await ai.record_filed(db, fresh.id, fresh.jira_fence, "OPS-3", "u3", clock.now())

    [item] = await stored(db, incident.id)
    assert (item.jira_status, item.jira_key, item.jira_url, item.jira_due_at) == (
        JiraStatus.FILED,
        "OPS-2",
        "u2",
        None,
    )


async def test_failures_back_off_up_to_an_hour(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput("a")])
    waits = []
    for _ in range(8):
        [item] = await ai.claim_due_filings(db, clock, 10)
        assert item.id is not None
        assert await ai.record_failed(db, item.id, item.jira_fence, "x" * 600, clock.now())
        [after] = await stored(db, incident.id)
        assert after.jira_due_at is not None
        waits.append(after.jira_due_at - clock.now())
        clock.advance(after.jira_due_at - clock.now())

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]
    assert after.jira_status == JiraStatus.PENDING
    assert after.jira_error == "x" * ai.ERROR_MAX


async def test_concurrent_claims_hand_each_item_to_one_caller(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput(f"item {n}") for n in range(12)])

    claims = await asyncio.gather(*(ai.claim_due_filings(db, clock, 5) for _ in range(4)))

    ids = [item.id for claim in claims for item in claim]
    assert len(ids) == 12
    assert len(set(ids)) == 12
    assert all(len(claim) <= 5 for claim in claims)


# -- follow-ups ---------------------------------------------------------------


async def test_open_followups_across_incidents_filtered_and_ordered(
    db: Database, clock: FakeClock
) -> None:
    api = await declare(db, clock, "Checkout is down", service="api")
    dbs = await declare(db, clock, "Replica lag", service="db")
    assert api.id is not None and dbs.id is not None
    await save(
        db,
        clock,
        api.id,
        [
            ItemInput("undated", owner="U2"),
            ItemInput("late", owner="U3", due_date=date(2026, 12, 20)),
            ItemInput("done", owner="U2", due_date=date(2026, 12, 1)),
        ],
    )
    await save(db, clock, dbs.id, [ItemInput("soon", owner="U2", due_date=date(2026, 12, 5))])
    async with db.transaction() as session:
        [done] = [i for i in await ai.open_followups(session) if i.item.text == "done"]
        assert done.item.id is not None
        await ai.complete_item(session, done.item.id, clock.now())

    async with db.session() as session:
        every = await ai.open_followups(session)
        mine = await ai.open_followups(session, owner="U2")
        api_only = await ai.open_followups(session, service="api")
        both = await ai.open_followups(session, owner="U2", service="db")

    assert [(f.item.text, f.incident_number) for f in every] == [
        ("soon", dbs.number),
        ("late", api.number),
        ("undated", api.number),
    ]
    assert (every[0].incident_title, every[0].service) == ("Replica lag", "db")
    assert [f.item.text for f in mine] == ["soon", "undated"]
    assert [f.item.text for f in api_only] == ["late", "undated"]
    assert [f.item.text for f in both] == ["soon"]


async def test_private_incidents_followups_only_for_members(db: Database, clock: FakeClock) -> None:
    public = await declare(db, clock, "Public")
    private = await declare(db, clock, "Secret", private=True)
    assert public.id is not None and private.id is not None
    await save(db, clock, public.id, [ItemInput("p")])
    await save(db, clock, private.id, [ItemInput("s")])
    await add_members(db, clock, private.id, ["U7"], "joined")

    async with db.session() as session:
        outsider = await ai.open_followups(session, viewer="U9")
        member = await ai.open_followups(session, viewer="U7")
        admin = await ai.open_followups(session)

    assert [f.item.text for f in outsider] == ["p"]
    assert sorted(f.item.text for f in member) == ["p", "s"]
    assert sorted(f.item.text for f in admin) == ["p", "s"]


async def test_completing_an_unfiled_item_stops_its_filing(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    [item] = await save(db, clock, incident.id, [ItemInput("a")])
    assert item.id is not None
    clock.advance(timedelta(minutes=5))

    async with db.transaction() as session:
        done = await ai.complete_item(session, item.id, clock.now())
        when = done.completed_at
    async with db.transaction() as session:
        again = await ai.complete_item(session, item.id, clock.now() + timedelta(hours=1))

    assert again.completed_at == when == clock.now()
    assert (again.jira_status, again.jira_due_at) == (JiraStatus.NONE, None)
    assert await ai.claim_due_filings(db, clock, 10) == []
    async with db.transaction() as session:
        with pytest.raises(NotFound):
            await ai.complete_item(session, 999, clock.now())


async def test_completing_a_filed_item_keeps_its_key(db: Database, clock: FakeClock) -> None:
    incident = await declare(db, clock)
    assert incident.id is not None
    await save(db, clock, incident.id, [ItemInput("a")])
    filed = await file_first(db, clock, "OPS-1")
    assert filed.id is not None

    async with db.transaction() as session:
        done = await ai.complete_item(session, filed.id, clock.now())

    assert (done.jira_status, done.jira_key) == (JiraStatus.FILED, "OPS-1")
