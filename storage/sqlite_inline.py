"""Embedded SQLite, run on the event loop's own thread.

aiosqlite gives each connection a worker thread, and SQLAlchemy's adapter makes three or four
trips there and back per statement (cursor, execute, fetch, close). On a small VM one trip
costs about 100 µs of CPU in thread wake-ups and GIL hand-overs, while the statements of an
embedded database take a few microseconds: a new alert group spent two thirds of its time
travelling (docs/benchmarks.md). So SQLite URLs, `sqlite+aiosqlite://` included, run on the
standard library's `sqlite3`, wrapped in the async DBAPI protocol SQLAlchemy's asyncio layer
expects (`AsyncIODBAPIConnection`): every call completes at once, on the calling thread.

The one thing SQLite ever waits for is the write lock. Writers in this process take turns on
an asyncio lock (`storage.db.Database`) before `BEGIN IMMEDIATE`, so they never wait here; a
lock held by another process (a CLI command) is waited for by `begin_immediate`, which sleeps
on the event loop between tries instead of in SQLite's busy handler. The busy timeout left on
the connection is short, for the rare reader that meets another process closing the database.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection, AsyncAdapt_dbapi_module
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL
from sqlalchemy.util import await_

DRIVER = "opsguard_inline"
BUSY_TIMEOUT_S = 0.02  # the longest a statement may block the event loop on another process
RETRY_FIRST_S = 0.002
RETRY_MAX_S = 0.1


class _Cursor:
    """`AsyncIODBAPICursor` over a sqlite3 cursor."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> _Cursor:
        return self

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, operation: str, parameters: Any = None) -> None:
        self._cursor.execute(operation, () if parameters is None else parameters)

    async def executemany(self, operation: str, parameters: Sequence[Any]) -> None:
        self._cursor.executemany(operation, parameters)

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Connection:
    """`AsyncIODBAPIConnection` over a sqlite3 connection."""

    __slots__ = ("driver",)

    def __init__(self, driver: sqlite3.Connection) -> None:
        self.driver = driver

    def cursor(self) -> _Cursor:
        return _Cursor(self.driver.cursor())

    async def commit(self) -> None:
        self.driver.commit()

    async def rollback(self) -> None:
        self.driver.rollback()

    async def close(self) -> None:
        self.driver.close()


class _AdaptedConnection(AsyncAdapt_dbapi_connection):
    __slots__ = ()
    _connection: _Connection

    @property
    def isolation_level(self) -> str | None:
        return self._connection.driver.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.driver.isolation_level = value

    def create_function(self, *args: Any, **kw: Any) -> None:
        self._connection.driver.create_function(*args, **kw)

    def terminate(self) -> None:
        self._connection.driver.close()


class _DBAPI(AsyncAdapt_dbapi_module):
    paramstyle = "qmark"
    has_stop = True  # connections can be terminated (closed at once)

    def __init__(self) -> None:
        super().__init__(sqlite3, dbapi_module=sqlite3)
        for name in (
            *("DatabaseError", "Error", "IntegrityError", "NotSupportedError"),
            *("OperationalError", "ProgrammingError", "sqlite_version", "sqlite_version_info"),
            *("PARSE_COLNAMES", "PARSE_DECLTYPES", "Binary"),
        ):
            setattr(self, name, getattr(sqlite3, name))

    def connect(self, *args: Any, **kw: Any) -> _AdaptedConnection:
        kw.update(check_same_thread=False, timeout=BUSY_TIMEOUT_S)
        return _AdaptedConnection(self, _Connection(sqlite3.connect(*args, **kw)))


class InlineSQLiteDialect(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return _DBAPI()

    def retrieve_dbapi_version(self, dbapi: Any) -> Any:
        return None


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


def inline_url(url: URL) -> URL:
    return url.set(drivername=f"sqlite+{DRIVER}")


def begin_immediate(driver: sqlite3.Connection, timeout_s: float) -> None:
    """`BEGIN IMMEDIATE`, waiting on the event loop while another process writes."""
    try:
        driver.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if not _locked(exc):
            raise
        await_(_retry(driver, timeout_s))


async def _retry(driver: sqlite3.Connection, timeout_s: float) -> None:
    delay = RETRY_FIRST_S
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                await asyncio.sleep(delay)
                try:
                    driver.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if not _locked(exc):
                        raise
                delay = min(delay * 2, RETRY_MAX_S)
    except TimeoutError:
        raise sqlite3.OperationalError("database is locked") from None


def _locked(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
