"""A few weeks of action history for the demo, so the inbox, the escalations and the effect report show
something true-looking on the first visit.

Actions are opened on what the dashboard would have flagged: open red flags when the flag engine has stored
some, else the problems the simulation injected on purpose (``SimulationNotes``: the district whose health
indicators worsen, villages and talukas that stop reporting), topped up with follow-ups on a few talukas.
Then the days are replayed one by one, with the workflow's own functions and an injected clock: officers
acknowledge, dashboard staff call and log commitments, some officers report the action taken and another
officer verifies it, one is reopened, and the ones left alone escalate on their own. Finally the effect of
every closed action is measured from the warehouse. Everything is chosen with ``random.Random(42)``.

Posts nobody holds get an officer account (no password, so nobody signs in as them) named after the post,
e.g. ``collector.459`` "District Collector, Surat", so the inbox and the per-officer report have names.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import (
    Action,
    DataElement,
    Department,
    Flag,
    Indicator,
    OrgUnit,
    RoleAssignment,
    User,
)
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.access import ROLES
from govpulse.core.enums import Severity
from govpulse.core.expressions import parse_expression
from govpulse.core.scope import Scope
from govpulse.workflow.actions import Step
from govpulse.workflow.assignment import place_role, resolve_post
from govpulse.workflow.calls import CallLog, log_call
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.effects import refresh_effects
from govpulse.workflow.escalation import run_escalations
from govpulse.workflow.lifecycle import NewAction, open_action, take_step
from govpulse.workflow.notify.dispatch import Notifier

__all__ = ["seed_demo_actions", "DemoActions", "HISTORY_DAYS"]

HISTORY_DAYS = 63
ROLE_OF_KIND = {"state": "secretary", "district": "collector", "taluka": "tdo", "village": "talati",
                "ulb": "commissioner", "ward": "commissioner", "town": "tdo", "school": "principal"}
DASHBOARD = "cmo.staff"  # the CMO account that opens, calls and verifies


@dataclass
class DemoActions:
    opened: int = 0
    closed: int = 0
    escalations: int = 0
    calls: int = 0
    effects_measured: int = 0
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    indicator: str
    org_unit: str
    severity: str
    kind: str
    title: str
    flag_id: int | None = None


@dataclass
class _Script:
    """What happens to one action, in days after it was opened (None: never)."""

    opened_day: int
    acknowledge: int | None
    call: int | None
    report: int | None
    verify: int | None
    reopen: int | None = None
    second_report: int | None = None
    second_verify: int | None = None


def seed_demo_actions(session: Session, warehouse, today: date, *, notes=None, notifier: Notifier | None = None,
                      count: int = 12) -> DemoActions:
    """Write ``count`` actions with their history up to ``today`` and measure their effects (``warehouse`` may
    be None: effects are then measured later by ``govpulse actions``)."""
    rng = random.Random(42)
    clock = _Clock(datetime.combine(today - timedelta(days=HISTORY_DAYS), time(4, 30), tzinfo=UTC))
    ctx = WorkflowContext(session=session, notifier=notifier or Notifier(), clock=clock)
    ctx.notifier.clock = clock
    staff = _dashboard_staff(session)
    targets = _targets(session, notes, rng, count)
    scripts = [_script(i, rng) for i in range(len(targets))]
    summary = DemoActions()
    opened: dict[int, int] = {}
    for day in range(HISTORY_DAYS + 1):
        clock.set(datetime.combine(today - timedelta(days=HISTORY_DAYS - day), time(3, 30), tzinfo=UTC))
        set_actor(session, Actor.system("escalation"))
        summary.escalations += len(run_escalations(ctx).escalations)
        for index, (target, script) in enumerate(zip(targets, scripts)):
            clock.set(datetime.combine(today - timedelta(days=HISTORY_DAYS - day), time(5, 0), tzinfo=UTC)
                      + timedelta(minutes=7 * index))
            if script.opened_day == day:
                opened[index] = _open(ctx, session, staff, target).id
                summary.opened += 1
            elif index in opened:
                summary.calls += _advance(ctx, session, staff, opened[index], day - script.opened_day, script, rng)
    summary.closed = session.scalar(select(func.count()).select_from(Action).where(Action.status == "closed"))
    if warehouse is not None:
        set_actor(session, Actor.system("effect measurement"))
        summary.effects_measured = refresh_effects(session, warehouse, today)
    session.flush()
    summary.lines.append(f"{summary.opened} demo actions over {HISTORY_DAYS} days: {summary.closed} closed, "
                         f"{summary.escalations} escalation steps, {summary.calls} calls, "
                         f"{summary.effects_measured} effects measured")
    return summary


class _Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def _script(index: int, rng: random.Random) -> _Script:
    """A mix: most actions are acknowledged, called about and closed; some are left to escalate; one is
    reopened after verification finds the work undone; the newest are still open."""
    opened_day = min(HISTORY_DAYS - 2, 2 + index * 5 + rng.randint(0, 2))
    ignored = index % 4 == 3  # nobody answers: the ladder climbs
    if ignored:
        return _Script(opened_day, None, 3 + rng.randint(0, 2), None, None)
    report = 3 + rng.randint(0, 4)  # before a high-severity action climbs past the Collector
    script = _Script(opened_day, 1, 2 + rng.randint(0, 1), report, report + 1 + rng.randint(0, 2))
    if index == 1:
        script.reopen, script.second_report = script.verify + 3, script.verify + 7
        script.second_verify = script.second_report + 2
    return script


def _open(ctx: WorkflowContext, session: Session, staff: User, target: _Target) -> Action:
    set_actor(session, Actor(username=staff.username, user_id=staff.id, via="demo"))
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == target.org_unit))
    role = ROLE_OF_KIND.get(unit.kind, "collector")
    _ensure_holder(session, role, target, unit)
    spec = NewAction(assignee_role=role, flag_id=target.flag_id, indicator=target.indicator, org_unit=target.org_unit,
                     severity=target.severity, kind=target.kind, title=target.title,
                     description="Find out why, fix what can be fixed this week, and report what was done "
                                 "with a photo or the register page.")
    return open_action(ctx, Scope.system(), spec)


def _advance(ctx: WorkflowContext, session: Session, staff: User, action_id: int, age: int, script: _Script,
             rng: random.Random) -> int:
    """Apply the script's step for ``age`` days after opening; returns the number of calls logged."""
    action = session.get(Action, action_id)
    officer = session.get(User, action.assignee_user_id) if action.assignee_user_id else None
    as_officer = Actor(username=officer.username, user_id=officer.id, via="demo") if officer else None
    as_staff = Actor(username=staff.username, user_id=staff.id, via="demo")
    calls = 0
    if age == script.call:
        set_actor(session, as_staff)
        outcome = rng.choice(("answered", "answered", "answered", "no_answer", "busy"))
        promise = [(rng.choice(("Field visit by the block team", "Correct the register and re-enter the data",
                                "Send the ANM and ASHA to the villages behind", "Review meeting with the staff")),
                    ctx.now().date() + timedelta(days=rng.randint(3, 7)))] if outcome == "answered" else []
        log_call(ctx, Scope.system(), action_id, CallLog(
            started_at=ctx.now() - timedelta(minutes=5), outcome=outcome,
            duration_seconds=rng.randint(90, 420) if outcome == "answered" else None,
            notes="Discussed the numbers and the reasons" if outcome == "answered" else "Will try again",
            commitments=promise))
        calls = 1
    steps: dict[int | None, tuple[Step, Actor | None, str]] = {
        script.acknowledge: (Step.ACKNOWLEDGE, as_officer, ""),
        script.report: (Step.REPORT, as_officer, "Visited the facilities with the block team; registers "
                                                 "corrected and staff told to report daily."),
        script.verify: (Step.VERIFY, as_staff, "Checked on a call with the block officer."),
        script.reopen: (Step.REOPEN, as_staff, "The numbers have not moved: the visit report is incomplete."),
        script.second_report: (Step.REPORT, as_officer, "Second visit made; the missing entries are now in."),
        script.second_verify: (Step.VERIFY, as_staff, "Verified against this week's data."),
    }
    step = steps.get(age)
    if step is not None and step[0] is Step.VERIFY and action.reported_by == staff.username:
        return calls  # four eyes: the staff member who reported cannot verify; leave it for another
    if step is not None and step[1] is not None:
        set_actor(session, step[1])
        take_step(ctx, Scope.system(), action_id, step[0], text=step[2])
    return calls


