"""Read models for `/oncall` and the App Home: who is on call now, next, and this week.

Every answer resolves the config's schedules merged with the stored covers
(bot.domain.oncall.overrides), the same way the escalation engine does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select

from bot.clock import Clock
from bot.config import OpsConfig
from bot.domain.errors import NotFound
from bot.domain.oncall.models import Schedule
from bot.domain.oncall.overrides import effective_schedules
from bot.domain.oncall.resolve import Shift, SourceKind, next_shift_for, shifts
from bot.domain.paging.models import Policy, Target
from storage.db import Database
from storage.models import TeamRotation, UsergroupMember

WEEK = timedelta(days=7)  # what `/oncall <name>` lists
HORIZON = timedelta(days=90)  # how far ahead "on call until" and "next" look


@dataclass(frozen=True)
class Stretch:
    """Who is on call over [start, end); `user` None is a gap. `cover`: set by an override."""

    user: str | None
    start: datetime
    end: datetime
    cover: bool = False


@dataclass(frozen=True)
class ScheduleView:
    name: str
    timezone: str
    stretches: tuple[Stretch, ...]  # tile [now, now + HORIZON), as the resolver cut them

    @property
    def horizon_end(self) -> datetime:
        return self.stretches[-1].end

    @property
    def week(self) -> tuple[Stretch, ...]:
        """The stretches of the next 7 days, the last one cut where the week ends."""
        end = self.stretches[0].start + WEEK
        return tuple(
            Stretch(s.user, s.start, min(s.end, end), s.cover)
            for s in self.stretches
            if s.start < end
        )

    @property
    def now(self) -> Stretch:
        """The current stretch, run on through later stretches of the same person."""
        first = self.stretches[0]
        end = first.end
        for stretch in self.stretches[1:]:
            if stretch.user != first.user:
                break
            end = stretch.end
        return Stretch(first.user, first.start, end, first.cover)

    @property
    def next(self) -> Stretch | None:
        now = self.now
        return next((s for s in self.stretches if s.start >= now.end), None)


@dataclass(frozen=True)
class TargetView:
    """One target of a policy step, and who a page would reach now."""

    target: Target
    users: tuple[str, ...]
    schedule: ScheduleView | None = None


@dataclass(frozen=True)
class ServiceView:
    name: str
    policy: Policy | None
    first: tuple[TargetView, ...]  # the first step: who is paged at once


@dataclass(frozen=True)
class TeamView:
    name: str
    members: tuple[str, ...]
    next_in_turn: str | None  # when a policy pages the team round robin


@dataclass(frozen=True)
class Board:
    services: tuple[ServiceView, ...]
    schedules: tuple[ScheduleView, ...]


@dataclass(frozen=True)
class MyShifts:
    """One schedule the user is in, for the App Home."""

    schedule: str
    on_call_until: datetime | None  # None: not on call now
    until_horizon: bool  # on call for all of HORIZON (the end is not known)
    next: Shift | None


def view(schedule: Schedule, now: datetime) -> ScheduleView:
    end = now + HORIZON
    return ScheduleView(
        schedule.name,
        schedule.timezone,
        tuple(
            Stretch(s.user, s.start, s.end, s.source.kind is SourceKind.OVERRIDE)
            for s in shifts(schedule, now, end)
        ),
    )


def member_of(schedule: Schedule, user: str, now: datetime) -> bool:
    """In one of its layers, or on call in it (a calendar layer, a cover) within HORIZON."""
    if any(user in layer.users for layer in schedule.layers):
        return True
    return any(s.user == user for s in shifts(schedule, now, now + HORIZON))


async def board(db: Database, clock: Clock, config: OpsConfig) -> Board:
    now = clock.now()
    schedules = await effective_schedules(db, config, now)
    views = {name: view(s, now) for name, s in schedules.items()}
    services = [await _service(db, config, s.name, views) for s in config.services]
    return Board(tuple(services), tuple(views.values()))


async def describe(
    db: Database, clock: Clock, config: OpsConfig, name: str
) -> ServiceView | TeamView | ScheduleView:
    """A service, a team or a schedule, looked up in that order."""
    now = clock.now()
    name = name.lower()
    if config.service(name) is not None:
        schedules = await effective_schedules(db, config, now)
        views = {n: view(s, now) for n, s in schedules.items()}
        return await _service(db, config, name, views)
    if (team := config.team(name)) is not None:
        rotations = _round_robin_teams(config)
        turn = await _next_turn(db, team.name, team.members) if team.name in rotations else None
        return TeamView(team.name, team.members, turn)
    if config.schedule(name) is not None:
        return view((await effective_schedules(db, config, now))[name], now)
    raise NotFound(f"Unknown service, team or schedule “{name}”. {valid_names(config)}")


def valid_names(config: OpsConfig) -> str:
    def listed(names: list[str]) -> str:
        return ", ".join(names) or "(none)"

    return (
        f"Services: {listed([s.name for s in config.services])}. "
        f"Teams: {listed([t.name for t in config.teams])}. "
        f"Schedules: {listed([s.name for s in config.schedules])}."
    )


async def my_on_call(db: Database, clock: Clock, config: OpsConfig, user: str) -> list[MyShifts]:
    now = clock.now()
    mine: list[MyShifts] = []
    for name, schedule in (await effective_schedules(db, config, now)).items():
        if not member_of(schedule, user, now):
            continue
        timeline = view(schedule, now)
        current = timeline.now
        on_call = current.user == user
        # While on call, the next shift is the first one after this stretch ends.
        after = current.end if on_call else now
        upcoming = None
        if after < timeline.horizon_end:
            upcoming = next_shift_for(schedule, user, after, within=timeline.horizon_end - after)
        mine.append(
            MyShifts(
                name, current.end if on_call else None, after >= timeline.horizon_end, upcoming
            )
        )
    return mine


async def _service(
    db: Database, config: OpsConfig, name: str, views: dict[str, ScheduleView]
) -> ServiceView:
    service = config.service(name)
    assert service is not None
    policy = config.policy(service.escalation_policy) if service.escalation_policy else None
    if policy is None:
        return ServiceView(service.name, None, ())
    targets: list[TargetView] = []
    for target in policy.steps[0].targets:
        if target.user:
            targets.append(TargetView(target, (target.user,)))
        elif target.team:
            team = config.team(target.team)
            members = team.members if team else ()
            if target.mode == "round_robin" and members:
                members = (await _next_turn(db, target.team, members),)
            targets.append(TargetView(target, tuple(members)))
        elif target.schedule:
            shown = views[target.schedule]
            who = shown.now.user
            targets.append(TargetView(target, (who,) if who else (), shown))
        else:
            targets.append(TargetView(target, await _usergroup(db, target.usergroup or "")))
    return ServiceView(service.name, policy, tuple(targets))


def _round_robin_teams(config: OpsConfig) -> set[str]:
    return {
        target.team
        for policy in config.escalation_policies
        for step in policy.steps
        for target in step.targets
        if target.team and target.mode == "round_robin"
    }


async def _next_turn(db: Database, team: str, members: tuple[str, ...]) -> str:
    """Who the next round-robin page of the team goes to (read only; paging advances it)."""
    async with db.session() as session:
        rotation = await session.get(TeamRotation, team)
    return members[(rotation.next_index if rotation else 0) % len(members)]


async def _usergroup(db: Database, usergroup: str) -> tuple[str, ...]:
    async with db.session() as session:
        rows = await session.exec(
            select(UsergroupMember.user_id).where(UsergroupMember.usergroup_id == usergroup)
        )
        return tuple(rows.all())
