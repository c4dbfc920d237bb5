"""SQLite runs on the event loop's thread: a write lock held by another process is waited
for on the loop, which goes on serving everything else meanwhile, and given up on after the
busy timeout."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator

import pytest
from sqlalchemy import event, update

import storage.db
from storage.db import Database
from storage.models import Counter

NAME = "inline_counter"


@pytest.fixture
async def sqlite_db(db: Database) -> Database:
    if db.dialect != "sqlite":
        pytest.skip("the inline driver is SQLite's")
    async with db.transaction() as session:
        session.add(Counter(name=NAME, value=0))
    return db


@pytest.fixture
def other_process(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """A second connection holding the write lock, as a CLI command in another process would."""
    path = sqlite_db.engine.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    yield other
    other.close()


async def bump(db: Database) -> None:
    async with db.begin() as conn:
        await conn.execute(update(Counter).values(value=Counter.value + 1))


async def value(db: Database) -> int:
    async with db.session() as session:
        counter = await session.get(Counter, NAME)
    assert counter is not None
    return counter.value


async def test_a_writer_waits_for_another_process_without_holding_up_the_loop(
    sqlite_db: Database, other_process: sqlite3.Connection
) -> None:
    connected = asyncio.Event()
    event.listen(sqlite_db.engine.sync_engine.pool, "checkout", lambda *_: connected.set())
    writer = asyncio.create_task(bump(sqlite_db))
    await asyncio.wait_for(connected.wait(), 1)  # the writer has a connection: it asks for the lock
    # The loop is free: a read runs to the end while the writer still waits.
    assert await asyncio.wait_for(value(sqlite_db), 1) == 0
    assert not writer.done()
    other_process.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    assert await value(sqlite_db) == 1


async def test_a_lock_held_past_the_busy_timeout_fails_the_writer(
    sqlite_db: Database, other_process: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_S", 0.1)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        await bump(sqlite_db)
    other_process.execute("ROLLBACK")
    await bump(sqlite_db)  # the connection the failed writer had is usable again
    assert await value(sqlite_db) == 1
