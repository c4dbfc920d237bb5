"""Shared fixtures: databases on both backends, the fake Slack, a running OpsGuard, a driver."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.config import OpsConfig, load_config
from bot.settings import Settings
from storage.db import Database
from storage.migrate import upgrade

REPO = Path(__file__).resolve().parent.parent
SHARED_SLACK = REPO.parent / "shared" / "slack"
PG_ENV = "OPSGUARD_TEST_DATABASE_URL"
SIGNING_SECRET = "test-signing-secret"
OPSGUARD_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "BASE_URL",
    "OPSGUARD_CONFIG",
    "INCIDENTS_CHANNEL",
    "ADMIN_USER_IDS",
    "LOG_LEVEL",
    "CRON_TOKEN",
    "FEED_SECRET",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never pick up a developer's real tokens or .env file."""
    for name in OPSGUARD_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


async def reset_postgres(url: str) -> None:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        user=parsed.username,
        password=parsed.password,
        host=parsed.host,
        port=parsed.port or 5432,
        database=parsed.database,
    )
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a fresh SQLite file, or the CI PostgreSQL with its schema wiped."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / f'opsguard-{secrets.token_hex(4)}.db'}"
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL run needs {PG_ENV} (CI sets it)")
    await reset_postgres(url)
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture
def config() -> OpsConfig:
    return load_config(REPO / "opsguard.example.yml")


def make_settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg]
