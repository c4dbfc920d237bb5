"""Listener registration that remembers what it registered and guards every listener.

The manifest test compares the registered sets with app_manifest.yml. Each listener is
timed for /metrics, and a failure after ack() is reported here rather than left to Bolt,
which loses the ack when a listener raises within moments of acknowledging.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.kwargs_injection.async_args import AsyncArgs
from slack_bolt.util.utils import get_arg_names_of_callable

from bot.metrics import Metrics

Listener = Callable[..., Awaitable[Any]]
LateFailureReporter = Callable[[Exception, dict[str, Any], AsyncRespond | None], Awaitable[None]]


@dataclass
class Registered:
    commands: set[str] = field(default_factory=set)
    global_shortcuts: set[str] = field(default_factory=set)
    message_shortcuts: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)


class ListenerRegistry:
    def __init__(self, app: AsyncApp, metrics: Metrics, report_late: LateFailureReporter):
        self.app = app
        self.metrics = metrics
        self.report_late = report_late
        self.registered = Registered()

    def command(self, command: str, listener: Listener, *, name: str) -> None:
        self.registered.commands.add(command)
        self.app.command(command)(self.guard(name, listener))

    def event(self, event_type: str, listener: Listener, *, name: str) -> None:
        self.registered.events.add(event_type)
        self.app.event(event_type)(self.guard(name, listener))

    def direct_message(self, listener: Listener, *, name: str) -> None:
        """Messages in the bot's DMs: the `message.im` subscription."""
        self.registered.events.add("message.im")
        self._messages(("im",), listener, name)

    def channel_message(self, listener: Listener, *, name: str) -> None:
        """Messages in channels the bot is in: `message.channels` and `message.groups`. Every
        one must be acknowledged, or Slack retries it and finally turns the events off."""
        self.registered.events.update({"message.channels", "message.groups"})
        self._messages(("channel", "group"), listener, name)

    def _messages(self, channel_types: tuple[str, ...], listener: Listener, name: str) -> None:
        # Bolt's event constraints ignore channel_type, so a matcher tells the kinds apart.
        async def in_kind(event: dict[str, Any]) -> bool:
            return event.get("channel_type") in channel_types

        self.app.event("message", matchers=[in_kind])(self.guard(name, listener))

    def global_shortcut(self, callback_id: str, listener: Listener, *, name: str) -> None:
        self.registered.global_shortcuts.add(callback_id)
        self.app.shortcut({"type": "shortcut", "callback_id": callback_id})(
            self.guard(name, listener)
        )

    def message_shortcut(self, callback_id: str, listener: Listener, *, name: str) -> None:
        self.registered.message_shortcuts.add(callback_id)
        self.app.shortcut({"type": "message_action", "callback_id": callback_id})(
            self.guard(name, listener)
        )

    def action(self, action_id: str, listener: Listener, *, name: str) -> None:
        self.app.action(action_id)(self.guard(name, listener))

    def view(self, callback_id: str, listener: Listener, *, name: str) -> None:
        self.app.view(callback_id)(self.guard(name, listener))

    def guard(self, name: str, listener: Listener) -> Listener:
        """Bolt injects everything into `args`; the listener gets only the names it asks for."""
        wanted = get_arg_names_of_callable(listener)

        async def guarded(args: AsyncArgs) -> None:
            started = time.perf_counter()
            outcome = "error"
            try:
                await listener(**{arg: getattr(args, arg) for arg in wanted})
                outcome = "ok"
            except Exception as error:
                if args.ack.response is None:
                    raise  # Bolt's error handler answers in the ack itself.
                await self.report_late(error, args.body, args.respond)
            finally:
                self.metrics.listener_seconds.labels(name).observe(time.perf_counter() - started)
                self.metrics.listener_requests.labels(name, outcome).inc()

        return guarded
