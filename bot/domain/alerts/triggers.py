"""Trigger deliveries, written together: one transaction for every delivery that arrived
while the previous one was being written (group commit).

Alertmanager re-sends each firing group every few minutes, so most deliveries are *plain
repeats*: the group is open and every alert they name is firing already. Such a delivery
changes nothing but the group's count and the `last_seen` times, and a batch of them costs
three statements however many there are. Every other trigger (a new group, a new or re-firing
alert) is applied in the same transaction by the caller's `apply`, one after another. A
transaction per delivery would cost a `BEGIN`, a `COMMIT` and, on SQLite, a turn at the
write lock each; declarations take turns anyway, on the incident-number counter's row.

The batch never waits for a group another transaction holds (PostgreSQL): its read skips it,
and `apply` is told not to wait. If the batch fails (that, or a race with another replica
that opened the same group or changed an alert under the batch), it rolls back whole and every
delivery in it is answered None, to take a transaction of its own. Resolves and
acknowledgements never come here.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.domain.alerts.outcome import Outcome
from storage.db import Database
from storage.models import Alert, AlertGroup

log = logging.getLogger("opsguard.alerts")
MAX_ALERTS = 1000  # alerts named per batch: keeps its IN lists well inside SQLite's limits


class Lookup(Enum):
    """How `apply` finds the open group of its key."""

    NONE_OPEN = "none open"  # the batch read none: nothing to look for
    NO_WAIT = "no wait"  # look, and fail at once if another transaction holds the group
    WAIT = "wait"  # look, and wait for a transaction that holds it (a transaction of its own)


# Applies a trigger that is not a plain repeat, in the caller's transaction.
Apply = Callable[[AsyncSession, Lookup], Awaitable[Outcome]]


@dataclass(frozen=True)
class Trigger:
    integration: str
    key: str
    fingerprints: frozenset[str]
    now: datetime
    apply: Apply  # how the batch applies it if it is not a plain repeat


async def write(db: Database, trigger: Trigger) -> Outcome | None:
    """Write `trigger` together with whatever else is waiting; None if the batch failed."""
    return await _batcher(db).write(db, trigger)


# The batch's statements, built once (SQLAlchemy memoizes their cache keys too). `_OPEN`
# reads the open groups of the batch's keys, each with those of its alerts the batch names
# that fire (none: NULLs). On PostgreSQL the batch locks the groups it counts, as the full
# path does before it changes a group or its alerts; a group another transaction holds is
# skipped, and its repeats take a transaction of their own, which waits for it. On SQLite the
# write lock orders everything.
_OPEN = (
    select(
        col(AlertGroup.id),
        col(AlertGroup.incident_id),
        col(AlertGroup.integration),
        col(AlertGroup.dedup_key),
        col(Alert.id).label("alert_id"),
        col(Alert.fingerprint),
    )
    .outerjoin(
        Alert,
        and_(
            col(Alert.group_id) == col(AlertGroup.id),
            col(Alert.status) == "firing",
            col(Alert.fingerprint).in_(bindparam("fingerprints", expanding=True)),
        ),
    )
    .where(
        col(AlertGroup.status) == "open",
        col(AlertGroup.integration).in_(bindparam("integrations", expanding=True)),
        col(AlertGroup.dedup_key).in_(bindparam("keys", expanding=True)),
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


async def _write(db: Database, triggers: list[Trigger]) -> list[Outcome]:
    now = max(t.now for t in triggers)
    firing: dict[tuple[str, str], set[str]] = {}
    groups: dict[tuple[str, str], tuple[int, int | None]] = {}
    alerts: dict[tuple[str, str, str], int] = {}
    async with db.transaction() as session:
        conn = await session.connection()
        rows = await conn.execute(
            _OPEN,
            {
                "integrations": sorted({t.integration for t in triggers}),
                "keys": sorted({t.key for t in triggers}),
                "fingerprints": sorted({f for t in triggers for f in t.fingerprints}),
            },
        )
        for row in rows:
            group = (row.integration, row.dedup_key)
            groups[group] = (row.id, row.incident_id)
            if row.fingerprint is not None:
                firing.setdefault(group, set()).add(row.fingerprint)
                alerts[(*group, row.fingerprint)] = row.alert_id
        plain = [
            t if t.fingerprints <= firing.get((t.integration, t.key), set()) else None
            for t in triggers
        ]
        counts = Counter(groups[(t.integration, t.key)][0] for t in plain if t is not None)
        if counts:
            await conn.execute(
                _COUNT, [{"group": g, "repeats": n, "now": now} for g, n in sorted(counts.items())]
            )
            touched = {
                alerts[(t.integration, t.key, f)]
                for t in plain
                if t is not None
                for f in t.fingerprints
            }
            result = await conn.execute(_TOUCH, {"alerts": sorted(touched), "now": now})
            if result.rowcount != len(touched):
                raise _Raced  # rolls the batch back
        outcomes: list[Outcome] = []
        # A group opened since the read (another replica) fails the batch at the unique index.
        opened = set(groups)
        for trigger, counted in zip(triggers, plain, strict=True):
            group = (trigger.integration, trigger.key)
            if counted is None:
                lookup = Lookup.NO_WAIT if group in opened else Lookup.NONE_OPEN
                outcomes.append(await trigger.apply(session, lookup))
                opened.add(group)
            else:
                group_id, incident_id = groups[group]
                outcomes.append(Outcome(group_id=group_id, incident_id=incident_id))
    return outcomes


class _Batcher:
    """Triggers queue here; one task writes them a batch at a time, while more queue up.

    It holds no reference to its database while idle, so `_batchers` can let both go."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._waiting: list[tuple[Trigger, asyncio.Future[Outcome | None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, db: Database, trigger: Trigger) -> Outcome | None:
        future: asyncio.Future[Outcome | None] = self.loop.create_future()
        self._waiting.append((trigger, future))
        if self._writer is None:
            self._writer = self.loop.create_task(self._drain(db))
        return await future

    async def _drain(self, db: Database) -> None:
        batch: list[tuple[Trigger, asyncio.Future[Outcome | None]]] = []
        try:
            while self._waiting:
                size = _batch_size([t for t, _ in self._waiting])
                batch, self._waiting = self._waiting[:size], self._waiting[size:]
                results: list[Outcome | None]
                try:
                    results = list(await _write(db, [t for t, _ in batch]))
                except (_Raced, DBAPIError):
                    # A race with another transaction (a lock not waited for, a group opened
                    # since the read): each delivery waits its turn in its own transaction.
                    log.info("a batch of %d triggers raced; each goes on its own", len(batch))
                    results = [None] * len(batch)
                except Exception:
                    log.warning(
                        "writing %d triggers together failed; each takes its own transaction",
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


def _batch_size(waiting: list[Trigger]) -> int:
    size = alerts = 0
    for trigger in waiting:
        alerts += len(trigger.fingerprints)
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
