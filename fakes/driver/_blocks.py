"""Block Kit knowledge: where interactive elements live and how Slack reports their values.

Everything here is pure (dicts in, dicts out) so it can be property-tested without a
server. Shapes follow Slack's interaction payload reference: ``state.values`` is keyed
``block_id -> action_id -> {"type": ..., <value key>: ...}`` and the value key depends on
the element type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fakes.driver.errors import SlackDriverError

JSON = dict[str, Any]

# element type -> (state key, multi?, initial-value key)
_SELECTIONS: dict[str, tuple[str, bool, str]] = {
    "plain_text_input": ("value", False, "initial_value"),
    "email_text_input": ("value", False, "initial_value"),
    "url_text_input": ("value", False, "initial_value"),
    "number_text_input": ("value", False, "initial_value"),
    "rich_text_input": ("rich_text_value", False, "initial_value"),
    "static_select": ("selected_option", False, "initial_option"),
    "external_select": ("selected_option", False, "initial_option"),
    "radio_buttons": ("selected_option", False, "initial_option"),
    "multi_static_select": ("selected_options", True, "initial_options"),
    "multi_external_select": ("selected_options", True, "initial_options"),
    "checkboxes": ("selected_options", True, "initial_options"),
    "users_select": ("selected_user", False, "initial_user"),
    "multi_users_select": ("selected_users", True, "initial_users"),
    "conversations_select": ("selected_conversation", False, "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", True, "initial_conversations"),
    "channels_select": ("selected_channel", False, "initial_channel"),
    "multi_channels_select": ("selected_channels", True, "initial_channels"),
    "datepicker": ("selected_date", False, "initial_date"),
    "timepicker": ("selected_time", False, "initial_time"),
    "datetimepicker": ("selected_date_time", False, "initial_date_time"),
    "file_input": ("files", True, "initial_files"),
}
STATEFUL_TYPES = frozenset(_SELECTIONS)
# Interactive but stateless: clicking them sends block_actions, they never appear in state.
_ACTION_ONLY_TYPES = frozenset({"button", "overflow", "workflow_button", "icon_button"})
_OPTION_TYPES = frozenset(
    {"static_select", "external_select", "radio_buttons", "overflow"}
    | {"multi_static_select", "multi_external_select", "checkboxes"}
)
_FREE_OPTION_TYPES = frozenset({"external_select", "multi_external_select"})
# Keys of the element definition Slack echoes back in a block_actions action.
_ECHOED_KEYS = ("text", "value", "url", "style", "placeholder", "initial_option", "initial_options")


@dataclass(frozen=True)
class Located:
    """An interactive element together with the block that holds it."""

    block: Mapping[str, Any]
    block_id: str
    element: Mapping[str, Any]

    @property
    def action_id(self) -> str:
        return str(self.element["action_id"])

    @property
    def type(self) -> str:
        return str(self.element.get("type", ""))


def _is_interactive(element: object) -> bool:
    return isinstance(element, Mapping) and (
        element.get("type") in STATEFUL_TYPES or element.get("type") in _ACTION_ONLY_TYPES
    )


def iter_elements(blocks: Sequence[Mapping[str, Any]] | None) -> Iterator[Located]:
    """Yield every interactive element in ``blocks`` (actions, section accessories, inputs).

    Blocks without a ``block_id`` get a stable positional one, the way Slack fills in one
    of its own; elements without an ``action_id`` are skipped (nothing can address them).
    """
    for index, block in enumerate(blocks or ()):
        block_id = str(block.get("block_id") or f"auto-block-{index}")
        kind = block.get("type")
        candidates: list[Any]
        if kind in ("actions", "context_actions"):
            candidates = list(block.get("elements") or ())
        elif kind == "section":
            candidates = [block.get("accessory")]
        elif kind == "input":
            candidates = [block.get("element")]
        else:
            candidates = []
        for element in candidates:
            if _is_interactive(element) and element.get("action_id"):
                yield Located(block=block, block_id=block_id, element=element)


# ---------------------------------------------------------------------------- options


def _all_options(element: Mapping[str, Any]) -> list[JSON]:
    options = [dict(o) for o in element.get("options") or ()]
    for group in element.get("option_groups") or ():
        options.extend(dict(o) for o in group.get("options") or ())
    return options


def _option(element: Mapping[str, Any], wanted: Any) -> JSON:
    if isinstance(wanted, Mapping):
        wanted = wanted.get("value")
    options = _all_options(element)
    for option in options:
        if option.get("value") == wanted:
            return option
    if element.get("type") in _FREE_OPTION_TYPES:
        # External selects get their options from the app at run time; Slack echoes the
        # picked option back, so build the plain option the app would have returned.
        return {"text": {"type": "plain_text", "text": str(wanted)}, "value": str(wanted)}
    raise SlackDriverError(
        f"{element.get('type')} {element.get('action_id')!r} has no option with value "
        f"{wanted!r}; its options are {[o.get('value') for o in options]}"
    )


# ---------------------------------------------------------------------------- coercion


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, str | bytes | Mapping):
        return [raw]
    return list(raw)


def _coerce_scalar(element_type: str, raw: Any) -> Any:
    if element_type == "datepicker" and isinstance(raw, dt.date):
        return raw.isoformat()
    if element_type == "timepicker" and isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    if element_type == "datetimepicker":
        if isinstance(raw, dt.datetime):
            return int(raw.timestamp())
        return int(raw)
    if element_type == "rich_text_input" and isinstance(raw, str):
        return rich_text(raw)
    if element_type == "number_text_input" and isinstance(raw, int | float):
        return str(raw)
    return raw


def rich_text(text: str) -> JSON:
    """The ``rich_text`` block Slack reports for a rich_text_input holding plain ``text``."""
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


def selection(element: Mapping[str, Any], raw: Any) -> tuple[str, Any]:
    """Return ``(state key, value)`` as Slack reports the user choosing ``raw``.

    ``raw`` is what a test naturally writes: a string for text inputs, an option *value*
    (or list of them) for selects/checkboxes/radios, user/channel ids, a ``date``/``time``
    /``datetime`` or Slack's string form for pickers.
    """
    element_type = str(element.get("type"))
    if element_type == "overflow":
        return "selected_option", _option(element, raw)
    key, multi, _ = _SELECTIONS[element_type]
    if element_type in _OPTION_TYPES:
        if multi:
            return key, [_option(element, item) for item in _as_list(raw)]
        return key, None if raw is None else _option(element, raw)
    if multi:
        return key, [_coerce_scalar(element_type, item) for item in _as_list(raw)]
    return key, None if raw is None else _coerce_scalar(element_type, raw)


def initial_selection(element: Mapping[str, Any]) -> tuple[str, Any]:
    """``(state key, value)`` for an element the user has not touched."""
    key, multi, initial_key = _SELECTIONS[str(element.get("type"))]
    initial = element.get(initial_key)
    if initial is None:
        return key, [] if multi else None
    if isinstance(initial, list):
        return key, [dict(i) if isinstance(i, Mapping) else i for i in initial]
    return key, dict(initial) if isinstance(initial, Mapping) else initial


def state_entry(element: Mapping[str, Any], key: str, value: Any) -> JSON:
    entry: JSON = {"type": element.get("type"), key: value}
    if element.get("type") == "timepicker" and element.get("timezone"):
        entry["timezone"] = element["timezone"]
    return entry


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


# ---------------------------------------------------------------------------- actions


def action_payload(located: Located, *, action_ts: str, selected: tuple[str, Any] | None) -> JSON:
    """One entry of ``actions`` in a block_actions payload."""
    action: JSON = {
        "type": located.type,
        "action_id": located.action_id,
        "block_id": located.block_id,
    }
    for key in _ECHOED_KEYS:
        if key in located.element:
            action[key] = located.element[key]
    if selected is not None:
        key, value = selected
        action[key] = value
        if located.type == "timepicker" and located.element.get("timezone"):
            action["timezone"] = located.element["timezone"]
    action["action_ts"] = action_ts
    return action


def describe(elements: Sequence[Located]) -> str:
    seen = [f"{e.action_id} ({e.type}, block {e.block_id})" for e in elements]
    return ", ".join(seen) if seen else "no interactive elements"
