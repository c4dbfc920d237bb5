"""Filing issues in Jira through the ``jira`` package, with failures in plain words.

The client is synchronous (requests), so each call runs in a worker thread. It is built on
first use, not at start-up, so a Jira outage never delays the bot starting; with a timeout,
so a hung Jira cannot hold a thread for good; and without the client's own retries (which
sleep in the thread), since the action-item outbox retries with backoff itself.

Finding an issue by label must use Jira Cloud's enhanced search (``GET /search/jql``):
Atlassian removed the older ``/search`` from Cloud in 2025, and it answers 410 there.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError

from bot.settings import Settings

log = logging.getLogger("opsguard.issue_tracker")

SUMMARY_MAX = 255  # Jira rejects longer summaries
TIMEOUT_S = 10.0
# Fields a project's create screen may lack; rather than never filing, file without them.
OPTIONAL_FIELDS = frozenset({"duedate", "labels"})
_DETAIL_MAX = 200
_T = TypeVar("_T")


class TrackerError(Exception):
    """Filing failed; str() says why in words fit for a person, ``status`` is Jira's answer
    (None when Jira did not answer at all)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def unreachable(self) -> bool:
        """No answer at all: the next call would most likely wait out its timeout too."""
        return self.status is None


@dataclass(frozen=True)
class FiledIssue:
    key: str
    url: str


class IssueTracker:
    """Jira for one project and issue type, from ``JIRA_*`` settings."""

    def __init__(self, settings: Settings, *, timeout_s: float = TIMEOUT_S) -> None:
        self._url = settings.jira_url.rstrip("/")
        self._auth = (settings.jira_user, settings.jira_api_token)
        self._project = settings.jira_project
        self._issue_type = settings.jira_issue_type
        self._timeout_s = timeout_s
        self._client: JIRA | None = None
        self._lock = threading.Lock()

    def browse_url(self, key: str) -> str:
        return f"{self._url}/browse/{key}"

    async def file_issue(
        self,
        *,
        summary: str,
        description: str,
        labels: list[str],
        due_date: date | None = None,
    ) -> FiledIssue:
        """Create one issue; raises TrackerError for every way that can fail."""
        fields: dict[str, Any] = {
            "project": {"key": self._project},
            "issuetype": {"name": self._issue_type},
            "summary": summary[:SUMMARY_MAX],
            "description": description,
            "labels": labels,
        }
        if due_date is not None:
            fields["duedate"] = due_date.isoformat()
        key = await asyncio.to_thread(self._call, lambda client: _create(client, fields))
        return FiledIssue(key=key, url=self.browse_url(key))

    async def find_issue(self, label: str) -> FiledIssue | None:
        """An issue carrying ``label``, or None when Jira holds none; raises TrackerError
        whenever Jira did not plainly answer "none", so a failed search never passes for one."""
        key = await asyncio.to_thread(self._call, lambda client: _search(client, label))
        return None if key is None else FiledIssue(key=key, url=self.browse_url(key))

    def _call(self, action: Callable[[JIRA], _T]) -> _T:
        """Run ``action`` with the client, every failure turned into a TrackerError."""
        try:
            return action(self._jira())
        except JIRAError as exc:
            raise TrackerError(_jira_error_text(exc), status=exc.status_code) from exc
        except requests.Timeout as exc:
            raise TrackerError(f"Jira did not answer within {self._timeout_s:g} s") from exc
        except requests.ConnectionError as exc:
            raise TrackerError(f"Jira unreachable: {_connection_reason(exc)}") from exc
        except (requests.RequestException, ValueError) as exc:
            # ValueError: a 2xx answer that is not Jira's JSON (a proxy's page, say).
            raise TrackerError(f"Jira sent an unexpected answer ({type(exc).__name__})") from exc

    def _jira(self) -> JIRA:
        with self._lock:
            if self._client is None:
                self._client = JIRA(
                    server=self._url,
                    basic_auth=self._auth,
                    timeout=self._timeout_s,
                    max_retries=0,
                )
            return self._client


def _create(client: JIRA, fields: dict[str, Any]) -> str:
    try:
        return str(client.create_issue(fields=fields, prefetch=False).key)
    except JIRAError as exc:
        rejected = _field_errors(exc)
        if exc.status_code != 400 or not rejected or not rejected <= OPTIONAL_FIELDS:
            raise
        if "labels" in rejected:
            log.warning("Jira takes no labels here: a retried filing cannot find an earlier one")
        kept = {name: value for name, value in fields.items() if name not in rejected}
        return str(client.create_issue(fields=kept, prefetch=False).key)


def _search(client: JIRA, label: str) -> str | None:
    """``search_issues``: on Jira Cloud, jira ≥ 3.10 sends it to the enhanced search
    (``/search/jql``, the one Cloud still serves; older releases call the removed one and
    get a 410); elsewhere to ``/search``, which Server and Data Center still serve."""
    answer: Any = client.search_issues(
        f"labels = {_jql_string(label)}",
        maxResults=1,
        # Any field will do: the enhanced search answers bare ids unless asked for fields,
        # and the key comes with them. A new list each time: the client rewrites it.
        fields=["summary"],
        json_result=True,
    )
    issues = answer.get("issues") if isinstance(answer, dict) else None
    if not isinstance(issues, list):
        raise ValueError("no issues in Jira's search answer")
    if not issues:
        return None
    key = issues[0].get("key") if isinstance(issues[0], dict) else None
    if not isinstance(key, str) or not key:
        raise ValueError("no key in Jira's search answer")
    return key


def _jql_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _error_body(exc: JIRAError) -> dict[str, Any]:
    if exc.response is None:
        return {}
    try:
        body = exc.response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _field_errors(exc: JIRAError) -> set[str]:
    errors = _error_body(exc).get("errors")
    return set(errors) if isinstance(errors, dict) else set()


def _jira_error_text(exc: JIRAError) -> str:
    """'Jira answered 400: project: Specify a valid project ID or key', or the like."""
    body = _error_body(exc)
    parts = [str(m) for m in body.get("errorMessages") or [] if m]
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts += [f"{field}: {message}" for field, message in errors.items()]
    if not parts and exc.response is not None and exc.response.text:
        parts = [" ".join(exc.response.text.split())]
    if not parts and exc.text:
        parts = [exc.text]
    detail = "; ".join(parts)[:_DETAIL_MAX]
    if exc.status_code is None:
        return f"Jira failed: {detail or 'no answer'}"
    return (
        f"Jira answered {exc.status_code}: {detail}"
        if detail
        else f"Jira answered {exc.status_code}"
    )


def _connection_reason(exc: requests.ConnectionError) -> str:
    """The useful tail of urllib3's wording, e.g. '[Errno 111] Connection refused'."""
    inner = exc.args[0] if exc.args else exc
    text = str(getattr(inner, "reason", inner))
    _, sep, tail = text.partition("): ")
    return (tail if sep else text)[:_DETAIL_MAX]
