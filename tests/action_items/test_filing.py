"""Filing due action items in Jira: the runner, the real client and FakeJira, both databases."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.action_items import FilingRun, file_due_action_items, summary_for
from bot.domain.postmortem import action_items as ai
from bot.domain.postmortem.action_items import ItemInput
from bot.issue_tracker import FiledIssue, IssueTracker, TrackerError
from fakes.clock import FakeClock
from fakes.jira import FakeJira
from storage.db import Database
from storage.models import ActionItem, Incident, JiraStatus, User
from tests.action_items.conftest import declare, tracker_for


class Links:
    """A link per incident, counting how often it was asked for."""

    def __init__(self, *, fail: bool = False) -> None:
        self.asked: list[int] = []
        self.fail = fail

    async def __call__(self, incident: Incident) -> str | None:
        self.asked.append(incident.number)
        if self.fail:
            raise RuntimeError("Slack is down")
        return f"https://example.slack.com/archives/C{incident.number}"


async def items_of(db: Database) -> list[ActionItem]:
    async with db.session() as session:
        return list((await session.exec(select(ActionItem).order_by(col(ActionItem.id)))).all())


async def add_items(
    db: Database, clock: FakeClock, incident: Incident, *texts: str, owner: str | None = None
) -> None:
    assert incident.id is not None
    inputs = [ItemInput(t, owner=owner, due_date=date(2026, 12, 1)) for t in texts]
    async with db.transaction() as session:
        existing = (
            await session.exec(select(ActionItem).where(ActionItem.incident_id == incident.id))
        ).all()
        keep = [ItemInput(i.text, i.owner, i.due_date, id=i.id) for i in existing]
        await ai.save_items(session, incident.id, keep + inputs, "U1", clock.now(), True)


async def test_files_each_due_item_once_with_context(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock, "Checkout is down")
    async with db.transaction() as session:
        session.add(User(id="U2", name="bob", real_name="Bob Smith", fetched_at=clock.now()))
    await add_items(db, clock, incident, "Add a canary\nfor the checkout flow", owner="U2")
    await add_items(db, clock, incident, "Page on error budget burn")
    links = Links()

    run = await file_due_action_items(db, clock, tracker, links)

    assert run == FilingRun(filed=2, failed=0)
    assert links.asked == [incident.number]
    first, second = await items_of(db)
    assert (first.jira_status, first.jira_key, first.jira_error) == (
        JiraStatus.FILED,
        "OPS-1",
        None,
    )
    assert first.jira_url == f"{jira.base_url}/browse/OPS-1"
    assert second.jira_key == "OPS-2"
    issue = jira.issues["OPS-1"]
    assert issue["summary"] == "Add a canary for the checkout flow"
    assert issue["labels"] == [
        "opsguard",
        f"opsguard-inc-{incident.number}",
        f"opsguard-inc-{incident.number}-item-{first.id}",
    ]
    assert jira.issues["OPS-2"]["labels"][-1] == f"opsguard-inc-{incident.number}-item-{second.id}"
    assert jira.calls_to("GET", "/search/jql") == []  # a first attempt has nothing to find
    assert issue["duedate"] == "2026-12-01"
    description = issue["description"]
    assert f"INC-{incident.number}: Checkout is down" in description
    assert "Owner: Bob Smith" in description
    assert "Service: api" in description
    assert f"https://example.slack.com/archives/C{incident.number}" in description
    assert description.endswith("Add a canary\nfor the checkout flow")

    assert await file_due_action_items(db, clock, tracker, links) == FilingRun()
    assert len(jira.calls_to("POST", "/issue")) == 2


async def test_jira_down_keeps_items_pending_then_files_them_once_back(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a", "b")
    jira.down = True

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=2)

    for item in await items_of(db):
        assert item.jira_status == JiraStatus.PENDING
        assert item.jira_key is None
        assert item.jira_error == "Jira answered 503: Service Unavailable"
        assert item.jira_due_at == clock.now() + timedelta(minutes=1)

    jira.down = False
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun()
    assert jira.issues == {}

    clock.advance(timedelta(minutes=1))
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(filed=2)
    assert len(jira.calls_to("GET", "/search/jql")) == 2  # retries look before they file
    clock.advance(timedelta(hours=2))
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun()

    assert sorted(jira.issues) == ["OPS-1", "OPS-2"]
    items = await items_of(db)
    assert [(i.jira_key, i.jira_status, i.jira_error, i.jira_due_at) for i in items] == [
        ("OPS-1", JiraStatus.FILED, None, None),
        ("OPS-2", JiraStatus.FILED, None, None),
    ]


async def test_a_rejection_keeps_the_item_pending_with_the_field_error(
    db: Database, clock: FakeClock, jira: FakeJira
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")
    tracker = tracker_for(jira, jira_project="NOPE")

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=1)

    [item] = await items_of(db)
    assert item.jira_status == JiraStatus.PENDING
    assert item.jira_error == "Jira answered 400: project: Specify a valid project ID or key"
    assert item.jira_due_at is not None and item.jira_due_at > clock.now()


async def test_one_failing_item_does_not_stop_the_others(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")
    await file_due_action_items(db, clock, tracker, Links())
    await add_items(db, clock, incident, "b", "c")
    jira.fail_next(1, 500)

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(1, 1)

    a, b, c = await items_of(db)
    assert (a.jira_key, b.jira_key, c.jira_key) == ("OPS-1", None, "OPS-2")
    assert b.jira_error == "Jira answered 500: Fake failure (500)"


async def test_no_answer_at_all_fails_the_rest_without_waiting_on_each(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a", "b", "c")
    tracker = Unreachable()

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=3)

    assert tracker.calls == 1
    assert {i.jira_error for i in await items_of(db)} == {"Jira unreachable: refused"}


async def test_an_unexpected_error_is_recorded_and_the_rest_go_on(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a", "b")
    tracker = Buggy()

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(1, 1)

    a, b = await items_of(db)
    assert a.jira_error == "unexpected error filing in Jira (KeyError)"
    assert b.jira_key == "BUG-2"


async def test_a_missing_link_does_not_hold_the_issue_back(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a", "b")
    links = Links(fail=True)

    assert await file_due_action_items(db, clock, tracker, links) == FilingRun(filed=2)

    assert links.asked == [incident.number]
    assert "Incident in Slack" not in jira.issues["OPS-1"]["description"]


async def test_concurrent_runners_never_file_an_item_twice(
    db: Database, clock: FakeClock, jira: FakeJira
) -> None:
    for n in range(3):
        incident = await declare(db, clock, f"Incident {n}")
        await add_items(db, clock, incident, *(f"item {n}.{k}" for k in range(4)))

    runs = await asyncio.gather(
        *(file_due_action_items(db, clock, tracker_for(jira), Links(), limit=5) for _ in range(3))
    )

    assert sum(run.filed for run in runs) == 12
    assert sum(run.failed for run in runs) == 0
    assert len(jira.issues) == 12
    assert sorted(i["summary"] for i in jira.issues.values()) == sorted(
        i.text for i in await items_of(db)
    )
    assert {i.jira_status for i in await items_of(db)} == {JiraStatus.FILED}


async def test_an_issue_filed_by_a_run_that_died_is_recorded_not_filed_again(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")

    with pytest.raises(Crash):
        await file_due_action_items(db, clock, CrashAfterFiling(tracker), Links())
    [item] = await items_of(db)
    assert item.jira_key is None and list(jira.issues) == ["OPS-1"]
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun()  # leased

    clock.advance(ai.LEASE)
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(filed=1)

    [item] = await items_of(db)
    assert (item.jira_status, item.jira_key, item.jira_error, item.jira_due_at) == (
        JiraStatus.FILED,
        "OPS-1",
        None,
        None,
    )
    assert item.jira_url == f"{jira.base_url}/browse/OPS-1"
    assert list(jira.issues) == ["OPS-1"]
    assert len(jira.calls_to("POST", "/issue")) == 1
    [search] = jira.calls_to("GET", "/search/jql")
    assert search.query["jql"] == f'labels = "opsguard-inc-{incident.number}-item-{item.id}"'


async def test_an_issue_jira_created_after_the_timeout_is_found_on_the_retry(
    db: Database, clock: FakeClock, jira: FakeJira
) -> None:
    tracker = tracker_for(jira, timeout_s=0.2)
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(filed=1)
    await add_items(db, clock, incident, "b")
    jira.latency = 1.0  # Jira creates the issue, but answers after the client gave up

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=1)
    _, b = await items_of(db)
    assert (b.jira_key, b.jira_error) == (None, "Jira did not answer within 0.2 s")
    await jira.wait_for_call("POST", "/issue", count=2)
    assert len(jira.issues) == 2

    jira.latency = 0.0
    clock.advance(timedelta(minutes=1))
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(filed=1)

    _, b = await items_of(db)
    assert (b.jira_status, b.jira_key) == (JiraStatus.FILED, "OPS-2")
    assert sorted(jira.issues) == ["OPS-1", "OPS-2"]
    assert len(jira.calls_to("POST", "/issue")) == 2


async def test_a_run_that_outlived_its_lease_leaves_one_issue(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")
    later: list[FilingRun] = []

    async def retry_once_the_lease_is_out() -> None:
        clock.advance(ai.LEASE)
        later.append(await file_due_action_items(db, clock, tracker_for(jira), Links()))

    stalled = StallAfterFiling(tracker, retry_once_the_lease_is_out)
    assert await file_due_action_items(db, clock, stalled, Links()) == FilingRun()

    assert later == [FilingRun(filed=1)]
    [item] = await items_of(db)
    assert (item.jira_status, item.jira_key) == (JiraStatus.FILED, "OPS-1")
    assert list(jira.issues) == ["OPS-1"]


async def test_a_failed_search_is_a_failed_attempt_never_a_miss(
    db: Database, clock: FakeClock, jira: FakeJira, tracker: IssueTracker
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a")
    jira.fail_next(1, 500, path="/issue")
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=1)
    clock.advance(timedelta(minutes=1))
    jira.fail_next(1, 502, path="/search/jql")

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=1)

    [item] = await items_of(db)
    assert (item.jira_status, item.jira_key) == (JiraStatus.PENDING, None)
    assert item.jira_error == "Jira answered 502: Fake failure (502)"
    assert item.jira_due_at == clock.now() + timedelta(minutes=2)
    assert jira.issues == {}
    assert len(jira.calls_to("POST", "/issue")) == 1  # the first attempt's, refused

    clock.advance(timedelta(minutes=2))
    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(filed=1)
    [item] = await items_of(db)
    assert item.jira_key == "OPS-1" and list(jira.issues) == ["OPS-1"]


async def test_an_unreachable_search_fails_the_rest_of_the_batch_at_once(
    db: Database, clock: FakeClock
) -> None:
    incident = await declare(db, clock)
    await add_items(db, clock, incident, "a", "b")
    tracker = Unreachable()
    await file_due_action_items(db, clock, tracker, Links())
    clock.advance(timedelta(minutes=1))

    assert await file_due_action_items(db, clock, tracker, Links()) == FilingRun(failed=2)

    assert tracker.calls == 2  # one per run: the search on the retry, not each item
    assert {i.jira_error for i in await items_of(db)} == {"Jira unreachable: refused"}


def test_summaries_are_one_line_within_jiras_limit() -> None:
    assert summary_for("  Fix\n the   probe ") == "Fix the probe"
    long = summary_for("word " * 100)
    assert len(long) == 255
    assert long.endswith("…")


class Crash(BaseException):
    """The process dying: nothing after it runs, not even ``except Exception``."""


class CrashAfterFiling:
    """Jira files the issue, then the process dies before the key is stored."""

    def __init__(self, tracker: IssueTracker) -> None:
        self.tracker = tracker

    async def find_issue(self, label: str) -> FiledIssue | None:
        return await self.tracker.find_issue(label)

    async def file_issue(
        self, *, summary: str, description: str, labels: list[str], due_date: date | None = None
    ) -> FiledIssue:
        await self.tracker.file_issue(
            summary=summary, description=description, labels=labels, due_date=due_date
        )
        raise Crash


class StallAfterFiling:
    """Jira files the issue, then the worker stalls while ``meanwhile`` runs."""

    def __init__(self, tracker: IssueTracker, meanwhile: Callable[[], Awaitable[None]]) -> None:
        self.tracker = tracker
        self.meanwhile = meanwhile

    async def find_issue(self, label: str) -> FiledIssue | None:
        return await self.tracker.find_issue(label)

    async def file_issue(
        self, *, summary: str, description: str, labels: list[str], due_date: date | None = None
    ) -> FiledIssue:
        issue = await self.tracker.file_issue(
            summary=summary, description=description, labels=labels, due_date=due_date
        )
        await self.meanwhile()
        return issue


class Unreachable:
    def __init__(self) -> None:
        self.calls = 0

    async def find_issue(self, label: str) -> FiledIssue | None:
        self.calls += 1
        raise TrackerError("Jira unreachable: refused")

    async def file_issue(
        self, *, summary: str, description: str, labels: list[str], due_date: date | None = None
    ) -> FiledIssue:
        self.calls += 1
        raise TrackerError("Jira unreachable: refused")


class Buggy:
    def __init__(self) -> None:
        self.calls = 0

    async def find_issue(self, label: str) -> FiledIssue | None:
        raise AssertionError("a first attempt does not search")

    async def file_issue(
        self, *, summary: str, description: str, labels: list[str], due_date: date | None = None
    ) -> FiledIssue:
        self.calls += 1
        if self.calls == 1:
            raise KeyError("oops")
        return FiledIssue(key=f"BUG-{self.calls}", url="https://jira/browse/BUG")
