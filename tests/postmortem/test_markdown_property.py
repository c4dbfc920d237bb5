"""Whatever people type, the report keeps its structure: the same sections in the same order,
one table row per action item, one list item per timeline entry, and the text itself intact."""

from __future__ import annotations

import re
from dataclasses import replace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.postmortem.render import (
    load_template,
    render_markdown,
    sample_report,
    timeline_days,
)
from bot.domain.postmortem.report import Person, Report

SECTIONS = [
    "Summary",
    "Impact",
    "Key times",
    "Roles",
    "Likely trigger",
    "Five whys",
    "Contributing factors",
    "What went well",
    "What went poorly",
    "Action items",
    "Timeline",
]
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
TEMPLATE = load_template(None)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Markdown's own characters, line starts and whitespace, mixed with anything at all.
TRICKY = st.sampled_from(
    [*"#*_`[]()<>|\\-+=.!&;:~ \t\n\r", "1. ", "---", "```", "&amp;", "&#35;", "    ", "\u2028"]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=5)), max_size=12).map("".join)


def _one_line(text: str) -> str:
    """What `md` keeps of a text: control characters dropped, whitespace runs as one space."""
    return " ".join(CONTROL.sub("", text).split())


@st.composite
def hostile_reports(draw: st.DrawFn) -> Report:
    report = sample_report()
    person = Person("U0X", draw(TEXT))
    incident = replace(
        report.incident,
        title=draw(TEXT),
        description=draw(TEXT),
        severity_label=draw(TEXT),
        resolution_summary=draw(TEXT),
        channel_name=draw(TEXT),
        declared_by=person,
    )
    postmortem = replace(
        report.postmortem,
        summary=draw(TEXT),
        impact=draw(TEXT),
        users_affected=draw(TEXT),
        whys=tuple(draw(st.lists(TEXT, max_size=5))),
        contributing_factors=draw(TEXT),
        went_well=draw(TEXT),
        went_poorly=draw(TEXT),
    )
    items = tuple(
        replace(item, text=draw(TEXT), jira_key=draw(TEXT) or None, owner=person)
        for item in report.action_items
    )
    timeline = tuple(
        replace(
            entry,
            text=draw(TEXT),
            actor=person if entry.actor else None,
            files=tuple(draw(st.lists(TEXT, max_size=2))),
            source_url=draw(st.sampled_from([None, "https://x.example/a b", "javascript:x"])),
        )
        for entry in report.timeline
    )
    trigger = report.trigger
    trigger = replace(
        trigger,
        before=tuple(
            replace(d, version=draw(TEXT), author=draw(TEXT), description=draw(TEXT))
            for d in trigger.before
        ),
        during=tuple(replace(d, description=draw(TEXT)) for d in trigger.during),
    )
    roles = tuple(replace(r, person=person, label=draw(TEXT)) for r in report.roles)
    return replace(
        report,
        incident=incident,
        postmortem=postmortem,
        action_items=items,
        timeline=timeline,
        trigger=trigger,
        roles=roles,
    )


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


@settings(max_examples=150, deadline=None)
@given(hostile_reports(), st.sampled_from(["Europe/Berlin", "UTC", "Asia/Kolkata"]))
def test_user_text_never_breaks_the_structure(report: Report, tz: str) -> None:
    tokens = MARKDOWN.parse(render_markdown(TEMPLATE, report, tz))
    headings = [
        (tokens[i].tag, _inline_text(tokens[i + 1]))
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]
    assert [h for h in headings if h[0] == "h1"] == [
        ("h1", f"INC-7: {_one_line(report.incident.title)}".strip())
    ]
    assert [text for tag, text in headings if tag == "h2"] == SECTIONS
    h3 = [text for tag, text in headings if tag == "h3"]
    days = timeline_days(report.timeline, ZoneInfo(tz))
    assert h3 == [
        "Changes during the incident",
        *(f"{d.date:%A} {d.date.day} {d.date:%B %Y}" for d in days),
    ]
    assert not [t for t in tokens if t.type.startswith("html")]

    paragraphs_only = {"paragraph_open", "inline", "paragraph_close"}
    for name in ("Summary", "Contributing factors", "What went well", "What went poorly"):
        assert {t.type for t in _section(tokens, name)} <= paragraphs_only, name
    head = _section(tokens, None)
    assert {t.type for t in head} - paragraphs_only == {
        "bullet_list_open",
        "bullet_list_close",
        "list_item_open",
        "list_item_close",
    }
    assert [t.type for t in head].count("bullet_list_open") == 1
    whys = _section(tokens, "Five whys")
    if report.postmortem.whys:
        assert [t.type for t in whys if t.type.endswith("list_open")] == ["ordered_list_open"]
        items = [t for t in whys if t.type == "list_item_open"]
        assert len(items) == len(report.postmortem.whys)
        texts = [_inline_text(t) for t in whys if t.type == "inline"]
        assert texts == [_one_line(w) for w in report.postmortem.whys if _one_line(w)]

    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    action_rows = _table_rows(tokens, tables[-1])
    assert len(action_rows) == len(report.action_items)
    assert all(len(row) == 6 for row in action_rows)
    assert [row[1] for row in action_rows] == [_one_line(a.text) for a in report.action_items]

    timeline_start = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Timeline"
    )
    entries = [
        t
        for t in tokens[timeline_start:]
        if t.type == "list_item_open" and t.level == 1  # top-level items under a day heading
    ]
    assert len(entries) == len(report.timeline)
    texts = [
        _inline_text(t) for t in tokens[timeline_start:] if t.type == "inline" and t.level == 3
    ]
    for entry in report.timeline:
        assert any(_one_line(entry.text) in text for text in texts)


def _section(tokens: list[Token], name: str | None) -> list[Token]:
    """The tokens after the `## name` heading (None: after the title) up to the next one."""
    start = next(
        i + 3
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
        and (t.tag == "h1" if name is None else t.tag == "h2" and tokens[i + 1].content == name)
    )
    end = next(i for i in range(start, len(tokens)) if tokens[i].type == "heading_open")
    return tokens[start:end]


def _table_rows(tokens: list[Token], start: int) -> list[list[str]]:
    rows: list[list[str]] = []
    in_body = False
    for token in tokens[start:]:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and in_body:
            rows.append([])
        elif token.type == "inline" and in_body:
            rows[-1].append(_inline_text(token))
        elif token.type == "table_close":
            break
    return rows
