"""Slack listeners and HTTP routes. Each module translates and calls into the domain."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.registry import ListenerRegistry
from bot.slack_ops.context import SlackOps
from handlers import (
    direct_messages,
    errors,
    home,
    incident_buttons,
    incident_command,
    incident_modals,
    membership,
    oncall_command,
    page_buttons,
    postmortem_library,
    postmortem_modal,
    timeline_command,
    timeline_events,
    timeline_shortcut,
)


def register_all(app: AsyncApp, registry: ListenerRegistry, ops: SlackOps) -> None:
    errors.register(app)
    for module in (
        incident_command,
        incident_buttons,
        incident_modals,
        page_buttons,
        direct_messages,
        home,
        membership,
        oncall_command,
        postmortem_library,
        postmortem_modal,
        timeline_command,
        timeline_events,
        timeline_shortcut,
    ):
        module.register(registry, ops)
