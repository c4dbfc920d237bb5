"""The lifecycle world, with a deploy source and the organisation in London."""

from __future__ import annotations

import pytest

from bot.config import DeploySource, OpsConfig, load_config
from tests.conftest import REPO
from tests.lifecycle.conftest import (  # noqa: F401  (fixtures)
    make_world,
    people,
    settings,
    slack,
    world,
)

DEPLOY_TOKEN = "deploy-token-0123456789abcdef"
SEARCH_ONLY_TOKEN = "search-only-token-0123456789"


@pytest.fixture
def config() -> OpsConfig:
    base = load_config(REPO / "opsguard.example.yml")
    return base.model_copy(
        update={
            "deploy_sources": (
                DeploySource(name="ci", token=DEPLOY_TOKEN),
                DeploySource(name="search-ci", token=SEARCH_ONLY_TOKEN, services=("search",)),
            )
        }
    )
