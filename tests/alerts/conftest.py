"""OpsGuard with one integration of each kind, on the fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import OpsConfig, load_config
from bot.domain.alerts.integrations import Integration
from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from fakes.slack import FakeSlack
from tests.conftest import REPO, SIGNING_SECRET, make_settings

TOKENS = {"alertmanager": "am-secret", "grafana": "graf-secret", "generic": "gen-secret"}
ROUTING_KEY = "rk-checkout"


def intake_config(*, rate_limit: int = 6000) -> OpsConfig:
    base = load_config(REPO / "opsguard.example.yml")
    integrations = [
        Integration(
            name=kind,
            type=kind,
            token=token,
            service="checkout",  # type: ignore[arg-type]
            service_label="service",
            rate_limit=rate_limit,
        )
        for kind, token in TOKENS.items()
    ] + [
        Integration(
            name="pd",
            type="pagerduty",
            routing_key=ROUTING_KEY,
            service="checkout",
            rate_limit=rate_limit,
        )
    ]
    return base.model_copy(update={"integrations": tuple(integrations)})


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def guard(slack: FakeSlack, database_url: str) -> AsyncIterator[OpsGuard]:
    settings = make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        database_url=database_url,
    )
    app = OpsGuard(settings, intake_config(), clock=FakeClock())
    await app.start(host="127.0.0.1", port=0, scheduler=False)
    yield app
    await app.stop()
