"""Builds the Bolt app: client, signature checks, error handler and every listener."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

import handlers
from bot.deps import Deps
from bot.registry import ListenerRegistry
from bot.slack_client import build_client


def build_app(deps: Deps) -> tuple[AsyncApp, ListenerRegistry]:
    settings = deps.settings
    app = AsyncApp(
        client=build_client(settings),
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=True,
        # The token is checked once at start-up (auth.test); no per-request check.
        token_verification_enabled=False,
        logger=logging.getLogger("opsguard.bolt"),
    )
    registry = ListenerRegistry(app, deps.metrics)
    handlers.register_all(app, registry, deps)
    return app, registry
