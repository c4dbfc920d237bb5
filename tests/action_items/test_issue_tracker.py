"""IssueTracker: the real jira client against FakeJira, every failure in plain words."""

from __future__ import annotations

import socket
from datetime import date

import pytest

from bot.issue_tracker import FiledIssue, IssueTracker, TrackerError
from fakes.jira import API, FakeJira
from tests.action_items.conftest import tracker_for


async def file(tracker: IssueTracker, summary: str = "Add an alert") -> FiledIssue:
    return await tracker.file_issue(
        summary=summary,
        description="From INC-1",
        labels=["opsguard", "opsguard-inc-1"],
        due_date=date(2026, 12, 1),
    )


async def test_files_an_issue_and_returns_its_browse_url(
    jira: FakeJira, tracker: IssueTracker
) -> None:
    filed = await file(tracker)

    assert filed == FiledIssue(key="OPS-1", url=f"{jira.base_url}/browse/OPS-1")
    issue = jira.issues["OPS-1"]
    assert issue["issuetype"]["name"] == "Task"
    assert issue["labels"] == ["opsguard", "opsguard-inc-1"]
    assert issue["duedate"] == "2026-12-01"
    assert issue["description"] == "From INC-1"


async def test_client_is_built_on_first_use_and_kept(jira: FakeJira, tracker: IssueTracker) -> None:
    assert jira.calls == []

    await file(tracker)
    await file(tracker)

    assert len(jira.calls_to("GET", "/serverInfo")) == 1
    assert len(jira.calls_to("POST", "/issue")) == 2


async def test_summary_is_cut_to_jiras_limit(jira: FakeJira, tracker: IssueTracker) -> None:
    await file(tracker, summary="x" * 300)

    assert len(jira.issues["OPS-1"]["summary"]) == 255


async def test_field_errors_name_the_field(jira: FakeJira) -> None:
    tracker = tracker_for(jira, jira_project="NOPE")

    with pytest.raises(TrackerError) as caught:
        await file(tracker)

    assert str(caught.value) == "Jira answered 400: project: Specify a valid project ID or key"
    assert caught.value.status == 400
    assert not caught.value.unreachable


async def test_unknown_issue_type(jira: FakeJira) -> None:
    with pytest.raises(TrackerError, match="issuetype: The issue type selected is invalid"):
        await file(tracker_for(jira, jira_issue_type="Incident"))


async def test_optional_fields_missing_from_the_screen_are_dropped(jira: FakeJira) -> None:
    jira.add_project("LEAN", screen={"description"})

    filed = await file(tracker_for(jira, jira_project="LEAN"))

    assert filed.key == "LEAN-1"
    assert jira.issues["LEAN-1"]["duedate"] is None
    assert jira.issues["LEAN-1"]["labels"] == []
    assert jira.issues["LEAN-1"]["description"] == "From INC-1"


async def test_wrong_token(jira: FakeJira) -> None:
    with pytest.raises(TrackerError) as caught:
        await file(tracker_for(jira, jira_api_token="wrong"))

    assert str(caught.value) == (
        "Jira answered 401: You are not authenticated. "
        "Authentication required to perform this operation."
    )


async def test_down_then_back(jira: FakeJira, tracker: IssueTracker) -> None:
    jira.down = True
    with pytest.raises(TrackerError, match=r"^Jira answered 503: Service Unavailable$"):
        await file(tracker)

    jira.down = False
    assert (await file(tracker)).key == "OPS-1"


async def test_server_error_once_is_not_retried_by_the_client(
    jira: FakeJira, tracker: IssueTracker
) -> None:
    await file(tracker)
    jira.fail_next(1, 503)

    with pytest.raises(TrackerError, match="Jira answered 503"):
        await file(tracker)

    assert len(jira.calls_to("POST", "/issue")) == 2  # max_retries=0: we retry, not the client
    assert (await file(tracker)).key == "OPS-2"


async def test_nobody_listening_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with FakeJira() as jira:
        tracker = tracker_for(jira, jira_url=f"http://127.0.0.1:{port}")

    with pytest.raises(TrackerError) as caught:
        await file(tracker)

    assert str(caught.value).startswith("Jira unreachable: ")
    assert "Connection refused" in str(caught.value)
    assert caught.value.unreachable


async def test_slow_jira_times_out(jira: FakeJira) -> None:
    tracker = tracker_for(jira, timeout_s=0.2)
    await file(tracker)  # the client exists; now the POST itself is slow
    jira.latency = 2.0

    with pytest.raises(TrackerError) as caught:
        await file(tracker)

    assert str(caught.value) == "Jira did not answer within 0.2 s"
    assert caught.value.unreachable


async def test_failed_first_contact_is_tried_again_next_time(
    jira: FakeJira, tracker: IssueTracker
) -> None:
    jira.fail_next(1, 502)

    with pytest.raises(TrackerError, match="Jira answered 502: Fake failure"):
        await file(tracker)
    assert [c.path for c in jira.calls] == [API + "/serverInfo"]

    assert (await file(tracker)).key == "OPS-1"


# -- finding an earlier filing ------------------------------------------------


async def test_finds_the_issue_with_a_label(jira: FakeJira, tracker: IssueTracker) -> None:
    await file(tracker)
    await tracker.file_issue(summary="Other", description="", labels=["opsguard-item-7"])

    found = await tracker.find_issue("opsguard-item-7")

    assert found == FiledIssue(key="OPS-2", url=f"{jira.base_url}/browse/OPS-2")
    [search] = jira.calls_to("GET", "/search/jql")
    assert search.status == 200
    assert search.query == {
        "jql": 'labels = "opsguard-item-7"',
        "fields": "summary",
        "maxResults": "1",
    }


async def test_a_label_on_no_issue_is_none(jira: FakeJira, tracker: IssueTracker) -> None:
    await file(tracker)

    assert await tracker.find_issue("opsguard-item-1") is None
    assert await tracker.find_issue('odd"label\\') is None  # quoted, not JQL

    assert len(jira.calls_to("GET", "/field")) == 1  # the client's field names, read once
    assert len(jira.calls_to("GET", "/search/jql")) == 2


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "Jira answered 400: Fake failure (400)"),
        (410, "Jira answered 410: Fake failure (410)"),
        (503, "Jira answered 503: Fake failure (503)"),
    ],
)
async def test_a_failed_search_raises(
    jira: FakeJira, tracker: IssueTracker, status: int, message: str
) -> None:
    await file(tracker, "x")
    jira.fail_next(1, status, path="/search/jql")

    with pytest.raises(TrackerError) as caught:
        await tracker.find_issue("opsguard-item-1")

    assert (str(caught.value), caught.value.status) == (message, status)


async def test_a_search_answer_without_issues_is_no_answer(
    jira: FakeJira, tracker: IssueTracker
) -> None:
    await file(tracker, "x")
    jira.fail_next(1, 200, path="/search/jql")  # a 200 that holds Jira's error JSON

    with pytest.raises(TrackerError, match=r"^Jira sent an unexpected answer \(ValueError\)$"):
        await tracker.find_issue("opsguard-item-1")


async def test_a_search_nobody_answers_is_unreachable(jira: FakeJira) -> None:
    tracker = tracker_for(jira, timeout_s=0.2)
    await tracker.find_issue("warm")  # the client exists; now the search itself is slow
    jira.latency = 2.0

    with pytest.raises(TrackerError) as caught:
        await tracker.find_issue("opsguard-item-1")

    assert str(caught.value) == "Jira did not answer within 0.2 s"
    assert caught.value.unreachable
