"""Shared text helpers: durations, date tokens, clipping and timeline mentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from blocks.text import duration_text, more_line, quote, safe, slack_date, timeline_text
from tests.blocks.support import assert_safe_mrkdwn, entry


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-5, "0s"),
        (45, "45s"),
        (12 * 60, "12m"),
        (3900, "1h 05m"),
        (7800, "2h 10m"),
        (2 * 86400 + 3 * 3600 + 59, "2d 03h"),
    ],
)
def test_duration_text(seconds: int, shown: str) -> None:
    assert duration_text(timedelta(seconds=seconds)) == shown


def test_slack_date_is_a_token_with_a_utc_fallback() -> None:
    when = datetime(2024, 11, 23, 15, 30, tzinfo=UTC) + timedelta(hours=0)
    assert slack_date(when) == (
        "<!date^1732375800^{date_short_pretty} {time}|2024-11-23T15:30+00:00>"
    )
    naive = datetime(2024, 11, 23, 15, 30)
    assert slack_date(naive) == slack_date(when)


@given(st.text(alphabet="<>&ab\n", max_size=400), st.integers(min_value=2, max_value=120))
def test_safe_never_splits_an_entity(text: str, limit: int) -> None:
    out = safe(text, limit)
    assert len(out) <= limit
    assert_safe_mrkdwn(out)
    body = out.removesuffix("…")
    # every '&' starts a whole entity: nothing like "&am" at the cut
    assert body.count("&") == body.count("&amp;") + body.count("&lt;") + body.count("&gt;")


def test_quote_prefixes_every_line_and_fits() -> None:
    out = quote("one\ntwo <!here>\n" + "x" * 5000, 300)
    assert len(out) <= 300
    assert all(line.startswith(">") for line in out.split("\n"))
    assert "&lt;!here&gt;" in out


def test_more_line_singular_and_plural() -> None:
    assert more_line(7, "tasks") == "…and 7 more tasks"
    assert more_line(1, "tasks") == "…and 1 more task"


def test_role_entries_render_the_domains_mention() -> None:
    assert timeline_text(entry("role", "commander: <@U0SCRIBE>")) == "commander: <@U0SCRIBE>"


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("update", "ping <@U999>"),
        ("status", "Status triggered → acknowledged: <@U999>"),
        ("declared", "Declared SEV1 “<@U999>”"),
        ("task", "Task added: <@U999>"),  # no assignee: the mention is user text
        ("role", "commander: <@U0SCRIBE> <@U999>"),  # not the domain's exact template
        ("something_new", "<@U999>"),
    ],
)
def test_mentions_typed_by_users_stay_text(kind: str, text: str) -> None:
    out = timeline_text(entry(kind, text))
    assert "<@U999>" not in out
    assert "&lt;@U999&gt;" in out
