"""Async engine and session helpers for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import sqlite_inline

# SQLite: how long a writer waits for its turn in the process, and then for another process's
# write lock, before it fails with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30
# PostgreSQL: enough pooled connections for the app's concurrent transactions, since a
# connection beyond the pool is closed when given back (and opening one starts a server
# process); and how long a connection may sit idle before it is checked on checkout.
PG_POOL_SIZE = 20
PG_MAX_OVERFLOW = 10
PG_PING_AFTER_IDLE_S = 10.0
IDLE_SINCE = "opsguard_idle_since"
# Execution option marking read-only work: on SQLite it begins a deferred transaction.
READ_ONLY = "opsguard_read_only"


class Database:
    """One engine per process; sessions are short and never shared between tasks.

    On SQLite, write transactions in this process take turns on an asyncio lock before
    `BEGIN IMMEDIATE`: the next writer is woken the moment the last one commits, instead of
    polling in SQLite's busy handler (which sleeps 1, 2, 5 … 100 ms between tries).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )
        self._reader = self.engine.execution_options(**{READ_ONLY: True})
        self._read_sessions = async_sessionmaker(
            self._reader, class_=AsyncSession, expire_on_commit=False
        )
        self._serialize_writes = self.dialect == "sqlite"
        self._writer: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only: on SQLite it never takes the write lock, so reads run
        beside the writer (WAL) instead of queueing behind it. Write in `transaction()`."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work commits on success and rolls back on any error."""
        # The turn ends at COMMIT: handing the connection back to the pool needs none.
        async with self._sessions() as session, self._write_turn(), session.begin():
            yield session

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        """Like `transaction()` on a plain connection, for hot paths that need no ORM."""
        async with self._write_turn():
            conn = await self.engine.connect()
            try:
                async with conn.begin():
                    yield conn
            except BaseException:
                await conn.close()
                raise
        await conn.close()  # after the turn, as in `transaction()`

    async def ping(self) -> None:
        async with self._reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        if not self._serialize_writes:
            yield
            return
        lock = self._writer_lock()
        # As long as another process's lock is waited for: a writer stuck that long is a bug.
        async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
            await lock.acquire()
        try:
            yield
        finally:
            lock.release()

    def _writer_lock(self) -> asyncio.Lock:
        """The lock of the running event loop (a CLI may run several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer[0] is not loop:
            self._writer = (loop, asyncio.Lock())
        return self._writer[1]


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(
            url, echo=echo, pool_size=PG_POOL_SIZE, max_overflow=PG_MAX_OVERFLOW
        )
        _ping_when_idle(engine)
        return engine
    engine = create_async_engine(sqlite_inline.inline_url(parsed), echo=echo)
    _serialize_sqlite_writers(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Check a pooled PostgreSQL connection before use only if it sat idle for a while.

    `pool_pre_ping` costs a round trip on every checkout. Under load connections come back
    within milliseconds, alive; one that sat idle may have been dropped (a server restart, an
    idle timeout), so that one is pinged and, if dead, replaced before anyone uses it.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(IDLE_SINCE)  # None: a new connection
        if idle_since is None or time.monotonic() - idle_since < PG_PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection is gone") from exc  # the pool replaces it


def _serialize_sqlite_writers(engine: AsyncEngine) -> None:
    """Make every SQLite transaction that may write take the write lock up front.

    A deferred transaction that reads and then writes can fail with "database is locked"
    without waiting; an immediate one waits for the lock (`sqlite_inline.begin_immediate`,
    on the event loop). Read-only work
    (the `READ_ONLY` execution option) begins deferred: in WAL mode it never waits for the
    writer, nor makes the writer wait.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        driver = conn.connection.driver_connection.driver
        if conn.get_execution_options().get(READ_ONLY, False):
            driver.execute("BEGIN")
        else:
            sqlite_inline.begin_immediate(driver, SQLITE_BUSY_TIMEOUT_S)
