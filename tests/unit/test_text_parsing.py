"""Property tests for the command parser and the mrkdwn escaper."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot import commands
from bot.mrkdwn import escape

MENTION = re.compile(r"<[!@#][^>]*>")


@given(st.text())
def test_escaped_text_never_contains_markup(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert MENTION.search(escaped) is None
    unescaped = escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == text


def test_escape_neutralises_broadcasts_and_mentions() -> None:
    assert escape("<!channel> ping <@U123> & <https://x|y>") == (
        "&lt;!channel&gt; ping &lt;@U123&gt; &amp; &lt;https://x|y&gt;"
    )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_parse_splits_subcommand_and_keeps_the_rest(text: str) -> None:
    parsed = commands.parse(text)
    assert parsed.subcommand == parsed.subcommand.lower()
    assert " " not in parsed.subcommand
    stripped = text.strip()
    if parsed.subcommand:
        assert stripped.lower().startswith(parsed.subcommand)
        assert stripped.endswith(parsed.args)
    else:
        assert stripped == "" and parsed.args == ""


def test_parse_examples() -> None:
    assert commands.parse("  HELP  ") == commands.ParsedCommand("help", "")
    assert commands.parse("status #12 monitoring all good") == commands.ParsedCommand(
        "status", "#12 monitoring all good"
    )
    assert commands.parse("") == commands.ParsedCommand("", "")
