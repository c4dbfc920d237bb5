"""What listeners and routes need, built once per process and passed in explicitly."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.postmortem.render import PostmortemTemplate
from bot.metrics import Metrics
from bot.settings import Settings
from storage.db import Database


@dataclass(frozen=True)
class Deps:
    settings: Settings
    config: OpsConfig
    db: Database
    clock: Clock
    metrics: Metrics
    postmortem_template: PostmortemTemplate
