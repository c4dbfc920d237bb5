"""A throwaway PostgreSQL database for one benchmark run."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url


@asynccontextmanager
async def throwaway_postgres(url: str, prefix: str) -> AsyncIterator[str]:
    """A fresh database on the server of `url` (any PostgreSQL URL), dropped afterwards;
    yields its SQLAlchemy asyncpg URL."""
    parsed = make_url(url).set(drivername="postgresql+asyncpg")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(
        user=parsed.username,
        password=parsed.password,
        host=parsed.host,
        port=parsed.port or 5432,
        database=parsed.database or "postgres",
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield parsed.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
