"""Block Kit validation with slack-sdk's models, answering as Slack does.

slack-sdk's parsers skip what they do not know (``Block.parse`` returns
``None`` for an unknown block type, ``TextObject.parse`` turns an unknown text
type into mrkdwn) and its ``validate_json`` checks one object at a time, so
this module walks the parsed tree against the raw JSON: an unknown type or an
unknown property anywhere is an error, and ``to_dict()`` runs every nested
validator.  Error strings follow Slack's ``"<reason> [json-pointer:<path>]"``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as SdkView

from fakes.slack.errors import SlackError

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
_SDK_LOGGERS = (
    "slack_sdk.models",
    "slack_sdk.models.blocks.blocks",
    "slack_sdk.models.blocks.block_elements",
    "slack_sdk.models.blocks.basic_components",
    "slack_sdk.models.views",
)


@contextmanager
def _quiet_sdk() -> Iterator[None]:
    """slack-sdk logs a warning for each thing it skips; the fake reports them instead."""
    loggers = [logging.getLogger(name) for name in _SDK_LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _tree_errors(raw: dict[str, Any], parsed: JsonObject, at: str) -> list[str]:
    """Unknown types and properties in ``raw`` that slack-sdk silently dropped."""
    errors: list[str] = []
    parsed_type = getattr(parsed, "type", None)
    if isinstance(parsed_type, str) and raw.get("type") != parsed_type:
        return [f"must be a valid enum value [json-pointer:{at}/type]"]
    attributes = parsed.attributes
    for key, value in raw.items():
        if key == "type":
            continue
        if key not in attributes:
            errors.append(f"invalid additional property: {key} [json-pointer:{at}]")
            continue
        sub = getattr(parsed, key, None)
        errors.extend(_child_errors(value, sub, f"{at}/{key}"))
    return errors


def _child_errors(value: Any, sub: Any, at: str) -> list[str]:
    if isinstance(value, dict) and "type" in value:
        if sub is None:
            return [f"must be a valid enum value [json-pointer:{at}/type]"]
        if isinstance(sub, JsonObject):
            return _tree_errors(value, sub, at)
        return []
    if isinstance(value, list) and isinstance(sub, (list, tuple)):
        errors: list[str] = []
        for index, (item, parsed_item) in enumerate(zip(value, sub, strict=False)):
            errors.extend(_child_errors(item, parsed_item, f"{at}/{index}"))
        return errors
    return []


def block_errors(blocks: Any, pointer: str, limit: int) -> list[str]:
    """Every problem with a ``blocks`` array, as Slack-style error strings."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"no more than {limit} items allowed [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    with _quiet_sdk():
        for index, raw in enumerate(blocks):
            at = f"{pointer}/{index}"
            if not isinstance(raw, dict):
                errors.append(f"must be an object [json-pointer:{at}]")
                continue
            if "type" not in raw:
                errors.append(f"missing required field: type [json-pointer:{at}]")
                continue
            block_id = raw.get("block_id")
            if isinstance(block_id, str):
                if block_id in seen_ids:
                    errors.append(f"duplicate block_id: {block_id} [json-pointer:{at}/block_id]")
                seen_ids.add(block_id)
            errors.extend(_one_block_errors(raw, at))
    return errors


def _one_block_errors(raw: dict[str, Any], at: str) -> list[str]:
    try:
        block = Block.parse(raw)
    except Exception as exc:  # slack-sdk raises TypeError/ValueError/... on bad shapes
        return [f"{exc} [json-pointer:{at}]"]
    if block is None:
        return [f"must be a valid enum value [json-pointer:{at}/type]"]
    errors = _tree_errors(raw, block, at)
    if errors:
        return errors
    try:
        block.to_dict()
    except Exception as exc:
        return [f"{exc} [json-pointer:{at}]"]
    return []


def _with_error_prefix(errors: list[str]) -> list[str]:
    return [f"[ERROR] {e}" for e in dict.fromkeys(errors)]


def check_message_blocks(raw: Any) -> list[dict[str, Any]]:
    """Validate a message's ``blocks`` (decoded JSON); return them or raise ``SlackError``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SlackError("invalid_blocks_format")
    errors = block_errors(raw, "/blocks", MESSAGE_BLOCK_LIMIT)
    if errors:
        unique = list(dict.fromkeys(errors))
        raise SlackError(
            "invalid_blocks",
            errors=unique,
            response_metadata={"messages": _with_error_prefix(unique)},
        )
    return raw


def _invalid_view(errors: list[str]) -> SlackError:
    return SlackError(
        "invalid_arguments", response_metadata={"messages": _with_error_prefix(errors)}
    )


def check_view(raw: Any, allowed_types: tuple[str, ...]) -> dict[str, Any]:
    """Validate a ``view`` argument (decoded JSON); return it or raise ``invalid_arguments``."""
    if raw is None:
        raise _invalid_view(["missing required field: view"])
    if not isinstance(raw, dict):
        raise _invalid_view(["must be an object [json-pointer:/view]"])
    errors: list[str] = []
    view_type = raw.get("type")
    if view_type not in allowed_types:
        errors.append("must be a valid enum value [json-pointer:/view/type]")
    for key in ("title", "submit", "close"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, dict) or value.get("type") != "plain_text"):
            errors.append(f"must be a plain_text text object [json-pointer:/view/{key}]")
    if view_type == "modal" and not raw.get("title"):
        errors.append("missing required field: title [json-pointer:/view]")
    blocks = raw.get("blocks")
    if blocks is None:
        errors.append("missing required field: blocks [json-pointer:/view]")
    else:
        errors.extend(block_errors(blocks, "/view/blocks", VIEW_BLOCK_LIMIT))
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if view_type == "modal" and has_input and not raw.get("submit"):
            errors.append(
                "must provide a submit property when using input blocks [json-pointer:/view]"
            )
    if not errors:
        errors.extend(_sdk_view_errors(raw))
    if errors:
        raise _invalid_view(errors)
    return raw


def _sdk_view_errors(raw: dict[str, Any]) -> list[str]:
    with _quiet_sdk():
        try:
            SdkView(**raw).validate_json()
        except Exception as exc:
            return [f"{exc} [json-pointer:/view]"]
    return []
