"""Refreshing the user-group cache from Slack; a failed refresh keeps the last good copy."""

from __future__ import annotations

import logging

from bot.domain.paging.usergroups import referenced, replace_members
from bot.slack_ops.context import SlackOps

log = logging.getLogger("opsguard.paging")


async def refresh_usergroups(ops: SlackOps) -> int:
    refreshed = 0
    for group in sorted(referenced(ops.deps.config)):
        try:
            response = await ops.client.usergroups_users_list(usergroup=group)
        except Exception as exc:
            log.warning("could not refresh user group %s: %s", group, exc)
            continue
        await replace_members(ops.deps.db, ops.deps.clock, group, list(response["users"]))
        refreshed += 1
    return refreshed
