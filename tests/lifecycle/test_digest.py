"""The stakeholder digest: public SEV1/SEV2 incidents, every digest interval, nothing private."""

from __future__ import annotations

from datetime import timedelta

from tests.lifecycle.conftest import World, shown

HOUR = timedelta(hours=1)


async def test_an_open_sev1_gets_a_digest_every_interval(world: World) -> None:
    await world.declare("Checkout 5xx sev1 service:checkout")
    room = await world.room(1)
    await world.command("update Rolled back v42", user=world.alice, channel=room)

    assert not (await world.later(HOUR - timedelta(seconds=1))).digest
    report = await world.later(timedelta(seconds=1))

    assert report.digest
    [digest] = world.messages(world.stakeholders)
    assert digest.text == "Incident digest: 1 open incident."
    body = shown(digest)
    assert "*INC-1 · Checkout 5xx*" in body and f"<#{room.id}>" in body
    assert f"commander <@{world.alice.id}>" in body and ">Rolled back v42" in body
    # Once per interval, however many sweeps run.
    assert not (await world.sweep()).digest
    await world.later(HOUR)
    assert len(world.messages(world.stakeholders)) == 2


async def test_a_private_sev1_never_appears_in_the_digest(world: World) -> None:
    await world.declare("Payroll export leak sev1 private")
    await world.declare("Checkout 5xx sev2")

    await world.later(HOUR)

    [digest] = world.messages(world.stakeholders)
    body = shown(digest)
    assert "INC-2 · Checkout 5xx" in body
    assert "INC-1" not in body and "Payroll" not in body


async def test_no_digest_without_an_open_public_sev1_or_sev2(world: World) -> None:
    await world.declare("Payroll export leak sev1 private")
    await world.declare("Search slow sev3")
    await world.declare("Checkout 5xx sev2")
    await world.command("resolve #3", user=world.alice, channel=world.general)

    report = await world.later(HOUR)

    assert not report.digest
    assert world.messages(world.stakeholders) == []
