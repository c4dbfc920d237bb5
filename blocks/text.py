"""Small text helpers shared by the builders."""

from __future__ import annotations

from collections.abc import Iterable

from bot.commands import Subcommand


def command_list(subcommands: Iterable[Subcommand]) -> str:
    return "\n".join(f"`{sub.usage}`\n{sub.summary}" for sub in subcommands)
