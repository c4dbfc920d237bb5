"""Config models for alert integrations (the `integrations:` key)."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.validators import Name

DEFAULT_SEVERITY_MAP = {
    "critical": "SEV1",
    "error": "SEV2",
    "warning": "SEV3",
    "info": "SEV4",
}


class Integration(BaseModel):
    """One monitoring tool sending alerts. The secret comes from the file or, better, the
    environment (`token_env` / `routing_key_env`), so config files can be committed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    type: Literal["alertmanager", "grafana", "pagerduty", "generic"]
    token: str | None = None
    token_env: str | None = None
    routing_key: str | None = None
    routing_key_env: str | None = None
    service: str | None = None
    service_label: str | None = None
    severity_label: str = "severity"
    severity_map: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SEVERITY_MAP))
    default_severity: str = "SEV3"
    auto_resolve: bool = True
    rate_limit: int = Field(default=600, ge=1, description="requests per minute")
    storm_threshold: int = Field(default=10, ge=1, description="new groups per service-minute")

    @model_validator(mode="after")
    def _secret(self) -> Integration:
        if self.type == "pagerduty":
            if not (self.routing_key or self.routing_key_env):
                raise ValueError("a pagerduty integration needs routing_key or routing_key_env")
        elif not (self.token or self.token_env):
            raise ValueError(f"a {self.type} integration needs token or token_env")
        if not (self.service or self.service_label):
            raise ValueError("name a default service, a service_label, or both")
        return self

    def secret(self) -> str:
        """The token (or routing key) in force now; an unset env var means no secret at all."""
        if self.type == "pagerduty":
            return self.routing_key or os.environ.get(self.routing_key_env or "", "")
        return self.token or os.environ.get(self.token_env or "", "")
