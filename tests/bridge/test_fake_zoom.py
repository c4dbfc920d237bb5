"""FakeZoom answers like Zoom's S2S OAuth and meeting endpoints, and its knobs work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from fakes.zoom import TOKEN_PATH, FakeZoom


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def get_token(
    zoom: FakeZoom,
    http: aiohttp.ClientSession,
    *,
    secret: str | None = None,
    in_query: bool = True,
    grant_type: str = "account_credentials",
) -> tuple[int, dict[str, Any]]:
    params = {"grant_type": grant_type, "account_id": zoom.account_id}
    basic = aiohttp.encode_basic_auth(zoom.client_id, secret or zoom.client_secret)
    async with http.post(
        zoom.oauth_url,
        params=params if in_query else None,
        data=None if in_query else params,
        headers={"Authorization": basic},
    ) as response:
        return response.status, await response.json()


async def post_meeting(
    zoom: FakeZoom, http: aiohttp.ClientSession, token: str, body: object
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.post(zoom.api_url + "/users/me/meetings", json=body, headers=headers) as r:
        return r.status, await r.json()


@pytest.mark.parametrize("in_query", [True, False])
async def test_token_from_query_or_form(
    zoom: FakeZoom, http: aiohttp.ClientSession, in_query: bool
) -> None:
    status, body = await get_token(zoom, http, in_query=in_query)

    assert status == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"]
    assert zoom.token_requests == 1


async def test_token_errors(zoom: FakeZoom, http: aiohttp.ClientSession) -> None:
    assert await get_token(zoom, http, secret="wrong") == (
        400,
        {"reason": "Invalid client_id or client_secret", "error": "invalid_client"},
    )
    assert await get_token(zoom, http, grant_type="client_credentials") == (
        400,
        {"reason": "unsupported grant type", "error": "unsupported_grant_type"},
    )
    async with http.post(zoom.oauth_url, params={"grant_type": "account_credentials"}) as r:
        assert r.status == 401
    assert zoom.token_requests == 3


async def test_meeting_needs_a_live_token(zoom: FakeZoom, http: aiohttp.ClientSession) -> None:
    assert await post_meeting(zoom, http, "made-up", {"topic": "x"}) == (
        401,
        {"code": 124, "message": "Invalid access token."},
    )
    zoom.expires_in = 0
    _, token = await get_token(zoom, http)
    assert await post_meeting(zoom, http, token["access_token"], {"topic": "x"}) == (
        401,
        {"code": 124, "message": "Access token is expired."},
    )
    assert zoom.meetings == []


async def test_meeting_object(zoom: FakeZoom, http: aiohttp.ClientSession) -> None:
    _, token = await get_token(zoom, http)

    status, meeting = await post_meeting(
        zoom, http, token["access_token"], {"topic": "INC-1: db", "type": 1, "user_id": "me"}
    )

    assert status == 201
    assert meeting == zoom.meetings[0]
    assert meeting["topic"] == "INC-1: db"
    assert meeting["join_url"].startswith(f"https://zoom.us/j/{meeting['id']}?pwd=")
    assert meeting["start_url"].startswith(f"https://zoom.us/s/{meeting['id']}?zak=")
    assert meeting["password"]
    assert meeting["host_email"] == zoom.host_email


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"topic": "x" * 201}, "topic"),
        ({"topic": "x", "agenda": "y" * 2001}, "agenda"),
        ({"topic": "x", "type": 5}, "type"),
        ({"topic": "x", "type": 2, "start_time": "tomorrow"}, "start_time"),
    ],
)
async def test_meeting_validation(
    zoom: FakeZoom, http: aiohttp.ClientSession, body: dict[str, Any], field: str
) -> None:
    _, token = await get_token(zoom, http)

    status, answer = await post_meeting(zoom, http, token["access_token"], body)

    assert status == 400
    assert answer["message"] == "Validation Failed."
    assert [e["field"] for e in answer["errors"]] == [field]


async def test_fail_next_counts_down_and_matches_path(
    zoom: FakeZoom, http: aiohttp.ClientSession
) -> None:
    zoom.fail_next(zoom.meetings_path, status=503, times=2)
    zoom.fail_next(TOKEN_PATH, retry_after=7)

    async with http.post(zoom.oauth_url) as r:
        assert (r.status, r.headers["Retry-After"]) == (429, "7")
    status, token = await get_token(zoom, http)
    assert status == 200
    statuses = [
        (await post_meeting(zoom, http, token["access_token"], {"topic": "x"}))[0] for _ in range(3)
    ]
    assert statuses == [503, 503, 201]
    assert len(zoom.meetings) == 1


async def test_latency_and_wait_for_call(zoom: FakeZoom, http: aiohttp.ClientSession) -> None:
    zoom.latency = 0.05
    request = asyncio.create_task(get_token(zoom, http))
    assert zoom.token_requests == 0

    call = await zoom.wait_for_call(TOKEN_PATH, timeout=2)

    assert call.status == 200
    assert call.query["grant_type"] == "account_credentials"
    assert (await request)[0] == 200


async def test_stop_cuts_latency_short(http: aiohttp.ClientSession) -> None:
    zoom = FakeZoom()
    await zoom.start()
    zoom.latency = 30
    request = asyncio.create_task(get_token(zoom, http))
    await asyncio.sleep(0.05)  # the request is now waiting out the latency

    await asyncio.wait_for(zoom.stop(), 2)

    assert (await asyncio.wait_for(request, 2))[0] == 200
