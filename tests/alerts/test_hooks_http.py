"""The alert endpoints over real HTTP: auth, shapes, answers, limits, and fuzzing."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.runtime import OpsGuard
from fakes.clock import FakeClock
from fakes.slack import FakeSlack
from storage.models import AlertGroup, Incident
from tests.alerts.conftest import TOKENS, intake_config
from tests.alerts.payload_samples import alertmanager, grafana, pagerduty
from tests.conftest import make_settings

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


async def post(
    guard: OpsGuard, path: str, body: Any, *, token: str | None = None, raw: bytes | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = raw if raw is not None else json.dumps(body).encode()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{guard.url}{path}", data=data, headers=headers) as response,
    ):
        text = await response.text()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = {"text": text}
        return response.status, parsed, dict(response.headers)


async def counts(guard: OpsGuard) -> tuple[int, int]:
    async with guard.deps.db.session() as session:
        groups = (await session.exec(select(func.count()).select_from(AlertGroup))).one()
        incidents = (await session.exec(select(func.count()).select_from(Incident))).one()
    return groups, incidents


async def test_alertmanager_opens_one_incident_and_war_room(
    guard: OpsGuard, slack: FakeSlack
) -> None:
    status, body, _ = await post(
        guard, "/hooks/alertmanager", alertmanager(), token=TOKENS["alertmanager"]
    )
    assert (status, body["groups"]) == (202, 1)
    status, _, _ = await post(guard, "/hooks/alertmanager?token=am-secret", alertmanager())
    assert status == 202
    assert await counts(guard) == (1, 1)
    call = await slack.wait_for_call("conversations.create")  # SEV1 (critical): a war room
    assert call.args["name"].startswith("inc-1-checkout-5xx-above-5")


async def test_grafana_and_generic_shapes(guard: OpsGuard) -> None:
    status, _, _ = await post(guard, "/hooks/grafana", grafana(), token=TOKENS["grafana"])
    assert status == 202
    generic = {
        "summary": "Queue backlog",
        "severity": "warning",
        "source": "worker",
        "links": [{"href": "https://example.com/q", "text": "Queue"}],
    }
    status, _, _ = await post(guard, "/hooks/generic", generic, token=TOKENS["generic"])
    assert status == 202
    assert await counts(guard) == (2, 2)


async def test_pagerduty_answers_like_pagerduty(guard: OpsGuard) -> None:
    status, body, _ = await post(guard, "/v2/enqueue", pagerduty())
    assert (status, body) == (
        202,
        {"status": "success", "message": "Event processed", "dedup_key": "disk-full-db1"},
    )
    status, body, _ = await post(guard, "/v2/enqueue", pagerduty(dedup_key=None))
    assert status == 202 and len(body["dedup_key"]) == 32  # generated on trigger
    status, body, _ = await post(guard, "/v2/enqueue", pagerduty(key="nope"))
    assert status == 400 and body["status"] == "invalid event"
    assert body["errors"] == ["routing_key: unknown routing key"]
    status, body, _ = await post(guard, "/v2/enqueue", pagerduty("resolve", dedup_key=None))
    assert status == 400 and body["errors"] == ["dedup_key: Field required for resolve"]
    bad = pagerduty() | {"payload": {"summary": "x" * 1025, "source": "s", "severity": "loud"}}
    status, body, _ = await post(guard, "/v2/enqueue", bad)
    assert status == 400
    assert {e.split(":")[0] for e in body["errors"]} == {"payload.summary", "payload.severity"}


async def test_bad_input_is_a_clear_4xx_and_stores_nothing(guard: OpsGuard) -> None:
    token = TOKENS["alertmanager"]
    assert (await post(guard, "/hooks/alertmanager", alertmanager()))[0] == 401
    assert (await post(guard, "/hooks/alertmanager", alertmanager(), token="wrong"))[0] == 401
    status, body, _ = await post(guard, "/hooks/alertmanager", None, token=token, raw=b"{nope")
    assert status == 400 and body["errors"][0].startswith("body: not valid JSON")
    wrong = alertmanager() | {"alerts": [{"status": "burning", "labels": {"a": 1}}]}
    status, body, _ = await post(guard, "/hooks/alertmanager", wrong, token=token)
    assert status == 400
    assert "alerts.0.status: Input should be 'firing' or 'resolved'" in body["errors"]
    status, _, _ = await post(
        guard,
        "/hooks/alertmanager",
        None,
        token=token,
        raw=b'{"x": "' + b"a" * (1024 * 1024) + b'"}',
    )
    assert status == 413
    assert await counts(guard) == (0, 0)


async def test_rate_limit_answers_429_with_retry_after(slack: FakeSlack, database_url: str) -> None:
    config = make_settings(
        slack_bot_token=slack.bot_token,
        slack_signing_secret="s",
        slack_api_url=slack.api_url,
        database_url=database_url,
    )
    limited = OpsGuard(config, intake_config(rate_limit=2), clock=FakeClock())
    await limited.start(host="127.0.0.1", port=0, scheduler=False)
    try:
        answers = [
            await post(limited, "/hooks/alertmanager", alertmanager(), token=TOKENS["alertmanager"])
            for _ in range(3)
        ]
    finally:
        await limited.stop()
    assert [status for status, _, _ in answers] == [202, 202, 429]
    assert int(answers[-1][2]["Retry-After"]) >= 1


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=json_values,
    path=st.sampled_from(
        ["/hooks/alertmanager", "/hooks/grafana", "/hooks/generic", "/v2/enqueue"]
    ),
)
async def test_any_json_gets_2xx_or_4xx(guard: OpsGuard, body: Any, path: str) -> None:
    token = TOKENS.get(path.rsplit("/", 1)[-1])
    status, _, _ = await post(guard, path, body, token=token)
    assert 200 <= status < 500, status


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    alert=st.fixed_dictionaries(
        {
            "status": st.sampled_from(["firing", "resolved"]),
            "labels": st.dictionaries(st.text(max_size=20), st.text(max_size=50), max_size=5),
            "annotations": st.dictionaries(st.text(max_size=20), st.text(max_size=300), max_size=3),
            "fingerprint": st.text(max_size=300),
            "startsAt": st.sampled_from(["2026-11-23T09:00:00Z", "2026-11-23T09:00:00", "bad"]),
        }
    ),
    key=st.text(max_size=400),
)
async def test_alertmanager_shaped_fuzz_never_500(
    guard: OpsGuard, alert: dict[str, Any], key: str
) -> None:
    body = alertmanager(group_key=key, alerts=[alert])
    status, _, _ = await post(guard, "/hooks/alertmanager", body, token=TOKENS["alertmanager"])
    assert status in (202, 400), status


async def test_command_center_lists_the_alerts_with_links(
    guard: OpsGuard, slack: FakeSlack
) -> None:
    body = grafana()
    body["alerts"][0]["annotations"]["summary"] = "<!channel> checkout down"
    await post(guard, "/hooks/grafana", body, token=TOKENS["grafana"])
    call = await slack.wait_for_call("pins.add")
    center = next(m for m in slack.messages(call.args["channel"]) if m.ts == call.args["timestamp"])
    text = json.dumps(center.blocks)
    mrkdwn = [t for t in _texts(center.blocks) if t["type"] == "mrkdwn"]
    assert any("&lt;!channel&gt; checkout down" in t["text"] for t in mrkdwn)
    assert not any("<!channel>" in t["text"] for t in mrkdwn)
    assert "<http://grafana.example/d/abc|Dashboard>" in text
    assert "<http://prometheus.example:9090/graph?g0.expr=errors|Source>" in text


def _texts(node: Any) -> list[dict[str, Any]]:
    """Every text object in a block tree."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if isinstance(node, dict):
        own = [node] if node.get("type") in ("mrkdwn", "plain_text") else []
        return own + [t for value in node.values() for t in _texts(value)]
    return []
