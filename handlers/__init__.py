"""Slack listeners and HTTP routes. Each module translates and calls into the domain."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.deps import Deps
from bot.registry import ListenerRegistry
from handlers import direct_messages, errors, home, incident_command


def register_all(app: AsyncApp, registry: ListenerRegistry, deps: Deps) -> None:
    errors.register(app)
    for module in (incident_command, direct_messages, home):
        module.register(registry, deps)
