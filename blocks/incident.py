"""Incident messages, in one import: the topic, the command center and the cards.

The builders live in `topic.py`, `command_center.py` and `card.py` to keep each file short.
"""

from __future__ import annotations

from blocks.card import announcement_card, resolution_summary, status_update_post
from blocks.command_center import command_center
from blocks.topic import channel_topic

__all__ = [
    "announcement_card",
    "channel_topic",
    "command_center",
    "resolution_summary",
    "status_update_post",
]
