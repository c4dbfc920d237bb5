"""``state.values``: what the user has put in a view's (or message's) inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fakes.driver._blocks import (
    JSON,
    STATEFUL_TYPES,
    describe,
    initial_selection,
    is_empty,
    iter_elements,
    selection,
    state_entry,
)
from fakes.driver.errors import SlackDriverError


def keys_for(
    blocks: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> dict[tuple[str, str], Any]:
    """Resolve the keys of ``values`` (block_id, else unique action_id) to elements.

    Raises if a key names no stateful element or an action_id shared by several.
    """
    stateful = [e for e in iter_elements(blocks) if e.type in STATEFUL_TYPES]
    resolved: dict[tuple[str, str], Any] = {}
    for key, raw in values.items():
        by_block = [e for e in stateful if e.block_id == key]
        hits = by_block or [e for e in stateful if e.action_id == key]
        if not hits:
            raise SlackDriverError(
                f"no input with block_id or action_id {key!r}; inputs: {describe(stateful)}"
            )
        if len(hits) > 1:
            raise SlackDriverError(
                f"{key!r} names {len(hits)} inputs ({describe(hits)}); key it by block_id"
            )
        resolved[(hits[0].block_id, hits[0].action_id)] = raw
    return resolved


def state_values(
    blocks: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any] | None,
    entered: Mapping[tuple[str, str], tuple[str, Any]],
) -> JSON:
    """``state.values`` for ``blocks``: ``values`` first, then what the user entered
    earlier, then each element's initial value."""
    given = keys_for(blocks, values) if values else {}
    out: JSON = {}
    for located in iter_elements(blocks):
        if located.type not in STATEFUL_TYPES:
            continue
        key = (located.block_id, located.action_id)
        if key in given:
            chosen = selection(located.element, given[key])
        elif key in entered and entered[key][0] == initial_selection(located.element)[0]:
            chosen = entered[key]
        else:
            chosen = initial_selection(located.element)
        out.setdefault(located.block_id, {})[located.action_id] = state_entry(
            located.element, *chosen
        )
    return out


def validate_inputs(blocks: Sequence[Mapping[str, Any]], state: JSON) -> None:
    problems: list[str] = []
    for located in iter_elements(blocks):
        if located.block.get("type") != "input" or located.type not in STATEFUL_TYPES:
            continue
        entry = state[located.block_id][located.action_id]
        value = next(v for k, v in entry.items() if k not in ("type", "timezone"))
        name = f"input {located.block_id}/{located.action_id}"
        if is_empty(value):
            if not located.block.get("optional", False):
                problems.append(f"{name} is required but empty")
            continue
        if isinstance(value, str):
            low, high = located.element.get("min_length"), located.element.get("max_length")
            if low is not None and len(value) < int(low):
                problems.append(f"{name} is shorter than min_length {low}")
            if high is not None and len(value) > int(high):
                problems.append(f"{name} is longer than max_length {high}")
    if problems:
        raise SlackDriverError(
            "Slack would not let the user submit this view: "
            + "; ".join(problems)
            + " (pass validate=False to send it anyway)"
        )
