"""A canvas's markdown as Slack's sections, and the edits ``canvases.edit`` makes to it.

Slack addresses parts of a canvas by section id (``canvases.sections.lookup``). Here a
section is one markdown block: a header line, a list item, a fenced code block or a
paragraph. Ids are derived from the block's text (and its occurrence), so a section keeps
its id while other parts of the canvas change, as on Slack. The markdown is kept as
written; edits splice lines, so untouched parts stay byte for byte the same.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fakes.slack.errors import SlackError

MARKDOWN_MAX = 1_048_576  # characters, per Slack's document_content limit
HEADER_TYPES = ("h1", "h2", "h3")
_HEADER = re.compile(r"^(#{1,6})\s")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s")
_FENCE = re.compile(r"^\s*```")
_NEEDS_SECTION = frozenset({"insert_after", "insert_before", "delete"})
_NEEDS_CONTENT = frozenset({"insert_after", "insert_before", "insert_at_start", "insert_at_end"})
OPERATIONS = _NEEDS_SECTION | _NEEDS_CONTENT | {"replace", "rename"}


@dataclass(frozen=True)
class Section:
    id: str
    kind: str  # h1/h2/h3, list, code or paragraph
    start: int  # first line
    end: int  # one past the last line
    text: str


def invalid(message: str, pointer: str) -> SlackError:
    """Slack's ``invalid_arguments`` with its ``[ERROR] … [json-pointer:…]`` detail."""
    return SlackError(
        "invalid_arguments",
        response_metadata={"messages": [f"[ERROR] {message} [json-pointer:{pointer}]"]},
    )


def markdown_of(content: Any, pointer: str) -> str:
    """The markdown of a ``document_content`` object (``{"type": "markdown", ...}``)."""
    if not isinstance(content, Mapping):
        raise invalid("must be an object", pointer)
    if content.get("type") != "markdown":
        raise invalid("must be markdown", f"{pointer}/type")
    markdown = content.get("markdown")
    if not isinstance(markdown, str):
        raise invalid("must be a string", f"{pointer}/markdown")
    return markdown


def _blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    blocks: list[tuple[int, int, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        header = _HEADER.match(line)
        if _FENCE.match(line):
            end = i + 1
            while end < len(lines) and not _FENCE.match(lines[end]):
                end += 1
            blocks.append((i, min(end + 1, len(lines)), "code"))
        elif header:
            blocks.append((i, i + 1, f"h{min(len(header.group(1)), 3)}"))
        elif _LIST_ITEM.match(line):
            blocks.append((i, i + 1, "list"))
        else:
            end = i + 1
            while end < len(lines) and lines[end].strip() and not _starts_block(lines[end]):
                end += 1
            blocks.append((i, end, "paragraph"))
        i = blocks[-1][1]
    return blocks


def _starts_block(line: str) -> bool:
    return bool(_HEADER.match(line) or _LIST_ITEM.match(line) or _FENCE.match(line))


def sections(markdown: str) -> list[Section]:
    lines = markdown.split("\n")
    seen: dict[str, int] = {}
    out: list[Section] = []
    for start, end, kind in _blocks(lines):
        text = "\n".join(lines[start:end])
        seen[text] = seen.get(text, 0) + 1
        digest = hashlib.sha1(f"{seen[text]}\0{text}".encode()).hexdigest()[:28].upper()
        out.append(Section(id=f"temp:C:{digest}", kind=kind, start=start, end=end, text=text))
    return out


def lookup(markdown: str, criteria: Any) -> list[str]:
    """``canvases.sections.lookup``: ids of the sections matching ``criteria``."""
    if not isinstance(criteria, Mapping):
        raise invalid("must be an object", "/criteria")
    types = criteria.get("section_types")
    text = criteria.get("contains_text")
    if types is None and text is None:
        raise invalid("section_types or contains_text is required", "/criteria")
    if types is not None and (
        not isinstance(types, list)
        or not 1 <= len(types) <= 3
        or any(t not in (*HEADER_TYPES, "any_header") for t in types)
    ):
        raise invalid("must be 1-3 of h1, h2, h3, any_header", "/criteria/section_types")
    if text is not None and not isinstance(text, str):
        raise invalid("must be a string", "/criteria/contains_text")
    wanted = set(HEADER_TYPES) if types and "any_header" in types else set(types or ())
    return [
        s.id
        for s in sections(markdown)
        if (not wanted or s.kind in wanted) and (text is None or text in s.text)
    ]


def _splice(lines: list[str], at: int, new: str) -> list[str]:
    """``lines`` with the lines of ``new`` inserted at ``at``, kept a block of their own."""
    added = new.strip("\n").split("\n")
    if at > 0 and lines[at - 1].strip():
        added.insert(0, "")
    if at < len(lines) and lines[at].strip():
        added.append("")
    return lines[:at] + added + lines[at:]


def _section(markdown: str, section_id: Any) -> Section:
    for section in sections(markdown):
        if section.id == section_id:
            return section
    raise SlackError("canvas_editing_failed", detail=f"no section {section_id}")


def apply(markdown: str, title: str, change: Any, index: int) -> tuple[str, str]:
    """One entry of ``canvases.edit``'s ``changes``: the new (markdown, title)."""
    pointer = f"/changes/{index}"
    if not isinstance(change, Mapping):
        raise invalid("must be an object", pointer)
    operation = change.get("operation")
    if operation not in OPERATIONS:
        raise invalid(f"unknown operation {operation!r}", f"{pointer}/operation")
    if operation == "rename":
        return markdown, markdown_of(change.get("title_content"), f"{pointer}/title_content")
    section_id = change.get("section_id")
    if operation in _NEEDS_SECTION and not section_id:
        raise invalid("section_id is required", f"{pointer}/section_id")
    content = ""
    if operation != "delete":
        content = markdown_of(change.get("document_content"), f"{pointer}/document_content")
    lines = markdown.split("\n") if markdown else []
    if operation == "insert_at_start":
        lines = _splice(lines, 0, content)
    elif operation == "insert_at_end":
        lines = _splice(lines, len(lines), content)
    elif operation == "replace" and not section_id:
        return content, title
    else:
        target = _section(markdown, section_id)
        if operation == "insert_before":
            lines = _splice(lines, target.start, content)
        elif operation == "insert_after":
            lines = _splice(lines, target.end, content)
        else:  # delete, or replace one section
            kept = lines[: target.start] + lines[target.end :]
            lines = kept if operation == "delete" else _splice(kept, target.start, content)
    return "\n".join(lines), title
