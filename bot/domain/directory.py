"""The user directory: Slack profiles cached in storage, refreshed when stale.

The fetch function is injected so this module never talks to Slack itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from storage.db import Database
from storage.models import User

MAX_AGE = timedelta(hours=24)


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    real_name: str
    email: str | None
    tz: str
    is_admin: bool
    deleted: bool


FetchProfile = Callable[[str], Awaitable[Profile]]


async def lookup_user(
    db: Database, clock: Clock, fetch: FetchProfile, user_id: str, *, max_age: timedelta = MAX_AGE
) -> User:
    """The cached user, fetched again when older than max_age. A failed refresh keeps the cache."""
    async with db.session() as session:
        cached = await session.get(User, user_id)
    if cached is not None and clock.now() - cached.fetched_at < max_age:
        return cached
    try:
        profile = await fetch(user_id)
    except Exception:
        if cached is not None:
            return cached
        raise
    async with db.transaction() as session:
        user = await session.get(User, user_id) or User(
            id=user_id, name=profile.name, fetched_at=clock.now()
        )
        user.name = profile.name
        user.real_name = profile.real_name
        user.email = profile.email
        user.tz = profile.tz
        user.is_admin = profile.is_admin
        user.deleted = profile.deleted
        user.fetched_at = clock.now()
        session.add(user)
    return user