def _dashboard_staff(session: Session) -> User:
    """The CMO account that runs the follow-up (the demo's ``cmo`` user if there is one)."""
    users = UserRepository(session)
    for name in ("cmo", DASHBOARD):
        user = users.for_sign_in(name)
        if user is not None:
            return user
    root = session.scalar(select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id))
    set_actor(session, Actor.system("demo"))
    return users.create(Scope.system(), username=DASHBOARD, full_name="CM Dashboard staff",
                        assignments=[AssignmentSpec("cmo", root.code)])


def _ensure_holder(session: Session, role: str, target: _Target, unit: OrgUnit) -> None:
    """Give the post an officer account when nobody holds it, and every post on its ladder too."""
    department = _department_of(session, target.indicator)
    for needed in (role, "collector", "secretary"):
        try:
            place = place_role(session, needed, unit.path)
        except ValueError:
            continue
        if resolve_post(session, needed, place, department).user is not None:
            continue
        username = f"{needed}.{place.code}" + (f".{department.lower()}" if needed == "secretary" else "")
        if UserRepository(session).for_sign_in(username) is not None:
            continue
        set_actor(session, Actor.system("demo"))
        UserRepository(session).create(
            Scope.system(), username=username, full_name=f"{ROLES[needed].title}, {place.name}",
            email=f"{username}@demo.invalid", assignments=[AssignmentSpec(
                needed, place.code, departments=(department,) if needed == "secretary" else ())])


