"""The lifecycle world with a fake Jira, a postmortem link secret and a reader token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from fakes.jira import FakeJira
from tests.lifecycle.conftest import (  # noqa: F401  (fixtures)
    World,
    WorldFactory,
    make_world,
    people,
    settings,
    slack,
)

READER_TOKEN = "reader-token-0123456789abcdef"


@pytest.fixture
async def jira() -> AsyncIterator[FakeJira]:
    async with FakeJira() as running:
        yield running
        assert running.internal_errors == []


@pytest.fixture
async def world(make_world: WorldFactory, jira: FakeJira) -> World:  # noqa: F811
    return await make_world(
        jira_url=jira.base_url,
        jira_user=jira.user,
        jira_api_token=jira.token,
        jira_project="OPS",
        postmortem_token=READER_TOKEN,
        link_secret="link-secret-0123456789abcdef",
    )
