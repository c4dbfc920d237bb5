"""Every block_id and action_id OpsGuard uses, so listeners and builders cannot drift apart."""

from __future__ import annotations

from enum import StrEnum


class BlockId(StrEnum):
    HELP_COMMANDS = "help_commands"
    ERROR = "error"
    USAGE = "usage"
    HOME_INTRO = "home_intro"
    HOME_COMMANDS = "home_commands"


class ActionId(StrEnum):
    """Interactive elements; later builders add theirs here."""
