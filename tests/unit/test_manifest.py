"""app_manifest.yml is valid for Slack and declares exactly what the app listens to."""

from __future__ import annotations

import pytest

from bot.config import OpsConfig
from bot.manifest import differences, load_manifest, schema_errors
from bot.registry import Registered
from bot.runtime import OpsGuard
from tests.conftest import REPO, SHARED_SLACK, make_settings

SCHEMA = SHARED_SLACK / "manifest.schema.1.0.0.json"


def test_manifest_validates_against_slack_schema() -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared is absent)")
    assert schema_errors(load_manifest(REPO / "app_manifest.yml"), SCHEMA) == []


def test_schema_validation_catches_a_broken_manifest() -> None:
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA} (../shared is absent)")
    manifest = load_manifest(REPO / "app_manifest.yml")
    manifest.raw["features"]["slash_commands"][0]["description"] = 42
    assert any("description" in e for e in schema_errors(manifest, SCHEMA))


def test_manifest_and_registered_listeners_are_the_same_sets() -> None:
    settings = make_settings(slack_bot_token="xoxb-x", database_url="sqlite+aiosqlite://")
    guard = OpsGuard(settings, OpsConfig())
    registered = guard.registry.registered
    manifest = load_manifest(REPO / "app_manifest.yml")
    assert manifest.commands == registered.commands
    assert manifest.global_shortcuts == registered.global_shortcuts
    assert manifest.message_shortcuts == registered.message_shortcuts
    assert manifest.events == registered.events
    assert differences(manifest, registered) == []


def test_differences_are_reported_both_ways() -> None:
    manifest = load_manifest(REPO / "app_manifest.yml")
    registered = Registered(
        commands={"/incident", "/oncall", "/postmortem", "/retro"},
        global_shortcuts=set(manifest.global_shortcuts),
        message_shortcuts=set(manifest.message_shortcuts),
        events=set(manifest.events),
    )
    registered.events.discard("message.im")
    assert differences(manifest, registered) == [
        "slash command /retro has a listener but is missing from the manifest",
        "event message.im is in the manifest but has no listener",
    ]


def test_manifest_requests_the_scopes_its_events_need() -> None:
    manifest = load_manifest(REPO / "app_manifest.yml")
    assert "im:history" in manifest.scopes  # message.im
    assert {"channels:history", "groups:history"} <= manifest.scopes  # message.channels/.groups
    assert {"reactions:read", "pins:read"} <= manifest.scopes  # reaction_* and pin_* events
    assert {"canvases:write", "files:write", "reactions:write"} <= manifest.scopes
    assert {"chat:write", "commands", "users:read"} <= manifest.scopes
