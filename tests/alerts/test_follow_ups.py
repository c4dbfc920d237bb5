"""What alert intake does in Slack after the answer: nothing for a plain repeat, one read for
an announced incident, pages at once when the service has a policy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

import bot.slack_ops.effects
import handlers.alert_hooks
from bot.config import OpsConfig
from bot.domain.alerts.outcome import Outcome
from bot.domain.snapshot import Snapshot
from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from fakes.slack import FakeSlack
from storage.db import Database
from tests.alerts.conftest import TOKENS, intake_config
from tests.alerts.payload_samples import alertmanager
from tests.alerts.test_hooks_http import post
from tests.conftest import make_settings

Start = Callable[..., Any]


def low(body: dict[str, Any]) -> dict[str, Any]:
    """The same alert at severity `info`: SEV4, no war room."""
    for alert in body["alerts"]:
        alert["labels"]["severity"] = "info"
    return body


@pytest.fixture
async def started(slack: FakeSlack, database_url: str) -> AsyncIterator[Start]:
    guards: list[OpsGuard] = []

    async def start(config: OpsConfig | None = None, **settings: str) -> OpsGuard:
        guard = OpsGuard(
            make_settings(
                slack_bot_token=slack.bot_token,
                slack_signing_secret="s",
                slack_api_url=slack.api_url,
                database_url=database_url,
                **settings,
            ),
            config or intake_config(),
            clock=FakeClock(),
        )
        await guard.start(host="127.0.0.1", port=0, scheduler=False)
        guards.append(guard)
        return guard

    yield start
    for guard in guards:
        await guard.stop()


@pytest.fixture
def snapshots(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The incidents `after_declare` read a snapshot of."""
    read: list[int] = []
    real = bot.slack_ops.effects.snapshot

    async def counted(db: Database, incident_id: int) -> Snapshot:
        read.append(incident_id)
        return await real(db, incident_id)

    monkeypatch.setattr(bot.slack_ops.effects, "snapshot", counted)
    return read


async def test_plain_repeats_start_no_follow_up(
    started: Start, slack: FakeSlack, snapshots: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    followed: list[list[Outcome]] = []
    real = handlers.alert_hooks.after_intake

    async def spy(ops: Any, outcomes: list[Outcome]) -> None:
        followed.append(outcomes)
        await real(ops, outcomes)

    monkeypatch.setattr(handlers.alert_hooks, "after_intake", spy)
    guard = await started()
    for _ in range(3):
        status, _, _ = await post(
            guard, "/hooks/alertmanager", low(alertmanager()), token=TOKENS["alertmanager"]
        )
        assert status == 202
    await guard.stop()  # waits for the follow-ups
    assert [[o.declared for o in outcomes] for outcomes in followed] == [[True]]
    # SEV4, no incidents channel, nobody named, no policy: nothing to show, nothing to read.
    assert snapshots == []
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_an_announced_alert_incident_is_read_once(
    started: Start, slack: FakeSlack, snapshots: list[int]
) -> None:
    incidents = slack.add_channel("incidents")
    guard = await started(incidents_channel=incidents.id)
    await post(guard, "/hooks/alertmanager", low(alertmanager()), token=TOKENS["alertmanager"])
    card = await slack.wait_for_call(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == incidents.id
    )
    assert "Checkout 5xx above 5%" in card.args["text"]
    await guard.stop()
    assert snapshots == [1]


async def test_an_alert_on_a_service_with_a_policy_pages_at_once(
    started: Start, slack: FakeSlack
) -> None:
    bob = slack.add_user("bob")
    paged = OpsConfig.model_validate(
        {
            "services": [{"name": "checkout", "escalation_policy": "checkout"}],
            "escalation_policies": [
                {"name": "checkout", "steps": [{"delay": "5m", "targets": [{"user": bob.id}]}]}
            ],
        }
    )
    config = intake_config().model_copy(
        update={"services": paged.services, "escalation_policies": paged.escalation_policies}
    )
    guard = await started(config)
    await post(guard, "/hooks/alertmanager", low(alertmanager()), token=TOKENS["alertmanager"])
    page = await slack.wait_for_call(
        "chat.postMessage", predicate=lambda c: c.args["channel"] == bob.id
    )
    assert "You are paged" in page.args["text"]
