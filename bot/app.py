"""Builds the Bolt app: client, signature checks, error handler and every listener."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp

import handlers
from bot.bridge import BridgeMaker, BridgeSettings
from bot.deps import Deps
from bot.issue_tracker import IssueTracker
from bot.registry import ListenerRegistry
from bot.slack_client import build_client
from bot.slack_ops.context import SlackOps
from handlers import errors


def build_app(deps: Deps) -> tuple[AsyncApp, ListenerRegistry, SlackOps]:
    settings = deps.settings
    client = build_client(settings)
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret,
        request_verification_enabled=True,
        logger=logging.getLogger("opsguard.bolt"),
    )
    ops = SlackOps(
        deps=deps,
        client=client,
        bridges=BridgeMaker(bridge_settings(deps)),
        jira=IssueTracker(deps.settings) if deps.settings.jira_enabled else None,
    )
    registry = ListenerRegistry(app, deps.metrics, errors.report_late)
    handlers.register_all(app, registry, ops)
    return app, registry, ops


def bridge_settings(deps: Deps) -> BridgeSettings:
    s = deps.settings
    return BridgeSettings(
        zoom_account_id=s.zoom_account_id,
        zoom_client_id=s.zoom_client_id,
        zoom_client_secret=s.zoom_client_secret,
        zoom_api_url=s.zoom_api_url,
        zoom_oauth_url=s.zoom_oauth_url,
        google_meet_url=s.google_meet_url,
    )
