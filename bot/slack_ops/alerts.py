"""What alert intake means in Slack: new incidents set up, resolved ones closed, all refreshed."""

from __future__ import annotations

import logging

from bot.domain import lifecycle
from bot.domain.alerts.intake import Outcome
from bot.domain.lifecycle import Change
from bot.slack_ops.context import SlackOps
from bot.slack_ops.effects import after_change, after_declare
from bot.slack_ops.sync import refresh

log = logging.getLogger("opsguard.alerts")


async def after_intake(ops: SlackOps, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        news = (
            outcome.declared
            or outcome.resolved
            or outcome.acknowledged
            or outcome.new_alerts
            or outcome.attached_to_storm
        )
        if outcome.incident_id is None or not news:
            continue  # a plain repeat: nothing for Slack, so no database read either
        try:
            incident = await lifecycle.get_incident(ops.deps.db, outcome.incident_id)
            if outcome.declared:
                await after_declare(ops, incident, actor=None)
            elif outcome.resolved:
                await after_change(
                    ops, Change(incident), actor=None, update_text="All alerts resolved."
                )
            elif outcome.acknowledged:
                await after_change(
                    ops,
                    Change(incident),
                    actor=None,
                    update_text="Acknowledged by the alert source.",
                )
            else:
                await refresh(ops, outcome.incident_id)
        except Exception:
            log.exception(
                "Slack follow-up of alert group %s failed; the sweeper re-syncs", outcome.group_id
            )
