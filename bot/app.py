"""Builds the Bolt app: client, signature checks, error handler and every listener."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

import handlers
from bot.deps import Deps
from bot.registry import ListenerRegistry
from bot.slack_client import build_client
from handlers import errors


def build_app(deps: Deps) -> tuple[AsyncApp, ListenerRegistry]:
    settings = deps.settings
    app = AsyncApp(
        client=build_client(settings),
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=True,
        logger=logging.getLogger("opsguard.bolt"),
    )
    registry = ListenerRegistry(app, deps.metrics, errors.report_late)
    handlers.register_all(app, registry, deps)
    return app, registry
