"""``FakeJira``: the slice of Jira Cloud's REST API v2 that filing an issue needs, on loopback.

Served under ``/rest/api/2`` (shapes after Atlassian's v2 reference), enough for the real
``jira`` package's ``JIRA(server, basic_auth=…)``, ``search_issues`` /
``enhanced_search_issues`` by label, and ``create_issue(fields=…)`` whether the project and
issue type are given as ``{"key"}`` / ``{"name"}`` objects (one POST) or as plain strings
(the client then looks them up first):

* ``GET serverInfo`` — ``deploymentType: Cloud``; answered anonymously too, as Jira does.
* ``GET project/{idOrKey}[?expand=issueTypes]`` and ``GET issuetype``: the client's
  lookups when the project or issue type is a plain string.
* ``POST issue`` — validates like Jira, collecting every field error into one 400
  ``{"errorMessages": [], "errors": {field: message}}``: project and issue type (by key/id
  and name/id), a summary (required, ≤ 255 characters, no newlines), ``description`` a
  string (v2 takes wiki text, not v3's document JSON), labels without spaces, ``duedate``
  as ``YYYY-MM-DD``, and only fields on the project's create screen. Answers 201
  ``{"id", "key", "self"}`` with keys ``PROJ-1``, ``PROJ-2`` … per project.
* ``GET issue/{idOrKey}`` — ``{"id", "key", "self", "fields"}``, else 404.
* ``GET field`` — the system fields with their JQL ``clauseNames``: the client reads them
  once before its first search that names fields.
* ``GET search/jql`` — Jira Cloud's enhanced search (the older ``/search`` is gone from
  Cloud, so it is not served). JQL only ``labels = "x"`` and ``labels in ("x", "y")``
  (quoted or bare values, ``AND``-free), matching issues in the order they were created,
  each from the moment it is (Jira's search may take a while to see a new issue);
  other JQL answers 400 with Jira's error JSON, as does none at all (Jira refuses unbounded
  queries there). Like Jira: bare ``{"id"}`` issues unless ``fields`` asks for more (then
  ``id``, ``key``, ``self`` and those fields; ``*all`` / ``*navigable`` for all of them);
  pages of ``maxResults`` (default 50, at most 5000) answered as ``{"issues", "isLast"}``
  plus ``"nextPageToken"`` when another page follows, which the next request passes back.

Every other request needs HTTP basic auth ``user:token``; a wrong or missing one answers
401 ``{"errorMessages": ["You are not authenticated. …"], "errors": {}}``. Messages marked
"guess" below are the fake's guesses at Jira's wording.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import traceback
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web

from fakes.loopback import LoopbackFake, basic_auth

JSON = dict[str, Any]
API = "/rest/api/2"
SUMMARY_MAX = 255
# The fields a classic project's default create screen offers.
DEFAULT_SCREEN = frozenset(
    {
        "project",
        "issuetype",
        "summary",
        "description",
        "labels",
        "duedate",
        "assignee",
        "reporter",
        "priority",
    }
)
NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
SEARCH_MAX = 5000
# (id, name, JQL clause names, schema type) of the system fields the fake stores.
SYSTEM_FIELDS = [
    ("issuekey", "Key", ["id", "issue", "issuekey", "key"], None),
    ("project", "Project", ["project"], "project"),
    ("issuetype", "Issue Type", ["issuetype", "type"], "issuetype"),
    ("summary", "Summary", ["summary"], "string"),
    ("description", "Description", ["description"], "string"),
    ("labels", "Labels", ["labels"], "array"),
    ("duedate", "Due date", ["due", "duedate"], "date"),
    ("assignee", "Assignee", ["assignee"], "user"),
    ("reporter", "Reporter", ["reporter"], "user"),
    ("status", "Status", ["status"], "status"),
    ("created", "Created", ["created", "createdDate"], "datetime"),
    ("updated", "Updated", ["updated", "updatedDate"], "datetime"),
]
_JQL_VALUE = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[\w.-]+"
_JQL_LABELS_EQ = re.compile(rf"labels\s*=\s*({_JQL_VALUE})", re.IGNORECASE)
_JQL_LABELS_IN = re.compile(
    rf"labels\s+in\s*\(\s*((?:{_JQL_VALUE})(?:\s*,\s*(?:{_JQL_VALUE}))*)\s*\)", re.IGNORECASE
)
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class JiraCall:
    """One request the fake answered. ``body``: the parsed JSON, else None."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


