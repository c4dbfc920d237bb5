"""app_manifest.yml: what it declares, and whether it matches what the app registers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.registry import Registered


@dataclass(frozen=True)
class Manifest:
    raw: dict[str, Any]
    commands: set[str] = field(default_factory=set)
    global_shortcuts: set[str] = field(default_factory=set)
    message_shortcuts: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)


class ManifestError(Exception):
    pass


def load_manifest(path: Path) -> Manifest:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: the top level must be a mapping")
    features = raw.get("features") or {}
    shortcuts = features.get("shortcuts") or []
    return Manifest(
        raw=raw,
        commands={c["command"] for c in features.get("slash_commands") or []},
        global_shortcuts={s["callback_id"] for s in shortcuts if s.get("type") == "global"},
        message_shortcuts={s["callback_id"] for s in shortcuts if s.get("type") == "message"},
        events=set(
            ((raw.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events") or []
        ),
        scopes=set(((raw.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []),
    )


def differences(manifest: Manifest, registered: Registered) -> list[str]:
    """Each thing one side has and the other lacks, in words."""
    problems: list[str] = []
    for what, declared, listened in (
        ("slash command", manifest.commands, registered.commands),
        ("global shortcut", manifest.global_shortcuts, registered.global_shortcuts),
        ("message shortcut", manifest.message_shortcuts, registered.message_shortcuts),
        ("event", manifest.events, registered.events),
    ):
        problems += [
            f"{what} {n} is in the manifest but has no listener"
            for n in sorted(declared - listened)
        ]
        problems += [
            f"{what} {n} has a listener but is missing from the manifest"
            for n in sorted(listened - declared)
        ]
    return problems


def schema_errors(manifest: Manifest, schema_path: Path) -> list[str]:
    """Validation against Slack's published JSON schema for manifests."""
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest.raw), key=str)
    ]
