"""The slash-command grammar: one entry per subcommand, shared by help and usage errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str


INCIDENT_COMMAND = "/incident"

INCIDENT_SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("help", "/incident help", "Show the commands OpsGuard understands."),
)


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: str
    args: str


def parse(text: str) -> ParsedCommand:
    """Split `/incident` text into its subcommand (lowercased) and the raw rest."""
    head, _, rest = text.strip().partition(" ")
    return ParsedCommand(subcommand=head.lower(), args=rest.strip())


def find(name: str) -> Subcommand | None:
    return next((sub for sub in INCIDENT_SUBCOMMANDS if sub.name == name), None)
