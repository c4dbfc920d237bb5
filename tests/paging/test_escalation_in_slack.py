"""Escalation through signed Slack requests: exactly the DMs the policy calls for."""

from __future__ import annotations

from datetime import timedelta

from bot.config import OpsConfig
from bot.settings import Settings
from fakes.clock import FakeClock
from fakes.driver import SlackDriver
from fakes.slack import FakeSlack, User
from tests.conftest import SIGNING_SECRET
from tests.paging.conftest import Paging, paging_config, start


def in_order(world: Paging) -> list[list[str]]:
    """Who was paged: step 1's user, then step 2's team (delivered in parallel, any order)."""
    sent = [to for to, _ in world.dms()]
    return [sent[:1], sorted(sent[1:])]


async def declare(world: Paging, severity: str = "sev3") -> None:
    alice = world.users["alice"]
    await world.driver.command(
        "/incident",
        f"declare API down {severity} service:api",
        user=alice.id,
        channel=world.general,
    )
    # The declarer's confirmation is the last thing a declaration does.
    await world.slack.wait_for_response()


async def test_ack_at_step_one_stops_escalation(world: Paging) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    world.clock.advance(timedelta(minutes=5))
    await world.sweep()
    assert in_order(world) == [[bob], sorted([carol, dave])]
    dm = world.slack.messages(
        next(c.id for c in world.slack.channels.values() if c.is_im and carol in c.members)
    )[-1]
    await world.driver.click("page_acknowledge", user=carol, channel=dm.channel, message_ts=dm.ts)
    await world.slack.wait_for_call("chat.postEphemeral")
    world.clock.advance(timedelta(hours=2))
    await world.sweep()
    assert in_order(world) == [[bob], sorted([carol, dave])]


async def test_no_ack_exhausts_and_says_so_in_the_war_room(world: Paging) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world, "sev1")
    for minutes in (5, 10, 60):
        world.clock.advance(timedelta(minutes=minutes))
        await world.sweep()
    assert in_order(world) == [[bob], sorted([carol, dave])]
    room = next(c for c in world.slack.channels.values() if c.name.startswith("inc-1-"))
    assert {bob, carol, dave} <= set(room.members)  # paged people are invited
    notices = [
        m
        for m in world.slack.messages(room.id)
        if m.text.startswith("Escalation exhausted for INC-1")
    ]
    assert len(notices) == 1


async def test_escalate_now_button_jumps_to_the_next_step(world: Paging) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    dm = next(
        m
        for c in world.slack.channels.values()
        if c.is_im and bob in c.members
        for m in world.slack.messages(c.id)
    )
    await world.driver.click("page_escalate_now", user=bob, channel=dm.channel, message_ts=dm.ts)
    await world.slack.wait_for_call(
        "chat.postMessage", count=3, predicate=lambda c: "You are paged" in c.args.get("text", "")
    )
    assert in_order(world) == [[bob], sorted([carol, dave])]


async def test_rate_limited_dm_is_retried_without_blocking_others(world: Paging) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    world.slack.fail_next("chat.postMessage", status=503, times=10)
    world.clock.advance(timedelta(minutes=5))
    await world.sweep()  # both DMs fail (slack-sdk retried twice each, then gave up)
    assert [to for to, _ in world.dms()] == [bob]
    world.clock.advance(timedelta(seconds=5))
    await world.sweep()
    assert sorted(to for to, _ in world.dms()[1:]) == sorted([carol, dave])
    assert len(world.dms()) == 3


async def test_restart_with_a_pending_step_fires_it_exactly_once(
    world: Paging, database_url: str
) -> None:
    bob, carol, dave = (world.users[n].id for n in ("bob", "carol", "dave"))
    await declare(world)
    await world.guard.stop()  # the process goes away with step 1 pending
    world.clock.advance(timedelta(minutes=30))  # step 1 came due while it was down
    settings = world.guard.deps.settings
    clock: FakeClock = world.clock
    revived = await start(settings, paging_config(world.users), clock, scheduler=True)
    try:
        await world.slack.wait_for_call(
            "chat.postMessage",
            count=3,
            timeout=10,
            predicate=lambda c: "You are paged" in c.args["text"],
        )
        async with SlackDriver(
            world.slack, app_url=f"{revived.url}/slack/events", signing_secret=SIGNING_SECRET
        ):
            from scheduler.sweeper import sweep

            await sweep(revived.ops)
            await sweep(revived.ops)
    finally:
        await revived.stop()
        world.guard = await start(settings, paging_config(world.users), clock)
    assert in_order(world) == [[bob], sorted([carol, dave])]


async def test_usergroup_target_pages_its_members(
    slack: FakeSlack, settings: Settings, users: dict[str, User]
) -> None:
    group = slack.add_usergroup("oncall-db", users=[users["carol"].id, users["dave"].id])
    config = OpsConfig.model_validate(
        {
            "services": [{"name": "db", "escalation_policy": "db"}],
            "escalation_policies": [
                {"name": "db", "steps": [{"delay": "5m", "targets": [{"usergroup": group.id}]}]}
            ],
        }
    )
    guard = await start(settings, config, FakeClock())
    general = slack.add_channel("general", members=[u.id for u in users.values()])
    try:
        async with SlackDriver(
            slack, app_url=f"{guard.url}/slack/events", signing_secret=SIGNING_SECRET
        ) as driver:
            await driver.command(
                "/incident",
                "declare DB slow service:db",
                user=users["alice"].id,
                channel=general.id,
            )
            await slack.wait_for_response()
    finally:
        await guard.stop()
    paged = sorted(
        c.args["channel"]
        for c in slack.calls_to("chat.postMessage")
        if "You are paged" in c.args.get("text", "")
    )
    assert paged == sorted([users["carol"].id, users["dave"].id])
