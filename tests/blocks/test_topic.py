"""The channel topic: short, one line, and the bridge URL always whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from blocks.topic import TOPIC_LIMIT, channel_topic
from bot.config import OpsConfig
from tests.blocks.support import incident

CONFIG = OpsConfig()


def test_topic_reads_like_the_example() -> None:
    inc = incident(title="Checkout 5xx", status="investigating")
    assert (
        channel_topic(inc, CONFIG, bridge_url="https://zoom.us/j/1")
        == "SEV1 · Investigating · Checkout 5xx · Zoom: https://zoom.us/j/1"
    )
    assert channel_topic(inc, CONFIG, bridge_url=None) == "SEV1 · Investigating · Checkout 5xx"


def test_long_title_is_shortened_and_url_kept() -> None:
    url = "https://zoom.us/j/" + "9" * 150
    topic = channel_topic(incident(title="x" * 200), CONFIG, bridge_url=url)
    assert len(topic) <= TOPIC_LIMIT
    assert topic.endswith(f" · Zoom: {url}")
    assert "x…" in topic


def test_newlines_are_collapsed() -> None:
    topic = channel_topic(incident(title="a\nb\r\nc"), CONFIG, bridge_url="https://x.io/\n1")
    assert "\n" not in topic and "\r" not in topic
    assert "a b c" in topic
    assert topic.endswith("https://x.io/1")


def test_url_too_long_to_fit_is_left_out_not_cut() -> None:
    url = "https://meet.google.com/" + "a" * 300
    topic = channel_topic(incident(title="Checkout"), CONFIG, bridge_url=url)
    assert len(topic) <= TOPIC_LIMIT
    assert "https://" not in topic
    assert "Checkout" in topic


@given(
    st.text(max_size=200),
    st.text(alphabet="abcdefghij/?=&0123456789", min_size=1, max_size=200),
)
def test_topic_limit_and_whole_url(title: str, path: str) -> None:
    url = f"https://zoom.us/{path}"
    topic = channel_topic(incident(title=title), CONFIG, bridge_url=url)
    assert len(topic) <= TOPIC_LIMIT
    assert topic.endswith(url)
    assert "\n" not in topic
