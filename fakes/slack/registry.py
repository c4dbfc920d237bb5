"""The table of Web API methods the fake serves, and what a handler is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fakes.slack.args import Args
from fakes.slack.state import JSON
from fakes.slack.workspace import Workspace

TokenKind = Literal["bot", "app", "user"]


@dataclass
class Ctx:
    """What a method handler works with: the state, the caller and the server."""

    ws: Workspace
    caller: str  # user id the token belongs to
    token_kind: TokenKind
    base_url: str
    new_socket_url: Callable[[], str]
    system_messages: bool = True
    chat_write_public: bool = True


Handler = Callable[[Ctx, Args], JSON]

METHODS: dict[str, Handler] = {}

# Methods an app-level (xapp-) token may call; every other method refuses it.
APP_TOKEN_METHODS = frozenset({"apps.connections.open"})


def method(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the Web API method ``name``."""

    def register(handler: Handler) -> Handler:
        if name in METHODS:
            raise ValueError(f"{name} registered twice")
        METHODS[name] = handler
        return handler

    return register


def ok(**fields: object) -> JSON:
    return {"ok": True, **fields}