def _department_of(session: Session, indicator: str) -> str:
    stmt = select(Department.code).join(Indicator, Indicator.department_id == Department.id).where(
        Indicator.code == indicator)
    return session.scalar(stmt)


# --- what to act on ------------------------------------------------------------------------------------


def _targets(session: Session, notes, rng: random.Random, count: int) -> list[_Target]:
    targets = _from_flags(session, count)
    if notes is not None and len(targets) < count:
        targets += _from_notes(session, notes, count - len(targets))
    if len(targets) < count:
        targets += _follow_ups(session, rng, count - len(targets), {t.org_unit for t in targets})
    return targets[:count]


def _from_flags(session: Session, count: int) -> list[_Target]:
    flags = list(session.scalars(select(Flag).where(Flag.status == "open").order_by(Flag.id)))
    flags.sort(key=lambda f: -Severity.parse(f.severity).rank)
    return [_Target(f.indicator, f.org_unit, f.severity, "follow_up", f.message or f"{f.rule}: {f.indicator}",
                    flag_id=f.id) for f in flags[:count]]


def _from_notes(session: Session, notes, count: int) -> list[_Target]:
    found: list[_Target] = []
    for worse in getattr(notes, "deteriorations", ()):
        for indicator in worse.indicators[:3]:
            found.append(_Target(indicator, worse.district, "high", "field_visit",
                                 f"{indicator} has been falling for weeks"))
    for stop in getattr(notes, "stops", ()):
        indicator = _indicator_of(session, stop.department)
        if indicator:
            found.append(_Target(indicator, stop.org_unit, "medium", "data_correction",
                                 f"{stop.kind.title()} {stop.org_unit} stopped reporting"))
    return found[:count]


def _indicator_of(session: Session, department: str | None) -> str | None:
    stmt = select(Indicator.code).join(Department, Indicator.department_id == Department.id)
    if department:
        stmt = stmt.where(Department.code == department)
    return session.scalar(stmt.where(Indicator.polarity != "neutral").order_by(Indicator.code).limit(1))


def _demo_collectors_talukas(session: Session) -> list[str]:
    """Talukas of the district where the demo's ``collector`` account sits (none without that account)."""
    stmt = (select(OrgUnit.path).join(RoleAssignment, RoleAssignment.org_unit_code == OrgUnit.code)
            .join(User, User.id == RoleAssignment.user_id)
            .where(User.username == "collector", RoleAssignment.role == "collector"))
    district = session.scalar(stmt)
    if district is None:
        return []
    return list(session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "taluka",
                                                           OrgUnit.path.startswith(district, autoescape=True))
                                .order_by(OrgUnit.code)))


def _frequent_indicators(session: Session) -> list[str]:
    """Indicators with a better direction whose data arrive at least monthly (a yearly one cannot show the
    effect of a few weeks' work)."""
    frequent = {"Daily", "Weekly", "Monthly"}
    period_of = dict(session.execute(select(DataElement.code, DataElement.period_type)).all())
    found = []
    for code, numerator, denominator in session.execute(
            select(Indicator.code, Indicator.numerator, Indicator.denominator)
            .where(Indicator.polarity != "neutral").order_by(Indicator.code)):
        elements = parse_expression(numerator).data_elements() | parse_expression(denominator or "1").data_elements()
        if elements and all(period_of.get(e) in frequent for e in elements):
            found.append(code)
    return found


def _follow_ups(session: Session, rng: random.Random, count: int, taken: set[str]) -> list[_Target]:
    """Taluka follow-ups on indicators of a few departments (talukas have siblings to compare with)."""
    indicators = _frequent_indicators(session)
    talukas = [c for c in session.scalars(select(OrgUnit.code).where(OrgUnit.kind == "taluka")
                                          .order_by(OrgUnit.code)) if c not in taken]
    if not indicators or not talukas:
        return []
    kinds: list[tuple[str, str]] = [("follow_up", "high"), ("field_visit", "medium"), ("data_correction", "medium"),
                                    ("review_meeting", "low")]
    home = [t for t in _demo_collectors_talukas(session) if t not in taken] or talukas
    picked = []
    for i in range(count):
        kind, severity = kinds[i % len(kinds)]
        # Half in the demo Collector's own district, so their inbox and their TDOs' are not empty.
        indicator, taluka = rng.choice(indicators), rng.choice(home if i % 2 == 0 else talukas)
        picked.append(_Target(indicator, taluka, severity, kind, f"{indicator} off track in taluka {taluka}"))
    return picked

