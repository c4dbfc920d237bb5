"""Sessions and transactions: writers take turns without losing work, readers never wait for
them, and a PostgreSQL connection that went away while idle is replaced before use."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import col

import storage.db
from storage.db import Database
from storage.models import Counter

NAME = "test_counter"


async def value(db: Database) -> int:
    async with db.session() as session:
        counter = await session.get(Counter, NAME)
    assert counter is not None
    return counter.value


@pytest.fixture
async def counter(db: Database) -> Database:
    async with db.transaction() as session:
        session.add(Counter(name=NAME, value=0))
    return db


async def test_concurrent_writers_lose_nothing(counter: Database) -> None:
    db = counter

    async def orm() -> None:
        async with db.transaction() as session:
            row = await session.get(Counter, NAME, with_for_update=True)
            assert row is not None
            await asyncio.sleep(0)  # let the others try to get in meanwhile
            row.value += 1

    async def core() -> None:
        async with db.begin() as conn:
            await conn.execute(
                update(Counter).where(col(Counter.name) == NAME).values(value=Counter.value + 1)
            )

    await asyncio.gather(*(orm() for _ in range(25)), *(core() for _ in range(25)))
    assert await value(db) == 50


async def test_a_failed_transaction_leaves_nothing_and_frees_the_next(counter: Database) -> None:
    db = counter
    with pytest.raises(RuntimeError):
        async with db.begin() as conn:
            await conn.execute(update(Counter).values(value=99))
            raise RuntimeError("changed my mind")
    async with db.begin() as conn:
        await conn.execute(update(Counter).values(value=Counter.value + 1))
    assert await value(db) == 1


async def test_readers_do_not_wait_for_a_writer(counter: Database) -> None:
    db = counter
    written, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as session:
            row = await session.get(Counter, NAME, with_for_update=True)
            assert row is not None
            row.value = 7
            await session.flush()
            written.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    assert await asyncio.wait_for(value(db), 5) == 0  # the committed value, at once
    release.set()
    await task
    assert await value(db) == 7


async def test_a_writer_waiting_as_long_as_the_busy_timeout_fails(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("only SQLite's writers take turns in the process")
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    async with db.transaction():
        with pytest.raises(TimeoutError):
            async with db.transaction():
                pass  # a transaction inside a transaction would wait for itself


async def test_an_idle_postgresql_connection_that_died_is_replaced(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("the idle check is for PostgreSQL's pool")

    async def backend() -> int:
        async with db.engine.connect() as conn:
            return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())

    async def terminate(pid: int) -> None:
        url = make_url(db.url)
        admin = await asyncpg.connect(
            user=url.username, password=url.password, host=url.host, port=url.port or 5432
        )
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()

    # Used again at once, a connection is trusted: its death shows as an error, and the pool
    # drops it.
    await terminate(await backend())
    with pytest.raises(DBAPIError):
        await backend()
    # Idle for longer than the limit, it is checked first, and replaced.
    monkeypatch.setattr(storage.db, "PG_PING_AFTER_IDLE_S", 0.0)
    dead = await backend()
    await terminate(dead)
    assert await backend() != dead
