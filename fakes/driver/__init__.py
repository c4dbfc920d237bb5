"""Send a Slack app (a Bolt ``AsyncApp``) the requests Slack itself would send.

    async with SlackDriver(fake, app_url=url, signing_secret=secret) as driver:
        await driver.command("/incident", "declare db down", user=alice.id, channel=ops.id)
        await driver.click("ack", user=alice.id, channel=ops.id)
        await driver.reaction_added(user=bob.id, channel=ops.id, ts=ts, emoji="eyes")

User actions on messages (``reaction_added``/``reaction_removed``, ``pin_added``/
``pin_removed``, ``edit_message``, ``message(..., files=...)``) change the fake first, then
deliver the event Slack sends for them.

``fake`` is a ``fakes.slack.FakeSlack``; use ``transport="socket"`` (no url/secret) to
deliver through the fake's Socket Mode instead of signed HTTP.
"""

from fakes.driver._blocks import rich_text
from fakes.driver._driver import SlackDriver
from fakes.driver._transport import NO_ACK, SLACK_USER_AGENT, DriverResponse, Transport
from fakes.driver.errors import ElementNotFoundError, SlackDriverError

__all__ = [
    "NO_ACK",
    "SLACK_USER_AGENT",
    "DriverResponse",
    "ElementNotFoundError",
    "SlackDriver",
    "SlackDriverError",
    "Transport",
    "rich_text",
]
