"""FakeJira answers like Jira Cloud's v2 API for the real client, and its knobs work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from jira import JIRA, JIRAError

from fakes.jira import API, NOT_AUTHENTICATED, FakeJira

TASK = {"project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Add an alert"}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post_issue(
    jira: FakeJira, http: aiohttp.ClientSession, fields: object, *, token: str | None = None
) -> tuple[int, dict[str, Any]]:
    url = jira.base_url + API + "/issue"
    async with http.post(url, json={"fields": fields}, headers=basic(jira, token)) as response:
        return response.status, await response.json()


def basic(jira: FakeJira, token: str | None = None) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(jira.user, token or jira.token)}


def client(jira: FakeJira, token: str | None = None) -> JIRA:
    return JIRA(server=jira.base_url, basic_auth=(jira.user, token or jira.token), max_retries=0)


# -- the real client ----------------------------------------------------------


async def test_real_client_files_with_project_and_type_as_objects(jira: FakeJira) -> None:
    def file() -> str:
        fields = TASK | {"labels": ["opsguard"], "duedate": "2026-12-01", "description": "Why"}
        return str(client(jira).create_issue(fields=fields, prefetch=False).key)

    key = await asyncio.to_thread(file)

    assert key == "OPS-1"
    issue = jira.issues["OPS-1"]
    assert issue["summary"] == "Add an alert"
    assert issue["labels"] == ["opsguard"]
    assert issue["duedate"] == "2026-12-01"
    assert issue["description"] == "Why"
    assert issue["issuetype"]["name"] == "Task"
    assert [(c.method, c.path) for c in jira.calls] == [
        ("GET", API + "/serverInfo"),
        ("POST", API + "/issue"),
    ]


async def test_real_client_looks_up_project_key_and_type_name_strings(jira: FakeJira) -> None:
    def file() -> tuple[str, str, str]:
        issue = client(jira).create_issue(project="OPS", issuetype="Bug", summary="Flaky probe")
        return issue.key, issue.fields.summary, issue.fields.issuetype.name

    assert await asyncio.to_thread(file) == ("OPS-1", "Flaky probe", "Bug")
    paths = [c.path for c in jira.calls]
    assert API + "/project/OPS" in paths
    assert API + "/issue/OPS-1" in paths  # prefetch reads the new issue back


async def test_real_client_type_name_without_project_lookup_uses_issue_types(
    jira: FakeJira,
) -> None:
    def file() -> str:
        fields = {"project": {"key": "OPS"}, "issuetype": "Story", "summary": "s"}
        return str(client(jira).create_issue(fields=fields, prefetch=False).key)

    assert await asyncio.to_thread(file) == "OPS-1"
    assert jira.calls_to("GET", "/issuetype")
    assert jira.issues["OPS-1"]["issuetype"]["name"] == "Story"


async def test_real_client_reports_a_wrong_token(jira: FakeJira) -> None:
    with pytest.raises(JIRAError) as caught:
        await asyncio.to_thread(client, jira, "wrong")

    assert caught.value.status_code == 401
    assert caught.value.text == NOT_AUTHENTICATED


# -- auth ---------------------------------------------------------------------


async def test_wrong_or_missing_credentials_get_jira_401(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    status, body = await post_issue(jira, http, TASK, token="wrong")
    assert (status, body) == (401, {"errorMessages": [NOT_AUTHENTICATED], "errors": {}})

    async with http.get(jira.base_url + API + "/project/OPS") as response:
        assert response.status == 401
        assert response.headers["X-Seraph-LoginReason"] == "AUTHENTICATED_FAILED"
    assert jira.issues == {}


async def test_server_info_is_anonymous_but_refuses_bad_credentials(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    async with http.get(jira.base_url + API + "/serverInfo") as response:
        assert response.status == 200
        assert (await response.json())["deploymentType"] == "Cloud"
    bad = basic(jira, "wrong")
    async with http.get(jira.base_url + API + "/serverInfo", headers=bad) as response:
        assert response.status == 401


# -- validation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"project": {"key": "NOPE"}}, "project", "Specify a valid project ID or key"),
        ({"project": None}, "project", "project is required"),
        ({"issuetype": {"name": "Incident"}}, "issuetype", "The issue type selected is invalid."),
        ({"issuetype": None}, "issuetype", "Specify an issue type"),
        ({"summary": "x" * 256}, "summary", "Summary must be less than 255 characters."),
        ({"summary": " "}, "summary", "You must specify a summary of the issue."),
        (
            {"summary": "two\nlines"},
            "summary",
            "The summary is invalid because it contains newline characters.",
        ),
        ({"duedate": "01/12/2026"}, "duedate", "Error parsing date string: 01/12/2026"),
        ({"description": {"type": "doc"}}, "description", "Operation value must be a string"),
        (
            {"labels": ["inc 42"]},
            "labels",
            "The label 'inc 42' contains spaces which is invalid.",
        ),
        (
            {"customfield_1": "x"},
            "customfield_1",
            "Field 'customfield_1' cannot be set. It is not on the appropriate screen, or unknown.",
        ),
    ],
)
async def test_invalid_fields_get_jira_400(
    jira: FakeJira,
    http: aiohttp.ClientSession,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    fields = {k: v for k, v in (TASK | change).items() if v is not None}

    status, body = await post_issue(jira, http, fields)

    assert (status, body) == (400, {"errorMessages": [], "errors": {field: message}})
    assert jira.issues == {}


async def test_summary_of_255_is_fine_and_errors_are_collected(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    status, _ = await post_issue(jira, http, TASK | {"summary": "x" * 255})
    assert status == 201

    status, body = await post_issue(jira, http, {"project": {"key": "NOPE"}, "summary": ""})
    assert status == 400
    assert set(body["errors"]) == {"project", "summary"}


async def test_fields_off_the_create_screen_are_refused(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    jira.add_project("LEAN", screen={"description"}, issue_types=["Task"])

    status, body = await post_issue(
        jira, http, TASK | {"project": {"key": "LEAN"}, "duedate": "2026-12-01"}
    )

    assert status == 400
    assert list(body["errors"]) == ["duedate"]


async def test_keys_count_per_project_and_issues_read_back(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    jira.add_project("SRE")
    keys = [
        (await post_issue(jira, http, TASK | {"project": {"key": key}}))[1]["key"]
        for key in ("OPS", "SRE", "OPS")
    ]
    assert keys == ["OPS-1", "SRE-1", "OPS-2"]

    auth = basic(jira)
    async with http.get(jira.base_url + API + "/issue/SRE-1", headers=auth) as response:
        body = await response.json()
    assert body["key"] == "SRE-1"
    assert body["fields"]["project"]["key"] == "SRE"
    async with http.get(jira.base_url + API + f"/issue/{body['id']}", headers=auth) as response:
        assert (await response.json())["key"] == "SRE-1"
    async with http.get(jira.base_url + API + "/issue/OPS-9", headers=auth) as response:
        assert response.status == 404
        assert (await response.json())["errorMessages"]


# -- knobs --------------------------------------------------------------------


async def test_down_answers_503_to_everything(jira: FakeJira, http: aiohttp.ClientSession) -> None:
    jira.down = True
    status, body = await post_issue(jira, http, TASK)
    assert status == 503
    assert body["errorMessages"]
    async with http.get(jira.base_url + API + "/serverInfo") as response:
        assert response.status == 503

    jira.down = False
    assert (await post_issue(jira, http, TASK))[0] == 201
    assert list(jira.issues) == ["OPS-1"]


async def test_fail_next_fails_that_many_requests(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    jira.fail_next(2, 429)

    statuses = [(await post_issue(jira, http, TASK))[0] for _ in range(3)]

    assert statuses == [429, 429, 201]
    assert list(jira.issues) == ["OPS-1"]
    with pytest.raises(ValueError):
        jira.fail_next(0)


async def test_latency_delays_answers(jira: FakeJira, http: aiohttp.ClientSession) -> None:
    jira.latency = 5.0
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await post_issue(jira, http, TASK)


# -- search -------------------------------------------------------------------


async def search(
    jira: FakeJira, http: aiohttp.ClientSession, **params: str
) -> tuple[int, dict[str, Any]]:
    url = jira.base_url + API + "/search/jql"
    async with http.get(url, params=params, headers=basic(jira)) as response:
        return response.status, await response.json()


async def labelled(jira: FakeJira, http: aiohttp.ClientSession, *labels: list[str]) -> None:
    for n, issue_labels in enumerate(labels):
        assert (await post_issue(jira, http, TASK | {"labels": issue_labels}))[0] == 201, n


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        ('labels = "item-1"', ["OPS-1"]),
        ("labels=item-2", ["OPS-2", "OPS-3"]),
        ("  LABELS = 'item-2'  ", ["OPS-2", "OPS-3"]),
        ('labels in ("item-1", item-3)', ["OPS-1", "OPS-3"]),
        ("labels IN ('nope')", []),
        ('labels = "ITEM-1"', []),
    ],
)
async def test_search_finds_issues_by_label_in_creation_order(
    jira: FakeJira, http: aiohttp.ClientSession, jql: str, keys: list[str]
) -> None:
    await labelled(jira, http, ["item-1"], ["opsguard", "item-2"], ["item-2", "item-3"])

    status, body = await search(jira, http, jql=jql, fields="summary")

    assert status == 200
    assert [issue["key"] for issue in body["issues"]] == keys
    assert body["isLast"] is True and "nextPageToken" not in body


async def test_search_answers_ids_unless_fields_are_asked_for(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    await labelled(jira, http, ["x"])

    assert (await search(jira, http, jql="labels = x"))[1]["issues"] == [{"id": "10000"}]
    _, body = await search(jira, http, jql="labels = x", fields="summary,labels")
    [issue] = body["issues"]
    assert issue["key"] == "OPS-1"
    assert issue["self"] == f"{jira.base_url}{API}/issue/10000"
    assert issue["fields"] == {"summary": "Add an alert", "labels": ["x"]}
    _, body = await search(jira, http, jql="labels = x", fields="*all")
    assert body["issues"][0]["fields"] == jira.issues["OPS-1"]


async def test_search_pages_with_next_page_tokens(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    await labelled(jira, http, ["x"], ["x"], ["y"], ["x"])

    status, first = await search(jira, http, jql="labels = x", fields="summary", maxResults="2")
    assert status == 200
    assert [i["key"] for i in first["issues"]] == ["OPS-1", "OPS-2"]
    assert first["isLast"] is False
    token = first["nextPageToken"]
    _, last = await search(
        jira, http, jql="labels = x", fields="summary", maxResults="2", nextPageToken=token
    )
    assert [i["key"] for i in last["issues"]] == ["OPS-4"]
    assert last["isLast"] is True and "nextPageToken" not in last

    status, body = await search(jira, http, jql="labels = y", nextPageToken=token)
    assert (status, body["errors"]) == (400, {})
    assert body["errorMessages"]
    assert (await search(jira, http, jql="labels = x", nextPageToken="garbage"))[0] == 400
    assert (await search(jira, http, jql="labels = x", maxResults="0"))[0] == 400


@pytest.mark.parametrize(
    "jql",
    [
        "",
        "project = OPS",
        'labels = "x" AND project = OPS',
        'labels = "x" ORDER BY created',
        "labels ~ x",
        "labels in ()",
        'labels = "unterminated',
    ],
)
async def test_search_refuses_other_jql_with_jiras_400(
    jira: FakeJira, http: aiohttp.ClientSession, jql: str
) -> None:
    status, body = await search(jira, http, jql=jql)

    assert status == 400
    assert body["errors"] == {}
    [message] = body["errorMessages"]
    assert message


async def test_search_needs_credentials(jira: FakeJira, http: aiohttp.ClientSession) -> None:
    url = jira.base_url + API + "/search/jql"
    async with http.get(url, params={"jql": "labels = x"}) as response:
        assert response.status == 401


async def test_real_client_searches_with_the_enhanced_search(jira: FakeJira) -> None:
    def find() -> tuple[list[str], list[str], list[str]]:
        jira_client = client(jira)
        for labels in (["x"], ["y"], ["x"], ["x"]):
            jira_client.create_issue(fields=TASK | {"labels": labels}, prefetch=False)
        found = jira_client.search_issues('labels = "x"', fields=["summary"])
        page = jira_client.enhanced_search_issues(
            "labels in (x, y)", maxResults=3, fields=["summary"], json_result=True
        )
        rest = jira_client.enhanced_search_issues(
            "labels in (x, y)",
            nextPageToken=page["nextPageToken"],
            maxResults=3,
            fields=["summary"],
            json_result=True,
        )
        return (
            [issue.key for issue in found],
            [issue["key"] for issue in page["issues"]],
            [issue["key"] for issue in rest["issues"]],
        )

    assert await asyncio.to_thread(find) == (
        ["OPS-1", "OPS-3", "OPS-4"],
        ["OPS-1", "OPS-2", "OPS-3"],
        ["OPS-4"],
    )
    assert jira.calls_to("GET", "/search") == []
    assert len(jira.calls_to("GET", "/search/jql")) == 3
    assert len(jira.calls_to("GET", "/field")) == 1


async def test_fail_next_can_aim_at_one_path(jira: FakeJira, http: aiohttp.ClientSession) -> None:
    jira.fail_next(1, 502, path="/search/jql")

    assert (await post_issue(jira, http, TASK))[0] == 201
    assert (await search(jira, http, jql="labels = x"))[0] == 502
    assert (await search(jira, http, jql="labels = x"))[0] == 200


async def test_a_request_given_up_on_is_still_acted_on(
    jira: FakeJira, http: aiohttp.ClientSession
) -> None:
    jira.latency = 0.3
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await post_issue(jira, http, TASK)

    call = await jira.wait_for_call("POST", "/issue")

    assert call.status == 201
    assert list(jira.issues) == ["OPS-1"]
    with pytest.raises(TimeoutError, match="POST /issue"):
        await jira.wait_for_call("POST", "/issue", count=2, timeout=0.1)