@dataclass
class _Failure:
    status: int
    times: int
    path: str | None


@dataclass
class _Project:
    id: str
    key: str
    name: str
    issue_types: list[str]
    screen: frozenset[str]
    next_number: int = 1


class FakeJira(LoopbackFake):
    """A fake Jira Cloud site for the real ``jira`` client.

    >>> async with FakeJira() as jira:                                 # doctest: +SKIP
    ...     JIRA(server=jira.base_url, basic_auth=(jira.user, jira.token))
    """

    def __init__(
        self,
        user: str = "opsguard@example.com",
        token: str = "jira-api-token",
        *,
        project: str = "OPS",
    ) -> None:
        super().__init__()
        self.user = user
        self.token = token
        self.down = False
        """When set, every request answers 503 and changes nothing."""
        self.latency = 0.0
        """Seconds every request waits before it is answered (cut short by ``stop``)."""
        self.issues: dict[str, JSON] = {}
        """Issue key → its fields, as a GET of the issue would show them."""
        self.calls: list[JiraCall] = []
        self.internal_errors: list[str] = []
        self._issue_types: dict[str, str] = {}  # name -> id
        self._projects: dict[str, _Project] = {}  # key -> project
        self._issue_ids: dict[str, str] = {}  # id -> key
        self._failures: list[_Failure] = []
        self.add_project(project)

    # -- lifecycle --------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get(API + "/serverInfo", self._server_info)
        app.router.add_get(API + "/project/{project}", self._get_project)
        app.router.add_get(API + "/issuetype", self._list_issue_types)
        app.router.add_post(API + "/issue", self._create_issue)
        app.router.add_get(API + "/issue/{issue}", self._get_issue)
        app.router.add_get(API + "/field", self._list_fields)
        app.router.add_get(API + "/search/jql", self._search)
        return app

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the site URL (``JIRA_URL``), only once started."""
        return super().base_url

    # -- knobs, state and the call log ------------------------------------

    def add_project(
        self,
        key: str,
        name: str | None = None,
        *,
        issue_types: Iterable[str] = ("Task", "Bug", "Story", "Epic"),
        screen: Iterable[str] = DEFAULT_SCREEN,
    ) -> None:
        """A project offering ``issue_types`` whose create screen holds the ``screen`` fields."""
        types = list(issue_types)
        for type_name in types:
            self._issue_types.setdefault(type_name, str(10001 + len(self._issue_types)))
        self._projects[key] = _Project(
            id=str(10000 + len(self._projects)),
            key=key,
            name=name or f"{key} project",
            issue_types=types,
            screen=frozenset(screen) | {"project", "issuetype", "summary"},
        )

    def fail_next(self, n: int = 1, status: int = 500, *, path: str | None = None) -> None:
        """Answer the next ``n`` requests with ``status`` and Jira's error JSON: requests to
        any path, or only those to ``path`` (below ``/rest/api/2``, e.g. ``/search/jql``)."""
        if n < 1:
            raise ValueError("n must be >= 1")
        self._failures.append(_Failure(status, n, None if path is None else API + path))

    def calls_to(self, method: str, path: str) -> list[JiraCall]:
        """Answered requests to ``path`` (below ``/rest/api/2``, e.g. ``/issue``)."""
        return [c for c in self.calls if c.method == method and c.path == API + path]

    async def wait_for_call(
        self,
        method: str,
        path: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 (public API, like the other fakes')
    ) -> JiraCall:
        """The ``count``-th answered request to ``path``, waiting for it: a request the
        client gave up on is still answered (and acted on) once ``latency`` has passed."""
        await self._wait_until(
            lambda: len(self.calls_to(method, path)) >= count,
            timeout,
            lambda: (
                f"{count} call(s) to {method} {path}; all calls: "
                f"{[f'{c.method} {c.path}' for c in self.calls]}"
            ),
        )
        return self.calls_to(method, path)[count - 1]

    # -- the server -------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: _Handler) -> web.StreamResponse:
        raw = await request.read()
        await self._wait_latency(self.latency)
        response: web.StreamResponse
        try:
            refusal = self._refusal(request)
            response = refusal if refusal is not None else await handler(request)
        except web.HTTPException as exc:
            await self._record(request, raw, exc.status)
            if exc.status == 404:
                return _error(404, ["Not found (fake Jira serves only what filing issues needs)"])
            raise
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            response = _error(500, ["fake crashed"])
        await self._record(request, raw, response.status)
        return response

    def _refusal(self, request: web.Request) -> web.Response | None:
        if self.down:
            return _error(503, ["Service Unavailable"])  # guess
        failure = next(
            (f for f in self._failures if f.path is None or f.path == request.path), None
        )
        if failure is not None:
            failure.times -= 1
            if failure.times == 0:
                self._failures.remove(failure)
            return _error(failure.status, [f"Fake failure ({failure.status})"])
        credentials = basic_auth(request.headers.get("Authorization"))
        anonymous_ok = (
            request.path == API + "/serverInfo" and "Authorization" not in request.headers
        )
        if credentials != (self.user, self.token) and not anonymous_ok:
            response = _error(401, [NOT_AUTHENTICATED])
            response.headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
            response.headers["WWW-Authenticate"] = 'Basic realm="protected-area"'
            return response
        return None

    async def _record(self, request: web.Request, raw: bytes, status: int) -> None:
        self.calls.append(
            JiraCall(request.method, request.path, dict(request.query), _parse(raw), status)
        )
        await self._notify()

    async def _server_info(self, request: web.Request) -> web.Response:
        now = datetime.now(UTC)
        return web.json_response(
            {
                "baseUrl": self.base_url,
                "displayUrl": self.base_url,
                "version": "1001.0.0-SNAPSHOT",
                "versionNumbers": [1001, 0, 0],
                "deploymentType": "Cloud",
                "buildNumber": 100266,
                "buildDate": now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "serverTime": now.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "scmInfo": "0" * 40,
                "serverTitle": "Jira",
                "defaultLocale": {"locale": "en_US"},
            }
        )

    async def _get_project(self, request: web.Request) -> web.Response:
        project = self._find_project(request.match_info["project"])
        if project is None:
            key = request.match_info["project"]
            return _error(404, [f"No project could be found with key '{key}'."])
        body = self._project_json(project)
        if "issueTypes" in request.query.get("expand", "").split(","):
            body["issueTypes"] = [self._issue_type_json(name) for name in project.issue_types]
        return web.json_response(body)

    async def _list_issue_types(self, request: web.Request) -> web.Response:
        return web.json_response([self._issue_type_json(name) for name in self._issue_types])

    async def _create_issue(self, request: web.Request) -> web.Response:
        body = _parse(await request.read())
        if not isinstance(body, dict):
            return _error(400, ["Can not deserialize the request body as JSON."])  # guess
        fields = body.get("fields")
        if not isinstance(fields, dict):
            return _error(400, [], {"project": "project is required"})
        project, errors = self._validate(fields)
        if errors or project is None:
            return _error(400, [], errors)
        issue_id = str(10000 + len(self._issue_ids))
        key = f"{project.key}-{project.next_number}"
        project.next_number += 1
        self._issue_ids[issue_id] = key
        self.issues[key] = self._stored_fields(project, fields)
        return web.json_response(
            {"id": issue_id, "key": key, "self": f"{self.base_url}{API}/issue/{issue_id}"},
            status=201,
        )

    async def _get_issue(self, request: web.Request) -> web.Response:
        wanted = request.match_info["issue"]
        key = self._issue_ids.get(wanted, wanted)
        if key not in self.issues:
            return _error(404, ["Issue does not exist or you do not have permission to see it."])
        issue_id = next(i for i, k in self._issue_ids.items() if k == key)
        return web.json_response(
            {
                "expand": "renderedFields,names,schema,operations,editmeta,changelog",
                "id": issue_id,
                "self": f"{self.base_url}{API}/issue/{issue_id}",
                "key": key,
                "fields": self.issues[key],
            }
        )

    async def _list_fields(self, request: web.Request) -> web.Response:
        return web.json_response([_field_json(*field) for field in SYSTEM_FIELDS])

    async def _search(self, request: web.Request) -> web.Response:
        jql = request.query.get("jql", "").strip()
        if not jql:
            return _error(400, [UNBOUNDED])  # guess
        labels = _jql_labels(jql)
        if labels is None:
            # The fake's own words: Jira would parse far more.
            return _error(400, [f"The fake Jira's JQL is only labels = or labels in: {jql}"])
        try:
            size = min(int(request.query.get("maxResults", 50)), SEARCH_MAX)
        except ValueError:
            size = 0
        if size < 1:
            return _error(400, ["maxResults must be a positive number."])  # guess
        token = request.query.get("nextPageToken")
        start = _page_start(token, jql) if token else 0
        if start is None:
            return _error(400, ["The provided next page token is invalid or expired."])  # guess
        keys = [key for key, f in self.issues.items() if labels & set(f["labels"])]
        page = keys[start : start + size]
        wanted = {f for value in request.query.getall("fields", []) for f in value.split(",")}
        body: JSON = {"issues": [self._search_hit(key, wanted) for key in page]}
        if start + len(page) < len(keys):
            body["nextPageToken"] = _page_token(jql, start + len(page))
        body["isLast"] = "nextPageToken" not in body
        return web.json_response(body)

    # -- validation and shapes --------------------------------------------

    def _search_hit(self, key: str, wanted: set[str]) -> JSON:
        issue_id = next(i for i, k in self._issue_ids.items() if k == key)
        if not wanted - {"", "id"}:
            return {"id": issue_id}
        stored = self.issues[key]
        every = bool(wanted & {"*all", "*navigable"})
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog",
            "id": issue_id,
            "self": f"{self.base_url}{API}/issue/{issue_id}",
            "key": key,
            "fields": {name: v for name, v in stored.items() if every or name in wanted},
        }

    def _validate(self, fields: JSON) -> tuple[_Project | None, dict[str, str]]:
        errors: dict[str, str] = {}
        project = self._project_of(fields.get("project"), errors)
        if project is not None:
            for name in fields:
                if name not in project.screen:
                    errors[name] = (
                        f"Field '{name}' cannot be set. It is not on the appropriate screen, "
                        "or unknown."
                    )
            self._check_issue_type(project, fields.get("issuetype"), errors)
        summary = fields.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > SUMMARY_MAX:
            errors["summary"] = "Summary must be less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        description = fields.get("description")
        if description is not None and not isinstance(description, str):
            errors["description"] = "Operation value must be a string"
        _check_labels(fields.get("labels"), errors)
        due = fields.get("duedate")
        if due is not None and not _is_date(due):
            errors["duedate"] = f"Error parsing date string: {due}"
        assignee = fields.get("assignee")
        if assignee is not None and not (
            isinstance(assignee, dict) and {"accountId", "id", "name"} & assignee.keys()
        ):
            errors["assignee"] = "Could not find valid 'accountId' in assignee object."  # guess
        return project, errors

    def _project_of(self, value: object, errors: dict[str, str]) -> _Project | None:
        if not isinstance(value, dict) or not ({"key", "id"} & value.keys()):
            errors["project"] = "project is required"
            return None
        project = self._find_project(str(value.get("key") or value.get("id")))
        if project is None:
            errors["project"] = "Specify a valid project ID or key"
        return project

    def _check_issue_type(self, project: _Project, value: object, errors: dict[str, str]) -> None:
        if not isinstance(value, dict) or not ({"name", "id"} & value.keys()):
            errors["issuetype"] = "Specify an issue type"
            return
        ids = {self._issue_types[name]: name for name in project.issue_types}
        name = value.get("name") if "name" in value else ids.get(str(value.get("id")))
        if name not in project.issue_types:
            errors["issuetype"] = "The issue type selected is invalid."

    def _find_project(self, id_or_key: str) -> _Project | None:
        if id_or_key in self._projects:
            return self._projects[id_or_key]
        return next((p for p in self._projects.values() if p.id == id_or_key), None)

    def _stored_fields(self, project: _Project, fields: JSON) -> JSON:
        issue_type = fields["issuetype"]
        type_name = issue_type.get("name") or next(
            n for n, i in self._issue_types.items() if i == str(issue_type.get("id"))
        )
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        return {
            "project": self._project_json(project),
            "issuetype": self._issue_type_json(type_name),
            "summary": fields["summary"],
            "description": fields.get("description"),
            "labels": list(fields.get("labels") or []),
            "duedate": fields.get("duedate"),
            "assignee": fields.get("assignee"),
            "reporter": self._reporter(),
            "status": {"name": "To Do", "statusCategory": {"key": "new", "name": "To Do"}},
            "created": now,
            "updated": now,
        }

    def _project_json(self, project: _Project) -> JSON:
        return {
            "self": f"{self.base_url}{API}/project/{project.id}",
            "id": project.id,
            "key": project.key,
            "name": project.name,
            "projectTypeKey": "software",
            "simplified": False,
        }

    def _issue_type_json(self, name: str) -> JSON:
        type_id = self._issue_types[name]
        return {
            "self": f"{self.base_url}{API}/issuetype/{type_id}",
            "id": type_id,
            "name": name,
            "description": f"A {name.lower()}.",
            "subtask": False,
            "hierarchyLevel": 1 if name == "Epic" else 0,
        }

    def _reporter(self) -> JSON:
        return {
            "self": f"{self.base_url}{API}/user?accountId=5b10a2844c20165700ede21g",
            "accountId": "5b10a2844c20165700ede21g",
            "emailAddress": self.user,
            "displayName": "OpsGuard",
            "accountType": "atlassian",
        }


def _check_labels(labels: object, errors: dict[str, str]) -> None:
    if labels is None:
        return
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        errors["labels"] = "Operation value must be a string"  # guess
        return
    for label in labels:
        if not label:
            errors["labels"] = "A label cannot be empty."  # guess
            return
        if any(ch.isspace() for ch in label):
            errors["labels"] = f"The label '{label}' contains spaces which is invalid."  # guess
            return
        if len(label) > SUMMARY_MAX:
            errors["labels"] = "The label must not exceed 255 characters."  # guess
            return


def _field_json(field_id: str, name: str, clauses: list[str], kind: str | None) -> JSON:
    field: JSON = {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": False,
        "orderable": kind is not None,
        "navigable": True,
        "searchable": True,
        "clauseNames": clauses,
    }
    if kind is not None:
        field["schema"] = {"type": kind, "system": field_id}
    return field


def _jql_labels(jql: str) -> set[str] | None:
    """The labels ``labels = x`` / ``labels in (x, y)`` asks for; None for any other JQL."""
    match = _JQL_LABELS_EQ.fullmatch(jql) or _JQL_LABELS_IN.fullmatch(jql)
    if match is None:
        return None
    return {_jql_unquote(value) for value in re.findall(_JQL_VALUE, match.group(1))}


def _jql_unquote(value: str) -> str:
    if value[:1] in {'"', "'"}:
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _page_token(jql: str, start: int) -> str:
    raw = json.dumps({"jql": jql, "start": start}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _page_start(token: str, jql: str) -> int | None:
    """Where the page ``token`` starts; None for a token not handed out for ``jql``."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(state, dict) or state.get("jql") != jql:
        return None
    start = state.get("start")
    return start if isinstance(start, int) and start >= 0 else None


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == len("YYYY-MM-DD")


def _error(status: int, messages: list[str], errors: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"errorMessages": messages, "errors": errors or {}}, status=status)


def _parse(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError:
        return None
