"""Publishing a user's App Home from storage."""

from __future__ import annotations

import logging

from blocks.home import RECENT_POSTMORTEMS, home_view
from bot import links
from bot.domain.directory import lookup_user
from bot.domain.lifecycle import Actor
from bot.domain.oncall.board import my_on_call
from bot.domain.postmortem import library
from bot.domain.snapshot import home_data
from bot.slack_directory import profile_fetcher
from bot.slack_ops.context import SlackOps

log = logging.getLogger("opsguard.slack")


async def publish_home(ops: SlackOps, user_id: str) -> None:
    deps = ops.deps
    user = await lookup_user(deps.db, deps.clock, profile_fetcher(ops.client), user_id)
    viewer = Actor(user_id, is_admin=user_id in deps.settings.admin_user_ids)
    recent = await library.recent(deps.db, viewer, limit=RECENT_POSTMORTEMS)
    view = home_view(
        user_name=user.name,
        tz=user.tz,
        data=await home_data(deps.db, user_id),
        config=deps.config,
        now=deps.clock.now(),
        on_call=await my_on_call(deps.db, deps.clock, deps.config, user_id),
        postmortems=[
            (e, links.postmortem_links(deps.settings, e.incident.number, deps.clock.now()))
            for e in recent
        ],
    )
    await ops.client.views_publish(user_id=user_id, view=view)


async def refresh_homes(ops: SlackOps, users: set[str]) -> None:
    """After a change, the people it touched see it without reopening the tab."""
    for user in sorted(users - {ops.bot_user_id}):
        try:
            await publish_home(ops, user)
        except Exception as exc:
            log.info("could not refresh %s's home: %s", user, exc)
