"""Pages go out in a loop of their own: a stuck Slack never holds up the escalation steps."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.domain.paging import engine, outbox
from bot.slack_ops import paging
from scheduler.hints import Loop
from scheduler.sweeper import escalate_due
from storage.models import Incident, Page, PageStatus
from tests.paging.conftest import Paging
from tests.paging.test_escalation_in_slack import declare

SETTLE_S = 10  # a guard against a hang, never waited out when the test passes


async def settled(loop: Loop) -> None:
    await asyncio.wait_for(loop.settled(), SETTLE_S)


async def page_states(world: Paging) -> list[tuple[int, str, str]]:
    async with world.guard.deps.db.session() as session:
        rows = (await session.exec(select(Page).order_by(col(Page.id)))).all()
    return [(p.step, p.user_id, p.status) for p in rows]


async def test_escalating_leaves_the_new_pages_to_the_outbox(world: Paging) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    world.clock.advance(timedelta(minutes=5))
    assert await escalate_due(world.guard.ops) == 1
    assert [to for to, _ in world.dms()] == [bob]
    pending = PageStatus.PENDING.value
    assert sorted(await page_states(world))[1:] == [(1, carol, pending), (1, dave, pending)]
    assert await paging.deliver_pending(world.guard.ops) == 2
    assert sorted(to for to, _ in world.dms()[1:]) == sorted([carol, dave])


async def test_a_delivery_that_breaks_costs_the_others_nothing(
    world: Paging, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    ops = world.guard.ops
    post, failed = ops.client.chat_postMessage, outbox.failed

    async def refuse_carol(**kwargs: Any) -> Any:
        if kwargs["channel"] == carol:
            raise ConnectionError("reset by peer")
        return await post(**kwargs)

    async def broken(*_: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ops.client, "chat_postMessage", refuse_carol)
    monkeypatch.setattr(outbox, "failed", broken)
    world.clock.advance(timedelta(minutes=5))
    await escalate_due(ops)
    assert await paging.deliver_pending(ops) == 2
    pending, sent = PageStatus.PENDING.value, PageStatus.SENT.value
    assert sorted(await page_states(world)) == sorted(
        [(0, bob, sent), (1, carol, pending), (1, dave, sent)]
    )

    monkeypatch.setattr(ops.client, "chat_postMessage", post)
    monkeypatch.setattr(outbox, "failed", failed)
    assert await paging.deliver_pending(ops) == 0  # carol's page is leased
    world.clock.advance(outbox.LEASE)
    assert await paging.deliver_pending(ops) == 1
    assert [to for to, _ in world.dms()] == [bob, dave, carol]


async def test_a_stuck_slack_does_not_hold_up_escalation(
    world: Paging, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    ops = world.guard.ops
    gate = asyncio.Event()
    post = ops.client.chat_postMessage

    async def stuck_pages(**kwargs: Any) -> Any:
        if "You are paged" in kwargs.get("text", ""):
            await gate.wait()
        return await post(**kwargs)

    monkeypatch.setattr(ops.client, "chat_postMessage", stuck_pages)
    scheduler = world.guard.scheduler
    await scheduler.start()

    world.clock.advance(timedelta(minutes=5))
    scheduler.escalations.wake()
    await settled(scheduler.escalations)  # step 2 ran; its pages woke the outbox, now stuck
    world.clock.advance(timedelta(minutes=10))
    scheduler.escalations.wake()
    await settled(scheduler.escalations)  # and the policy ran out, the DMs still stuck
    async with world.guard.deps.db.session() as session:
        states = (await session.exec(select(Incident.escalation_state))).all()
    assert states == [engine.EXHAUSTED]
    assert [to for to, _ in world.dms()] == [bob]

    gate.set()
    await settled(scheduler.deliveries)
    assert sorted(to for to, _ in world.dms()[1:]) == sorted([carol, dave])
    sent = PageStatus.SENT.value
    assert sorted(await page_states(world)) == sorted(
        [(0, bob, sent), (1, carol, sent), (1, dave, sent)]
    )


async def test_a_stuck_nudge_does_not_hold_up_escalation(
    world: Paging, monkeypatch: pytest.MonkeyPatch
) -> None:
    carol, dave = world.users["carol"].id, world.users["dave"].id
    await declare(world, "sev1")  # nudged after 15 minutes without an update
    ops = world.guard.ops
    gate, nudging = asyncio.Event(), asyncio.Event()
    post = ops.client.chat_postMessage

    async def stuck_nudges(**kwargs: Any) -> Any:
        if "has had no update" in kwargs.get("text", ""):
            nudging.set()
            await gate.wait()
        return await post(**kwargs)

    monkeypatch.setattr(ops.client, "chat_postMessage", stuck_nudges)
    scheduler = world.guard.scheduler
    await scheduler.start()

    world.clock.advance(timedelta(minutes=15))  # the nudge and step 2 are both due
    scheduler.sweeps.wake()
    await asyncio.wait_for(nudging.wait(), SETTLE_S)
    scheduler.escalations.wake()
    await settled(scheduler.escalations)
    await settled(scheduler.deliveries)
    assert sorted(to for to, _ in world.dms()[1:]) == sorted([carol, dave])

    gate.set()
    await settled(scheduler.sweeps)
    nudges = [c for c in world.slack.calls_to("chat.postMessage") if "no update" in c.args["text"]]
    assert len(nudges) == 1


class Body:
    """A loop body that waits for the test to let each pass end, and says what it returns."""

    def __init__(self, results: list[bool | Exception]) -> None:
        self.results = results
        self.passes = 0
        self.release = asyncio.Event()
        self.started = asyncio.Event()

    async def __call__(self) -> bool:
        self.passes += 1
        self.started.set()
        await self.release.wait()
        result = self.results.pop(0) if self.results else False
        if isinstance(result, Exception):
            raise result
        return result


async def test_wakes_during_a_pass_make_exactly_one_more() -> None:
    body = Body([])
    loop = Loop("test", body)
    loop.wake()
    await body.started.wait()
    for _ in range(3):
        loop.wake()
    body.release.set()
    await settled(loop)
    assert (body.passes, loop.passes) == (2, 2)


async def test_full_batches_go_round_until_drained() -> None:
    body = Body([True, True, False])
    body.release.set()
    loop = Loop("test", body)
    loop.wake()
    await settled(loop)
    assert body.passes == 3


async def test_a_failed_pass_ends_the_round_and_the_next_wake_runs() -> None:
    body = Body([RuntimeError("database went away"), False])
    body.release.set()
    loop = Loop("test", body)
    loop.wake()
    await settled(loop)
    assert body.passes == 1
    loop.wake()
    await settled(loop)
    assert body.passes == 2


async def test_stop_lets_the_pass_finish_and_runs_no_more() -> None:
    body = Body([True])
    loop = Loop("test", body)
    loop.wake()
    await body.started.wait()
    stopping = asyncio.create_task(loop.stop(timedelta(seconds=SETTLE_S)))
    await asyncio.sleep(0)  # let stop() begin waiting
    loop.wake()
    body.release.set()
    await stopping
    loop.wake()
    await settled(loop)
    assert body.passes == 1
