"""The cached membership of the Slack user groups that escalation policies name."""

from __future__ import annotations

from sqlalchemy import delete

from bot.clock import Clock
from bot.config import OpsConfig
from storage.db import Database
from storage.models import UsergroupMember


def referenced(config: OpsConfig) -> set[str]:
    groups = {t.usergroup for t in config.teams if t.usergroup}
    for policy in config.escalation_policies:
        for step in policy.steps:
            groups |= {t.usergroup for t in step.targets if t.usergroup}
    return groups


async def replace_members(db: Database, clock: Clock, usergroup: str, users: list[str]) -> None:
    now = clock.now()
    async with db.transaction() as session:
        await session.exec(delete(UsergroupMember).where(UsergroupMember.usergroup_id == usergroup))
        for user in dict.fromkeys(users):
            session.add(UsergroupMember(usergroup_id=usergroup, user_id=user, fetched_at=now))
