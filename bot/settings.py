"""Process settings read from the environment (12-factor), validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./opsguard.db"
MIN_SECRET_LENGTH = 16


class Settings(BaseSettings):
    """Every environment variable OpsGuard reads; the README's table mirrors this class."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    base_url: str = "http://localhost:3000"
    opsguard_config: Path | None = None
    incidents_channel: str = ""
    stakeholder_channel: str = ""
    google_meet_url: str = ""
    zoom_account_id: str = ""
    zoom_client_id: str = ""
    zoom_client_secret: str = ""
    zoom_api_url: str = "https://api.zoom.us/v2"
    zoom_oauth_url: str = "https://zoom.us/oauth/token"
    admin_user_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    log_level: str = "INFO"
    # Unset turns the endpoint / the calendar feeds off (404).
    cron_token: str = ""
    feed_secret: str = ""
    # Signs the postmortem links OpsGuard posts; unset derives a key from the signing secret.
    link_secret: str = ""
    # A bearer token that may read every postmortem (for a wiki or an exporter); unset: none.
    postmortem_token: str = ""
    postmortem_template: Path | None = None
    jira_url: str = ""
    jira_user: str = ""
    jira_api_token: str = ""
    jira_project: str = ""
    jira_issue_type: str = "Task"

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack-sdk joins method names onto base_url, so it must end with "/".
        return value if value.endswith("/") else value + "/"

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cron_token", "feed_secret", "link_secret", "postmortem_token")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        value = value.strip()  # a stray newline from a secrets file is never meant
        if value and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"must be at least {MIN_SECRET_LENGTH} characters (try `openssl rand -hex 32`)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def jira_enabled(self) -> bool:
        return bool(self.jira_url and self.jira_project)
