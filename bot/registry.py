"""Listener registration that remembers what it registered.

The manifest test compares these sets with app_manifest.yml, and every listener is wrapped
with its metrics on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_bolt.async_app import AsyncApp

from bot.metrics import Listener, Metrics


@dataclass
class Registered:
    commands: set[str] = field(default_factory=set)
    global_shortcuts: set[str] = field(default_factory=set)
    message_shortcuts: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)


class ListenerRegistry:
    def __init__(self, app: AsyncApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.registered = Registered()

    def command(self, command: str, listener: Listener, *, name: str) -> None:
        self.registered.commands.add(command)
        self.app.command(command)(self.metrics.instrument(name, listener))

    def event(self, event_type: str, listener: Listener, *, name: str) -> None:
        self.registered.events.add(event_type)
        self.app.event(event_type)(self.metrics.instrument(name, listener))

    def direct_message(self, listener: Listener, *, name: str) -> None:
        """Messages in the bot's DMs: the `message.im` subscription."""
        self.registered.events.add("message.im")
        self.app.event({"type": "message", "channel_type": "im"})(
            self.metrics.instrument(name, listener)
        )

    def global_shortcut(self, callback_id: str, listener: Listener, *, name: str) -> None:
        self.registered.global_shortcuts.add(callback_id)
        self.app.shortcut({"type": "shortcut", "callback_id": callback_id})(
            self.metrics.instrument(name, listener)
        )

    def message_shortcut(self, callback_id: str, listener: Listener, *, name: str) -> None:
        self.registered.message_shortcuts.add(callback_id)
        self.app.shortcut({"type": "message_action", "callback_id": callback_id})(
            self.metrics.instrument(name, listener)
        )
