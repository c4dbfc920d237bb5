"""The war room's conference bridge: Zoom, the Meet fallback with a note, and recreating it."""

from __future__ import annotations

from fakes.zoom import FakeZoom
from tests.lifecycle.conftest import MEET_URL, World, shown


async def test_the_bridge_is_a_zoom_meeting_named_after_the_incident(
    zoom_world: World, zoom: FakeZoom
) -> None:
    world = zoom_world
    incident = await world.declare("Checkout 5xx sev1 service:checkout")

    [meeting] = zoom.meetings
    assert meeting["topic"] == "INC-1: Checkout 5xx"
    assert incident.conference_url == meeting["join_url"]
    room = await world.room(1)
    assert room.topic["value"] == f"SEV1 · Triggered · Checkout 5xx · Zoom: {meeting['join_url']}"
    assert ("Zoom bridge", meeting["join_url"]) in [
        (b.title, b.link) for b in world.slack.bookmarks[room.id]
    ]
    assert "Join the call" in shown(await world.command_center(1))
    assert not any("Conference bridge" in m.text for m in world.messages(room))


async def test_a_zoom_outage_falls_back_to_meet_with_a_note_and_bridge_recreates_it(
    zoom_world: World, zoom: FakeZoom
) -> None:
    world = zoom_world
    zoom.fail_next(zoom.meetings_path, status=503)

    incident = await world.declare("Checkout 5xx sev1 service:checkout")

    assert incident.conference_url == MEET_URL
    room = await world.room(1)
    [note] = [m for m in world.messages(room) if m.text.startswith("Conference bridge")]
    assert "Zoom had a server error (HTTP 503)" in note.text
    assert "Using the Google Meet room" in note.text
    assert room.topic["value"].endswith(f"Call: {MEET_URL}")

    response = await world.command("bridge", user=world.alice, channel=room)

    assert response.json == {"text": "Creating a new bridge…", "response_type": "ephemeral"}
    [meeting] = zoom.meetings
    join_url = meeting["join_url"]
    assert (await world.incident(1)).conference_url == join_url
    said = await world.slack.wait_for_response(predicate=lambda r: "Bridge:" in (r.text or ""))
    assert said.text == f"Bridge: {join_url}"
    assert room.topic["value"].endswith(f"Zoom: {join_url}")
    assert [(b.title, b.link) for b in world.slack.bookmarks[room.id]] == [
        ("Runbook: checkout", "https://runbooks.example.com/checkout"),
        ("Zoom bridge", join_url),
    ]
    assert join_url.replace("&", "&amp;") in shown(await world.command_center(1))
