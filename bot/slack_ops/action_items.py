"""Filing due action items in Jira, each linked back to the incident's Slack conversation."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.action_items import FilingRun, file_due_action_items
from bot.slack_ops.context import SlackOps
from storage.models import Incident

log = logging.getLogger("opsguard.jira")


async def file_due(ops: SlackOps) -> FilingRun | None:
    """None when Jira is not configured."""
    if ops.jira is None:
        return None

    async def link_for(incident: Incident) -> str | None:
        """The war room if there is one, else the announcement: where the story is."""
        channel = incident.channel_id or ops.deps.settings.incidents_channel
        ts = incident.command_center_ts if incident.channel_id else incident.announcement_ts
        if not channel or not ts:
            return None
        try:
            answer = await ops.client.chat_getPermalink(channel=channel, message_ts=ts)
        except SlackApiError as exc:
            log.info("INC-%s: no permalink: %s", incident.number, exc.response.get("error"))
            return None
        return str(answer["permalink"])

    return await file_due_action_items(ops.deps.db, ops.deps.clock, ops.jira, link_for)
