"""Rendering: template overrides, broken templates, filters, days and times across midnight
and DST."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.postmortem.render import (
    DEFAULT_TEMPLATE,
    TemplateError,
    duration,
    load_template,
    md,
    md_block,
    md_url,
    render_markdown,
    sample_report,
)
from bot.domain.postmortem.report import Report
from tests.conftest import make_settings


def _with_times(*moments: datetime) -> Report:
    """The sample report with one timeline entry at each moment."""
    base = sample_report().timeline[0]
    items = tuple(
        replace(base, id=i, occurred_at=at, text=f"entry {i}") for i, at in enumerate(moments)
    )
    return replace(sample_report(), timeline=items)


def _timeline(markdown: str) -> list[str]:
    section = markdown.split("## Timeline\n", 1)[1]
    return [line for line in section.splitlines() if line.startswith(("### ", "- "))]


def test_default_template_ships_with_the_package() -> None:
    assert DEFAULT_TEMPLATE.is_file()
    assert load_template(None).path == DEFAULT_TEMPLATE


def test_a_custom_template_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "ours.md.j2"
    path.write_text(
        "{{ report.incident.ref }} · {{ report.incident.title | md }}\n"
        "{% for e in report.timeline %}* {{ e.occurred_at | stamp }} {{ e.text | md }}\n"
        "{% endfor %}"
        "Resolved after {{ report.durations.to_resolve | duration }}\n",
        encoding="utf-8",
    )
    settings = make_settings(postmortem_template=path)
    template = load_template(settings.postmortem_template)
    report = replace(
        sample_report(), incident=replace(sample_report().incident, title="Pay *all* the # bills")
    )
    assert render_markdown(template, report, "Europe/Berlin") == (
        "INC-7 · Pay \\*all\\* the \\# bills\n"
        "* 23:40 (22:40 UTC) Declared SEV1\n"
        "* 23:50 (22:50 UTC) Errors \\<script\\> \\| spike\n"
        "* 01:10 (00:10 UTC) Status monitoring → resolved\n"
        "Resolved after 1 h 30 min\n"
    )


@pytest.mark.parametrize(
    ("source", "line", "problem"),
    [
        ("# {{ report.incident.ref }}\n\n{% if report.incident %}\nno end\n", 4, "syntax error"),
        ("ok\n{{ report.incident.title | nope }}\n", 2, "syntax error: No filter named 'nope'"),
        ("ok\n\n{{ nope }}\n", 3, "unknown variable or attribute: 'nope' is undefined"),
        (
            "{{ report.incident.ref }}\n{{ report.incident.nope }}\n",
            2,
            "unknown variable or attribute: IncidentInfo has no attribute 'nope'",
        ),
        # Only reached by the empty sample: "nothing yet" branches are checked too.
        ("{% if not report.timeline %}\n\n{{ oops }}\n{% endif %}\n", 3, "'oops' is undefined"),
        ("{{ report.milestones.resolved + 1 }}\n", 1, "fails on a sample report: TypeError"),
    ],
)
def test_broken_templates_fail_at_load_with_file_and_line(
    tmp_path: Path, source: str, line: int, problem: str
) -> None:
    path = tmp_path / "broken.md.j2"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: line {line}: ")
    assert problem in message
    assert "\n" not in message


def test_an_error_in_an_included_template_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "main.md.j2").write_text('# x\n{% include "part.j2" %}\n', encoding="utf-8")
    (tmp_path / "part.j2").write_text("fine\n{{ report.nope }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=rf"^{tmp_path / 'part.j2'}: line 2: "):
        load_template(tmp_path / "main.md.j2")


def test_an_unreadable_template(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="no such file"):
        load_template(tmp_path / "missing.md.j2")
    (tmp_path / "latin1.md.j2").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        load_template(tmp_path / "latin1.md.j2")


def test_days_follow_the_organisation_timezone_across_midnight() -> None:
    report = _with_times(
        datetime(2026, 11, 23, 22, 50, tzinfo=UTC), datetime(2026, 11, 23, 23, 10, tzinfo=UTC)
    )
    template = load_template(None)
    assert _timeline(render_markdown(template, report, "Europe/Berlin")) == [
        "### Monday 23 November 2026",
        "- 23:50 (22:50 UTC) — **Alice**: entry 0",
        "### Tuesday 24 November 2026",
        "- 00:10 (23:10 UTC) — **Alice**: entry 1",
    ]
    assert _timeline(render_markdown(template, report, "UTC")) == [
        "### Monday 23 November 2026",
        "- 22:50 — **Alice**: entry 0",
        "- 23:10 — **Alice**: entry 1",
    ]


def test_the_repeated_hour_when_dst_ends() -> None:
    # New York falls back at 06:00 UTC on 1 November 2026: 01:30 happens twice.
    fall_back = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    report = _with_times(
        fall_back - timedelta(hours=2, minutes=1),
        fall_back - timedelta(minutes=30),
        fall_back + timedelta(minutes=30),
    )
    markdown = render_markdown(load_template(None), report, "America/New_York")
    assert _timeline(markdown) == [
        "### Saturday 31 October 2026",
        "- 23:59 (03:59 UTC) — **Alice**: entry 0",
        "### Sunday 1 November 2026",
        "- 01:30 (05:30 UTC) — **Alice**: entry 1",
        "- 01:30 (06:30 UTC) — **Alice**: entry 2",
    ]


def test_times_around_the_spring_gap_carry_their_offset() -> None:
    # Berlin springs forward at 01:00 UTC on 29 March 2026 (02:00 CET → 03:00 CEST).
    report = sample_report()  # declared 22:40 UTC on the 28th, resolved 00:10 UTC, closed later
    markdown = render_markdown(load_template(None), report, "Europe/Berlin")
    assert "| Resolved | 2026-03-29 01:10 CET (00:10 UTC) | 1 h 30 min |" in markdown
    assert "| Closed | 2026-03-30 01:40 CEST (23:40 UTC) | 1 d 1 h |" in markdown
    spring = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    lines = _timeline(
        render_markdown(
            load_template(None),
            _with_times(spring - timedelta(minutes=30), spring + timedelta(minutes=30)),
            "Europe/Berlin",
        )
    )
    assert lines[1:] == [
        "- 01:30 (00:30 UTC) — **Alice**: entry 0",
        "- 03:30 (01:30 UTC) — **Alice**: entry 1",
    ]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (None, "—"),
        (timedelta(0), "0 s"),
        (timedelta(seconds=45), "45 s"),
        (timedelta(minutes=4, seconds=59), "4 min"),
        (timedelta(hours=1), "1 h"),
        (timedelta(hours=1, minutes=12), "1 h 12 min"),
        (timedelta(days=2, hours=3, minutes=5), "2 d 3 h"),
        (timedelta(days=1), "1 d"),
        (timedelta(minutes=-12), "-12 min"),
    ],
)
def test_durations_read_like_a_person_wrote_them(delta: timedelta | None, text: str) -> None:
    assert duration(delta) == text


def test_markdown_filters() -> None:
    assert md("  # a\n*b*  _c_ `d` [e](f) <g> | h ~i~ &amp; R&D \\ ") == (
        "\\# a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\<g\\> \\| h \\~i\\~ \\&amp; R&D \\\\"
    )
    assert md("- item") == "\\- item"
    assert md("12. item") == "12\\. item"
    assert md("3) item") == "3\\) item"
    assert md(None) == ""
    assert md_block("one\ntwo\n\n\n---\n  > three\x00") == "one\\\ntwo\n\n\\---\\\n\\> three"
    assert md_url("https://x.example/a b(c)") == "https://x.example/a%20b%28c%29"
    assert md_url("javascript:alert(1)") == ""
    assert md_url(None) == ""
