"""PagerDuty's own Events v2 client (`pagerduty` on PyPI, the successor of `pdpyras`) talking
to OpsGuard's `/v2/enqueue`, changed in nothing but its base URL.

The client refuses any base URL that is not `https://`, so OpsGuard's own aiohttp app is also
served over TLS here (a second site on the same runner, with a throwaway self-signed
certificate that the client is told to trust), as it would be behind a TLS terminator.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pagerduty
import pytest
from aiohttp import web

from storage.models import Incident, IncidentStatus
from tests.alerts.alertmanager_support import (
    ROUTING_KEY,
    SERVICE,
    AlertWorld,
    free_port,
    running_opsguard,
    wait_for,
)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


@dataclass
class Events:
    world: AlertWorld
    base_url: str
    trust: ssl.SSLContext
    clients: list[pagerduty.EventsApiV2Client] = field(default_factory=list)

    def client(self, routing_key: str = ROUTING_KEY) -> pagerduty.EventsApiV2Client:
        client = pagerduty.EventsApiV2Client(routing_key, base_url=self.base_url, verify=self.trust)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()

    async def incident(self) -> Incident:
        (incident,) = await self.world.incidents()
        return incident


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a TLS certificate for 127.0.0.1")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


@pytest.fixture
async def events(database_url: str, certificate: Certificate) -> AsyncIterator[Events]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(certificate.cert, certificate.key)
    async with running_opsguard(database_url) as world:
        runner = world.guard._runner  # the running OpsGuard's own app; stopped with it
        assert runner is not None
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port, ssl_context=server).start()
        trust = ssl.create_default_context(cafile=str(certificate.cert))
        events = Events(world, f"https://127.0.0.1:{port}", trust)
        try:
            yield events
        finally:
            events.close()


async def test_trigger_acknowledge_resolve(events: Events) -> None:
    client = events.client()
    key = await asyncio.to_thread(
        client.trigger,
        "Disk 95% full on db1",
        "db1",
        severity="error",
        custom_details={"free": "5%"},
        links=[{"href": "https://grafana.example/d/db", "text": "Dashboard"}],
    )
    (group,) = await events.world.groups()
    assert key == group.dedup_key  # OpsGuard made the key and the client got it back
    incident = await events.incident()
    assert incident.id is not None
    assert (incident.title, incident.service, incident.severity, incident.status) == (
        "Disk 95% full on db1",
        SERVICE,
        "SEV2",  # PagerDuty "error"
        IncidentStatus.TRIGGERED,
    )
    pages = await events.world.pages(incident.id)
    assert [(p.loop, p.step, p.user_id) for p in pages] == [(0, 0, events.world.bob)]

    async def paged() -> list[str] | None:
        return events.world.page_dms() or None

    assert await wait_for(paged, "the page DM") == [events.world.bob]

    # A repeat with the key joins the same group and incident.
    again = await asyncio.to_thread(client.trigger, "Disk 96% full on db1", "db1", dedup_key=key)
    assert again == key
    (group,) = await events.world.groups()
    assert group.count == 2 and len(await events.world.incidents()) == 1

    assert await asyncio.to_thread(client.acknowledge, key) == key
    incident = await events.incident()
    assert incident.status == IncidentStatus.ACKNOWLEDGED and incident.acknowledged_at

    assert await asyncio.to_thread(client.resolve, key) == key
    incident = await events.incident()
    assert incident.status == IncidentStatus.RESOLVED and incident.resolved_at
    (group,) = await events.world.groups()
    assert group.status == "closed"


async def test_the_callers_dedup_key_is_echoed(events: Events) -> None:
    client = events.client()
    key = await asyncio.to_thread(
        client.trigger, "Queue backlog", "worker-3", dedup_key="backlog/worker-3"
    )
    assert key == "backlog/worker-3"
    assert await asyncio.to_thread(client.resolve, key) == key
    assert (await events.incident()).status == IncidentStatus.RESOLVED


async def test_unknown_routing_key_is_a_client_error(events: Events) -> None:
    client = events.client("R" + "0" * 31)
    with pytest.raises(pagerduty.HttpError) as raised:
        await asyncio.to_thread(client.trigger, "Disk full", "db1")
    assert raised.value.response is not None
    assert raised.value.response.status_code == 400
    assert await events.world.incidents() == []
