"""What one delivery did to one alert group, for the Slack side to act on."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.models import Incident


@dataclass
class Outcome:
    group_id: int | None = None
    incident_id: int | None = None
    declared: bool = False
    attached_to_storm: bool = False
    resolved: bool = False
    acknowledged: bool = False
    new_alerts: list[str] = field(default_factory=list)
    incident: Incident | None = None  # the incident as declared, so Slack need not read it

    @property
    def news(self) -> bool:
        """Whether Slack has anything to show; a plain repeat has not."""
        return self.incident_id is not None and bool(
            self.declared
            or self.resolved
            or self.acknowledged
            or self.new_alerts
            or self.attached_to_storm
        )
