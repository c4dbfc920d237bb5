"""Properties of feed paths, feed tokens and the cron bearer check (pure functions)."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.oncall.ical import (
    TOKEN_LENGTH,
    FeedKind,
    FeedRef,
    feed_ref,
    feed_token,
    feed_url,
    parse_feed_path,
    token_ok,
)
from handlers.feeds import bearer_ok
from tests.conftest import make_settings

schedule_names = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,79}", fullmatch=True)
user_ids = st.from_regex(r"[UW][A-Z0-9]{2,20}", fullmatch=True)
refs = st.one_of(
    schedule_names.map(lambda n: FeedRef(FeedKind.SCHEDULE, n)),
    user_ids.map(lambda u: FeedRef(FeedKind.USER, u)),
)
secrets = st.text(min_size=16, max_size=64)
path_like = st.one_of(
    st.text(),
    st.builds(
        lambda kind, id, tail: f"/ical/{kind}/{id}{tail}",
        st.sampled_from(["schedules", "users", "schedule", "user", "Users", ""]),
        st.text(max_size=30),
        st.sampled_from([".ics", ".ICS", ".ics/", ".ics\n", "", ".ics.ics"]),
    ),
)


@given(refs)
def test_a_feeds_path_parses_back_to_it(ref: FeedRef) -> None:
    assert parse_feed_path(ref.path) == ref
    assert feed_ref(ref.kind.value, ref.id) == ref


@given(path_like)
def test_any_path_parses_to_a_feed_whose_path_it_is_or_to_none(path: str) -> None:
    ref = parse_feed_path(path)
    assert ref is None or ref.path == path


@given(secrets, refs)
def test_a_feeds_own_token_opens_it(secret: str, ref: FeedRef) -> None:
    token = feed_token(secret, ref.path)
    assert len(token) == TOKEN_LENGTH and set(token) <= set("0123456789abcdef")
    assert token_ok(secret, ref.path, token)


@given(secrets, refs, refs)
def test_a_token_opens_no_other_feed(secret: str, ref: FeedRef, other: FeedRef) -> None:
    assume(ref != other)
    assert not token_ok(secret, other.path, feed_token(secret, ref.path))


@given(secrets, secrets, refs)
def test_a_token_from_another_secret_opens_nothing(secret: str, other: str, ref: FeedRef) -> None:
    assume(secret != other)
    assert not token_ok(secret, ref.path, feed_token(other, ref.path))


@given(secrets, refs, st.one_of(st.none(), st.text()))
def test_any_other_string_is_a_plain_no(secret: str, ref: FeedRef, token: str | None) -> None:
    assume(token != feed_token(secret, ref.path))
    assert token_ok(secret, ref.path, token) is False


@given(refs, secrets)
def test_feed_url_carries_the_feeds_path_and_token(ref: FeedRef, secret: str) -> None:
    settings = SimpleNamespace(base_url="https://opsguard.example.com/", feed_secret=secret)
    url = urlsplit(feed_url(settings, ref.kind.value, ref.id))
    assert (url.scheme, url.netloc) == ("https", "opsguard.example.com")
    assert parse_feed_path(url.path) == ref
    (token,) = parse_qs(url.query)["token"]
    assert token_ok(secret, url.path, token)


def test_feed_url_refuses_when_off_or_for_a_bad_id() -> None:
    off = SimpleNamespace(base_url="https://x", feed_secret="")
    with pytest.raises(ValueError, match="FEED_SECRET is not set"):
        feed_url(off, "schedule", "primary")
    on = SimpleNamespace(base_url="https://x", feed_secret="s" * 16)
    with pytest.raises(ValueError, match="is not a feed kind"):
        feed_url(on, "team", "sre")
    with pytest.raises(ValueError, match="is not a Slack user ID"):
        feed_url(on, "user", "alice")
    with pytest.raises(ValueError, match="is not a schedule name"):
        feed_url(on, "schedule", "../etc/passwd")


@given(st.text(min_size=1).filter(lambda t: t.strip() == t and " " not in t), secrets)
def test_bearer_opens_with_exactly_the_token(token: str, expected: str) -> None:
    assume(expected.strip())
    assert bearer_ok(f"Bearer {expected}", expected)
    assert bearer_ok(f"bearer  {expected} ", expected)
    assert bearer_ok(f"Bearer {token}", expected) == (token == expected.strip())


@given(st.one_of(st.none(), st.text()), secrets)
def test_any_authorization_header_is_checked_without_error(
    header: str | None, expected: str
) -> None:
    assert isinstance(bearer_ok(header, expected), bool)
    assert bearer_ok(header, "") is False


def test_secrets_are_stripped_and_must_be_long_enough() -> None:
    settings = make_settings(feed_secret=" a-long-enough-secret\n", cron_token="")
    assert settings.feed_secret == "a-long-enough-secret"
    for name in ("feed_secret", "cron_token"):
        with pytest.raises(ValidationError, match="must be at least 16 characters"):
            make_settings(**{name: "short"})
