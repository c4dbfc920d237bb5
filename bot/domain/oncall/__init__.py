"""On-call schedules: config models and the pure "who is on call when" functions."""

from bot.domain.oncall.models import (
    WEEKDAYS,
    CustomRotation,
    Layer,
    Override,
    Restriction,
    Rotation,
    Schedule,
    Weekday,
)
from bot.domain.oncall.resolve import (
    GAP,
    OnCall,
    Shift,
    Source,
    SourceKind,
    next_shift_for,
    on_call,
    shifts,
)

__all__ = [
    "GAP",
    "WEEKDAYS",
    "CustomRotation",
    "Layer",
    "OnCall",
    "Override",
    "Restriction",
    "Rotation",
    "Schedule",
    "Shift",
    "Source",
    "SourceKind",
    "Weekday",
    "next_shift_for",
    "on_call",
    "shifts",
]
