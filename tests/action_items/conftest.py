"""A running FakeJira, the real Jira client pointed at it, and incidents to hang items on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import OpsConfig
from bot.domain import lifecycle
from bot.issue_tracker import IssueTracker
from fakes.clock import FakeClock
from fakes.jira import FakeJira
from storage.db import Database
from storage.models import Incident
from tests.conftest import make_settings

CONFIG = OpsConfig.model_validate({"services": [{"name": "api"}, {"name": "db"}]})


@pytest.fixture
async def jira() -> AsyncIterator[FakeJira]:
    async with FakeJira() as running:
        yield running
        assert running.internal_errors == []


def tracker_for(jira: FakeJira, *, timeout_s: float = 5.0, **overrides: object) -> IssueTracker:
    values: dict[str, object] = {
        "jira_url": jira.base_url,
        "jira_user": jira.user,
        "jira_api_token": jira.token,
        "jira_project": "OPS",
    }
    settings = make_settings(**(values | overrides))
    return IssueTracker(settings, timeout_s=timeout_s)


@pytest.fixture
def tracker(jira: FakeJira) -> IssueTracker:
    return tracker_for(jira)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def declare(
    db: Database,
    clock: FakeClock,
    title: str = "Checkout is down",
    *,
    service: str | None = "api",
    private: bool = False,
    by: str = "U1",
) -> Incident:
    return await lifecycle.declare(
        db, clock, CONFIG, title=title, declared_by=by, service=service, private=private
    )
