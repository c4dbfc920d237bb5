"""Reading Web API arguments the way Slack does.

A call's arguments arrive as a query string, a urlencoded/multipart form or a
JSON body (slack-sdk uses all three).  Form and query values are strings, so a
list may come comma-joined or JSON-encoded and an object JSON-encoded; JSON
bodies carry real lists, objects, booleans and numbers.  :class:`Args` reads
every shape.
"""

from __future__ import annotations

import json
from typing import Any

from fakes.slack.errors import SlackError

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Args:
    """The merged arguments of one call, with typed getters."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return name in self.values and self.values[name] is not None

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str):
            return value
        raise SlackError(
            "invalid_arguments",
            response_metadata={"messages": [f"[ERROR] expected a string [json-pointer:/{name}]"]},
        )

    def required_str(self, name: str, error: str) -> str:
        value = self.string(name)
        if not value:
            raise SlackError(error)
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value != 0
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return default

    def number(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default

    def strings(self, name: str) -> list[str]:
        """A list argument: a JSON list, a JSON-encoded list or a comma-joined string."""
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        text = str(value).strip()
        if text.startswith("["):
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, list):
                return [str(v).strip() for v in decoded if str(v).strip()]
        return [part.strip() for part in text.split(",") if part.strip()]

    def decoded(self, name: str, error: str) -> Any:
        """A structured argument: already decoded (JSON body) or a JSON string."""
        value = self.values.get(name)
        if value is None or isinstance(value, (list, dict)):
            return value
        if isinstance(value, str):
            if value.strip() == "":
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise SlackError(error) from exc
        raise SlackError(error)


def merge_args(query: dict[str, Any], form: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Slack's precedence: body over form over query string."""
    merged: dict[str, Any] = {}
    merged.update(query)
    merged.update(form)
    merged.update(body)
    return merged
