"""`/incident page`: paging by hand through the page outbox, once per page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.oncall_slack.conftest import OnCallWorld

USAGE = "Usage: `/incident page &lt;@user|team|service&gt; [#&lt;number&gt;]`"
VALID = "Services: api, web, docs. Teams: sre. Schedules: primary, secondary, nights."


def who(world: OnCallWorld, name: str) -> str:
    return f"<@{world.id(name)}>"


async def declare(world: OnCallWorld, text: str, number: int) -> None:
    await world.incident(f"declare {text}")
    await world.slack.wait_for_response(predicate=lambda r: f"INC-{number} " in (r.text or ""))


async def test_a_person_is_paged_once(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)  # no policy: only the manual page
    answer = await world.page(f"<@{world.id('dave')}|dave> #1")
    assert answer == f":rotating_light: Paging {who(world, 'dave')} for *INC-1*."
    for _ in range(3):  # later sweeps, past the outbox's lease, send nothing more
        world.clock.advance(timedelta(minutes=10))
        await world.sweep()
    assert world.pages() == [world.id("dave")]


async def test_a_manual_page_never_collides_with_an_escalation_step(world: OnCallWorld) -> None:
    bob = world.id("bob")
    await declare(world, "API down service:api", 1)  # step 1 pages bob (pass 0, step 0)
    assert world.pages() == [bob]
    for _ in range(2):  # the same person, by hand, twice more
        answer = await world.page(f"#1 {who(world, 'bob')}")
        assert answer == f":rotating_light: Paging {who(world, 'bob')} for *INC-1*."
    assert world.pages() == [bob, bob, bob]
    world.clock.advance(timedelta(minutes=5))
    await world.sweep()  # the policy goes on to step 2 as if nothing happened
    assert sorted(world.pages()[3:]) == sorted([world.id("carol"), world.id("dave")])


async def test_in_a_war_room_the_incident_comes_from_the_channel(world: OnCallWorld) -> None:
    await declare(world, "API down sev1 service:api", 1)
    room = next(c for c in world.slack.channels.values() if c.name.startswith("inc-1-"))
    answer = await world.page("sre", channel=room.id)
    assert answer == (
        f":rotating_light: Paging {who(world, 'carol')}, {who(world, 'dave')} for *INC-1*."
    )
    assert sorted(world.pages()[1:]) == sorted([world.id("carol"), world.id("dave")])
    assert {world.id("carol"), world.id("dave")} <= set(world.slack.channels[room.id].members)


async def test_a_service_pages_whoever_is_on_call_cover_included(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)
    await world.oncall(f"override {who(world, 'carol')} 1h primary", by="carol")
    answer = await world.page("API #1")
    assert answer == f":rotating_light: Paging {who(world, 'carol')} for *INC-1*."
    assert world.pages() == [world.id("carol")]


async def test_a_gap_pages_nobody_and_says_so(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)
    assert await world.page("web #1") == (
        ":no_entry_sign: Nobody is on call for service web right now (a gap in nights). "
        "Page a person or a team instead."
    )
    assert await world.page("docs #1") == (
        ":no_entry_sign: Service docs has no escalation policy, so nobody is on call for it. "
        "Page a person or a team instead."
    )
    world.clock.advance(timedelta(minutes=10))
    await world.sweep()
    assert world.pages() == []


async def test_an_unknown_name_lists_the_valid_ones(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)
    assert await world.page("#1 nope") == (
        f":no_entry_sign: Unknown service, team or schedule “nope”. {VALID}"
    )


@pytest.mark.parametrize("words", ["", "#1", "sre web #1"])
async def test_bad_input_gets_the_usage(world: OnCallWorld, words: str) -> None:
    await declare(world, "Docs typo service:docs", 1)
    assert await world.page(words) == f":no_entry_sign: Name one person, team or service. {USAGE}"


async def test_outside_a_war_room_the_incident_must_be_named(world: OnCallWorld) -> None:
    assert await world.page("sre") == (
        ":no_entry_sign: This channel is not an incident's war room. Name the incident, "
        "e.g. `/incident status #12 monitoring`."
    )


async def test_only_participants_and_admins_may_page(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)
    assert await world.page("sre #1", by="frank") == (
        ":no_entry_sign: Only INC-1's participants and OpsGuard admins can change it. "
        "Join its channel or ask its commander to add you."
    )
    answer = await world.page(f"{who(world, 'frank')} #1", by="erin")
    assert answer == f":rotating_light: Paging {who(world, 'frank')} for *INC-1*."
    assert world.pages() == [world.id("frank")]


async def test_a_resolved_incident_is_not_paged_for(world: OnCallWorld) -> None:
    await declare(world, "Docs typo service:docs", 1)
    before = world.home_refreshes()
    await world.incident("resolve #1 fixed")
    await world.home_refreshed(before)
    assert await world.page("sre #1") == (
        ":no_entry_sign: INC-1 is resolved. Reopen it to page anyone."
    )
