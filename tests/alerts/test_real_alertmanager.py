"""The real Alertmanager (Debian's 0.25) notifying a real OpsGuard, through its webhook and
through its PagerDuty Events v2 notifier pointed at `/v2/enqueue`.

Alertmanager's timers are real time, so these tests poll with deadlines (group_wait and
group_interval are 1 s). Without the binary they skip, saying where it is looked for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.models import AlertGroup, Incident, IncidentStatus
from tests.alerts.alertmanager_support import (
    AM_TOKEN,
    ROUTING_KEY,
    SERVICE,
    AlertWorld,
    RunningAlertmanager,
    find_alertmanager,
    running_alertmanager,
    running_opsguard,
    wait_for,
)

SUMMARY = "Checkout 5xx above 5%"


@pytest.fixture(scope="session")
def alertmanager_bin() -> Path:
    binary, why_not = find_alertmanager()
    if binary is None:
        pytest.skip(why_not)
    return binary


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[AlertWorld]:
    async with running_opsguard(database_url) as running:
        yield running


def am_config(receiver: dict[str, Any]) -> dict[str, Any]:
    return {
        "global": {"resolve_timeout": "10s"},
        "route": {
            "receiver": "opsguard",
            "group_by": ["alertname", "service"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [{"name": "opsguard", **receiver}],
    }


def webhook(world: AlertWorld) -> dict[str, Any]:
    return {
        "webhook_configs": [
            {
                "url": f"{world.url}/hooks/alertmanager",
                "send_resolved": True,
                "http_config": {"authorization": {"type": "Bearer", "credentials": AM_TOKEN}},
            }
        ]
    }


def pagerduty(world: AlertWorld) -> dict[str, Any]:
    return {
        "pagerduty_configs": [
            {
                "url": f"{world.url}/v2/enqueue",
                "routing_key": ROUTING_KEY,
                "send_resolved": True,
                # Without this Alertmanager sends "error" (SEV2) for everything.
                "severity": "{{ .CommonLabels.severity }}",
            }
        ]
    }


def alert(ends_at: datetime) -> dict[str, Any]:
    """One alert as Prometheus pushes it: startsAt a minute ago, endsAt as given."""
    now = datetime.now(UTC)
    return {
        "labels": {
            "alertname": "CheckoutErrors",
            "service": SERVICE,
            "severity": "critical",
            "instance": "checkout-1",
        },
        "annotations": {"summary": SUMMARY},
        "startsAt": (now - timedelta(minutes=1)).isoformat(),
        "endsAt": ends_at.isoformat(),
        "generatorURL": "http://prometheus.example:9090/graph?g0.expr=errors",
    }


async def fire_escalate_resolve(
    world: AlertWorld, am: RunningAlertmanager, *, title: str, severity: str
) -> Incident:
    """Push a firing alert, wait for the paged incident; push it resolved, wait for that."""
    await am.post_alerts([alert(datetime.now(UTC) + timedelta(hours=1))])

    async def opened() -> Incident | None:
        incidents = await world.incidents()
        return incidents[0] if incidents else None

    incident = await wait_for(opened, "the incident", context=am.log_tail)
    assert incident.id is not None
    assert (incident.title, incident.service, incident.severity) == (title, SERVICE, severity)
    assert incident.status == IncidentStatus.TRIGGERED
    # Escalated: the service's policy paged Bob at step 0, and the page went out as a DM.
    pages = await world.pages(incident.id)
    assert [(p.loop, p.step, p.user_id) for p in pages] == [(0, 0, world.bob)]

    async def paged() -> list[str] | None:
        return world.page_dms() or None

    assert await wait_for(paged, "the page DM") == [world.bob]

    await am.post_alerts([alert(datetime.now(UTC))])

    async def resolved() -> Incident | None:
        (current,) = await world.incidents()
        return current if current.status == IncidentStatus.RESOLVED else None

    done = await wait_for(resolved, "the resolution", context=am.log_tail)
    assert done.id == incident.id and done.resolved_at is not None
    groups: list[AlertGroup] = await world.groups()
    assert [(g.status, g.incident_id) for g in groups] == [("closed", incident.id)]
    assert len(await world.incidents()) == 1  # repeats and the resolution opened nothing new
    return done


async def test_webhook_fires_escalates_and_resolves(
    world: AlertWorld, alertmanager_bin: Path, tmp_path: Path
) -> None:
    config = am_config(webhook(world))
    async with running_alertmanager(alertmanager_bin, tmp_path / "am", config) as am:
        await fire_escalate_resolve(world, am, title=SUMMARY, severity="SEV1")
    (group,) = await world.groups()
    assert group.integration == "prometheus"
    assert group.dedup_key == '{}:{alertname="CheckoutErrors", service="checkout"}'


async def test_pagerduty_notifier_fires_escalates_and_resolves(
    world: AlertWorld, alertmanager_bin: Path, tmp_path: Path
) -> None:
    config = am_config(pagerduty(world))
    async with running_alertmanager(alertmanager_bin, tmp_path / "am", config) as am:
        # Alertmanager's default PagerDuty summary; the severity is the `severity` template
        # in pagerduty() above.
        title = "[FIRING:1] CheckoutErrors checkout (checkout-1 critical)"
        await fire_escalate_resolve(world, am, title=title, severity="SEV1")
    (group,) = await world.groups()
    assert group.integration == "pd"
    assert len(group.dedup_key) == 64  # Alertmanager's SHA-256 of the group key
