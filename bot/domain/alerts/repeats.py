"""Plain repeats, counted together: one short transaction for every repeat that arrived while
the previous one was being written (group commit).

Alertmanager re-sends each firing group every few minutes, so most deliveries are *plain
repeats*: the group is open and every alert they name is firing already. Such a delivery
changes nothing but the group's count and the `last_seen` times, and a batch of them costs
three statements however many there are. On SQLite, where writes take turns, one
transaction per repeat would cap intake at the writer's round trips.

Whatever is not a plain repeat (a new group, a new or re-firing alert, a resolve or an
acknowledgement) is answered None and takes the full path, in a transaction of its own.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlmodel import col

from storage.db import Database
from storage.models import Alert, AlertGroup

log = logging.getLogger("opsguard.alerts")
MAX_ALERTS = 1000  # alerts named per batch: keeps its IN lists well inside SQLite's limits


@dataclass(frozen=True)
class Repeat:
    integration: str
    key: str
    fingerprints: frozenset[str]
    now: datetime


@dataclass(frozen=True)
class Counted:
    group_id: int
    incident_id: int | None


async def count(db: Database, repeat: Repeat) -> Counted | None:
    """Count `repeat` if it is a plain one, together with whatever else is waiting."""
    return await _batcher(db).count(db, repeat)


# The batch's statements, built once (SQLAlchemy memoizes their cache keys too). On
# PostgreSQL the batch locks the groups it counts, as the full path does before it changes a
# group or its alerts; a group another transaction holds is skipped, and its repeats take the
# full path, which waits for it. On SQLite the write lock orders everything.
_FIRING = (
    select(
        col(AlertGroup.id),
        col(AlertGroup.incident_id),
        col(AlertGroup.integration),
        col(AlertGroup.dedup_key),
        col(Alert.id).label("alert_id"),
        col(Alert.fingerprint),
    )
    .join(Alert, col(Alert.group_id) == col(AlertGroup.id))
    .where(
        col(AlertGroup.status) == "open",
        col(AlertGroup.integration).in_(bindparam("integrations", expanding=True)),
        col(AlertGroup.dedup_key).in_(bindparam("keys", expanding=True)),
        col(Alert.status) == "firing",
        col(Alert.fingerprint).in_(bindparam("fingerprints", expanding=True)),
    )
    .with_for_update(of=AlertGroup, skip_locked=True)
)
_COUNT = (
    update(AlertGroup)
    .where(col(AlertGroup.id) == bindparam("group"))
    .values(count=col(AlertGroup.count) + bindparam("repeats"), last_seen=bindparam("now"))
)
_TOUCH = (
    update(Alert)
    .where(col(Alert.id).in_(bindparam("alerts", expanding=True)), col(Alert.status) == "firing")
    .values(last_seen=bindparam("now"), ends_at=None)
)


class _Raced(Exception):
    """An alert changed between the batch's read and its write: a transaction that had
    just committed when the batch locked the group (PostgreSQL, read committed)."""


async def _write(db: Database, repeats: list[Repeat]) -> list[Counted | None]:
    now = max(r.now for r in repeats)
    firing: dict[tuple[str, str], set[str]] = {}
    groups: dict[tuple[str, str], Counted] = {}
    alerts: dict[tuple[str, str, str], int] = {}
    async with db.begin() as conn:
        rows = await conn.execute(
            _FIRING,
            {
                "integrations": sorted({r.integration for r in repeats}),
                "keys": sorted({r.key for r in repeats}),
                "fingerprints": sorted({f for r in repeats for f in r.fingerprints}),
            },
        )
        for row in rows:
            group = (row.integration, row.dedup_key)
            groups[group] = Counted(row.id, row.incident_id)
            firing.setdefault(group, set()).add(row.fingerprint)
            alerts[(*group, row.fingerprint)] = row.alert_id
        plain = [
            r if r.fingerprints <= firing.get((r.integration, r.key), set()) else None
            for r in repeats
        ]
        counts = Counter(groups[(r.integration, r.key)].group_id for r in plain if r is not None)
        if counts:
            await conn.execute(
                _COUNT, [{"group": g, "repeats": n, "now": now} for g, n in sorted(counts.items())]
            )
            touched = {
                alerts[(r.integration, r.key, f)]
                for r in plain
                if r is not None
                for f in r.fingerprints
            }
            result = await conn.execute(_TOUCH, {"alerts": sorted(touched), "now": now})
            if result.rowcount != len(touched):
                raise _Raced  # rolls the batch back
    return [groups[(r.integration, r.key)] if r is not None else None for r in plain]


class _Batcher:
    """Repeats queue here; one task writes them a batch at a time, while more queue up.

    It holds no reference to its database while idle, so `_batchers` can let both go."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._waiting: list[tuple[Repeat, asyncio.Future[Counted | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def count(self, db: Database, repeat: Repeat) -> Counted | None:
        future: asyncio.Future[Counted | None] = self.loop.create_future()
        self._waiting.append((repeat, future))
        if self._writer is None:
            self._writer = self.loop.create_task(self._drain(db))
        return await future

    async def _drain(self, db: Database) -> None:
        batch: list[tuple[Repeat, asyncio.Future[Counted | None]]] = []
        try:
            while self._waiting:
                size = _batch_size([r for r, _ in self._waiting])
                batch, self._waiting = self._waiting[:size], self._waiting[size:]
                try:
                    results = await _write(db, [r for r, _ in batch])
                except _Raced:
                    results = [None] * len(batch)
                except Exception:
                    log.warning(
                        "counting %d repeats failed; each takes the full path",
                        len(batch),
                        exc_info=True,
                    )
                    results = [None] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                batch = []
        finally:
            self._writer = None
            for _, future in batch + self._waiting:  # only if this task was cancelled
                future.cancel()
            self._waiting = []


def _batch_size(waiting: list[Repeat]) -> int:
    size = alerts = 0
    for repeat in waiting:
        alerts += len(repeat.fingerprints)
        if size and alerts > MAX_ALERTS:
            break
        size += 1
    return size


_batchers: weakref.WeakKeyDictionary[Database, _Batcher] = weakref.WeakKeyDictionary()


def _batcher(db: Database) -> _Batcher:
    batcher = _batchers.get(db)
    if batcher is None or batcher.loop is not asyncio.get_running_loop():
        batcher = _batchers[db] = _Batcher()
    return batcher
