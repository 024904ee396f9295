"""An action's whole life in the store: opened from a red flag, acknowledged, reported, verified by another
officer, reopened and closed again; escalation in simulated time; scope checks; audit and history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from govpulse.catalog.models import Action, ActionEvent, AuditEntry, Escalation, NotificationMessage
from govpulse.catalog.repositories.actions import ActionFilter, ActionRepository
from govpulse.catalog.repositories.paging import PageRequest
from govpulse.core.scope import PermissionDenied
from govpulse.workflow.actions import InvalidTransition
from govpulse.workflow.context import Conflict, InvalidRequest, NotFound
from govpulse.workflow.escalation import run_escalations
from govpulse.workflow.lifecycle import NewAction, open_action, take_step
from tests.workflow.world import START, add_flag, make_world


@pytest.fixture
def world(tmp_path, catalog_url):
    """On SQLite and on the PostgreSQL test server (``catalog_url`` from tests/conftest.py)."""
    made = make_world(tmp_path, url=catalog_url)
    yield made
    made.session.close()
    made.session.get_bind().dispose()


def _events(world, action_id: int) -> list[tuple[str, str | None]]:
    rows = world.session.scalars(select(ActionEvent).where(ActionEvent.action_id == action_id)
                                 .order_by(ActionEvent.id))
    return [(e.kind, e.to_status) for e in rows]


def test_an_action_from_a_flag_lives_its_whole_life(world):
    flag = add_flag(world.session, severity="high")
    scope, _ = world.act_as("cmo")
    action = open_action(world.ctx, scope, NewAction(assignee_role="talati", flag_id=flag.id, kind="field_visit"))
    world.session.commit()
    # Everything about the action comes from the flag; the post resolves to today's Talati of Bhestan.
    assert (action.indicator, action.org_unit, action.department, action.severity) == (
        "HLT_INST", "525001", "HEALTH", "high")
    assert (action.assignee_role, action.assignee_org_unit) == ("talati", "525001")
    assert action.assignee_user_id == world.users["talati"].id
    assert action.priority == "high" and action.ladder == "urgent"
    assert action.due_at.replace(tzinfo=START.tzinfo) == START + timedelta(days=5)  # high: 5 days (escalation.yaml)
    assert action.title.startswith("HLT_INST at 525001 is 41.5 %")
    with pytest.raises(Conflict, match=f"already has an open action, A-{action.id}"):
        open_action(world.ctx, scope, NewAction(assignee_role="tdo", flag_id=flag.id))

    scope, me = world.act_as("talati")
    world.clock.advance(hours=3)
    assert take_step(world.ctx, scope, action.id, "acknowledge", viewer_id=me).status == "acknowledged"
    with pytest.raises(InvalidRequest, match="needs the text"):
        take_step(world.ctx, scope, action.id, "report", viewer_id=me, text="  ")
    world.clock.advance(days=2)
    taken = take_step(world.ctx, scope, action.id, "report", viewer_id=me, text="ANM posted; 12 deliveries moved")
    assert (taken.status, taken.reported_by) == ("action_taken", "talati")
    world.session.commit()
    # Four eyes: the Talati who reported cannot verify their own report.
    with pytest.raises(InvalidTransition, match="cannot also verify"):
        take_step(world.ctx, scope, action.id, "verify", viewer_id=me)
    world.session.rollback()

    scope, me = world.act_as("tdo")
    world.clock.advance(days=1)
    closed = take_step(world.ctx, scope, action.id, "verify", viewer_id=me, text="checked the register")
    assert (closed.status, closed.closed_by) == ("closed", "tdo") and closed.next_escalation_at is None
    with pytest.raises(InvalidTransition, match="cannot acknowledge an action that is closed"):
        take_step(world.ctx, scope, action.id, "acknowledge", viewer_id=me)

    scope, me = world.act_as("collector")
    reopened = take_step(world.ctx, scope, action.id, "reopen", viewer_id=me, text="numbers unchanged")
    assert (reopened.status, reopened.times_reopened, reopened.closed_at, reopened.reported_by) == (
        "reopened", 1, None, "")
    assert reopened.due_at == world.clock() + timedelta(days=5)  # a new round, from the bottom of the ladder
    scope, me = world.act_as("talati")
    take_step(world.ctx, scope, action.id, "report", viewer_id=me, text="second visit done")
    scope, me = world.act_as("cmo")
    assert take_step(world.ctx, scope, action.id, "verify", viewer_id=me).status == "closed"
    world.session.commit()

    assert _events(world, action.id) == [
        ("opened", "open"), ("acknowledge", "acknowledged"), ("report", "action_taken"), ("verify", "closed"),
        ("reopen", "reopened"), ("report", "action_taken"), ("verify", "closed")]
    audited = world.session.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "action",
                                                                   AuditEntry.entity_code == f"A-{action.id}")
                                    .order_by(AuditEntry.id)).all()
    assert audited == ["cmo", "talati", "talati", "tdo", "collector", "talati", "cmo"]  # every write, by whom
    # The assignee was told of the assignment, the closures and the reopening (no channel set up here, so the
    # messages are on record as undeliverable rather than silently lost).
    told = world.session.execute(select(NotificationMessage.event, NotificationMessage.status)
                                 .where(NotificationMessage.action_id == action.id)
                                 .order_by(NotificationMessage.id)).all()
    assert [e for e, _ in told] == ["assigned", "closed", "closed", "reopened", "closed", "closed"]
    assert {s for _, s in told} == {"undeliverable"}


def test_overdue_actions_climb_the_ladder_in_simulated_time(world):
    scope, _ = world.act_as("cmo")
    action = open_action(world.ctx, scope, NewAction(assignee_role="talati", indicator="HLT_INST",
                                                     org_unit="525001", severity="high"))
    world.session.commit()
    due = START + timedelta(days=5)

    def run_at(moment):
        world.clock.now = moment
        return [(e.step, e.step_name, e.to_assignee) for e in run_escalations(world.ctx).escalations]

    assert run_at(due - timedelta(minutes=1)) == []  # not yet due
    assert run_at(due) == [(1, "Dashboard staff call the assignee", "talati@525001 (Bhestan): talati")]
    assert run_at(due + timedelta(hours=23)) == []  # the step's 24 h SLA has not passed
    assert run_at(due + timedelta(hours=24)) == [(2, "Collector", "collector@459 (Surat): collector")]
    # The Collector of Surat now holds it: it is in their inbox and their priority is raised.
    mine = ActionRepository(world.session).list(ActionFilter(mine=True), world.scope("collector"), PageRequest(),
                                                viewer_id=world.users["collector"].id)
    assert [a.id for a in mine.items] == [action.id] and mine.items[0].priority == "urgent"
    assert run_at(due + timedelta(hours=72)) == [
        (3, "Secretary of the department", "secretary@24 (Gujarat): secretary")]
    assert run_at(due + timedelta(hours=144)) == [(4, "Chief Minister's Office", "cmo@24 (Gujarat): cmo")]
    assert run_at(due + timedelta(days=30)) == []  # top of the ladder: nothing runs on its own any more
    world.session.commit()

    steps = world.session.execute(select(Escalation.step, Escalation.from_priority, Escalation.to_priority,
                                         Escalation.effects).where(Escalation.action_id == action.id)
                                  .order_by(Escalation.step)).all()
    assert steps == [(1, "high", "high", ["remind", "notify:cmo"]),
                     (2, "high", "urgent", ["reassign:collector", "raise_priority"]),
                     (3, "urgent", "urgent", ["reassign:secretary", "raise_priority"]),
                     (4, "urgent", "urgent", ["reassign:cmo", "raise_priority"])]
    assert [kind for kind, _ in _events(world, action.id)].count("escalated") == 4
    reminded = world.session.scalars(select(NotificationMessage.event).where(
        NotificationMessage.action_id == action.id, NotificationMessage.user_id == world.users["talati"].id))
    assert list(reminded) == ["assigned", "reminder", "escalated"]  # told when it left them, too


def test_reporting_the_action_taken_stops_the_clock(world):
    scope, _ = world.act_as("cmo")
    action = open_action(world.ctx, scope, NewAction(assignee_role="tdo", indicator="HLT_INST", org_unit="525001",
                                                     severity="critical"))
    scope, me = world.act_as("tdo")
    take_step(world.ctx, scope, action.id, "report", viewer_id=me, text="done")
    world.clock.advance(days=20)
    assert run_escalations(world.ctx).escalations == ()
    assert world.session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_scope_decides_who_may_open_and_see(world):
    scope, me = world.act_as("collector")
    # A Collector cannot open an action in another district: the village does not exist for them.
    with pytest.raises(NotFound, match="org unit '515001'"):
        open_action(world.ctx, scope, NewAction(assignee_role="talati", indicator="HLT_INST", org_unit="515001"))
    # ... nor hand their own district's action to an officer of another district.
    with pytest.raises(NotFound, match="org unit '3700'"):
        open_action(world.ctx, scope, NewAction(assignee_role="tdo", assignee_org_unit="3700", indicator="HLT_INST",
                                                org_unit="525001"))
    # A role without assign-action is refused outright (403), even inside its own village.
    talati, _ = world.act_as("talati")
    with pytest.raises(PermissionDenied):
        open_action(world.ctx, talati, NewAction(assignee_role="talati", indicator="HLT_INST", org_unit="525001"))
    # A secretary of Health cannot see a Roads indicator, so cannot open an action on it.
    secretary, _ = world.act_as("secretary")
    with pytest.raises(NotFound, match="indicator 'RD_DONE'"):
        open_action(world.ctx, secretary, NewAction(assignee_role="tdo", indicator="RD_DONE", org_unit="525001"))
    # The role must fit the org unit it is placed at.
    cmo, _ = world.act_as("cmo")
    with pytest.raises(ValueError, match="sits at a district"):
        open_action(world.ctx, cmo, NewAction(assignee_role="collector", assignee_org_unit="3900",
                                              indicator="HLT_INST", org_unit="525001"))

    kutch = open_action(world.ctx, cmo, NewAction(assignee_role="tdo", indicator="RD_DONE", org_unit="515001"))
    surat = open_action(world.ctx, cmo, NewAction(assignee_role="tdo", indicator="HLT_INST", org_unit="525001"))
    world.session.commit()
    assert kutch.assignee_user_id is None  # nobody holds the TDO post of Bhuj: vacant, waiting there
    repo = ActionRepository(world.session)
    collector = world.scope("collector")
    assert repo.get(kutch.id, collector) is None and repo.get(surat.id, collector) is not None
    assert [a.id for a in repo.list(ActionFilter(), collector, PageRequest()).items] == [surat.id]
    assert repo.get(surat.id, world.scope("secretary")) is not None  # Health, everywhere
    assert repo.get(kutch.id, world.scope("secretary")) is None  # Roads is not theirs
    with pytest.raises(NotFound):
        take_step(world.ctx, collector, kutch.id, "acknowledge", viewer_id=world.users["collector"].id)
    operator, me = world.act_as("operator")  # sees Health everywhere, but may not touch actions: 403
    with pytest.raises(PermissionDenied):
        take_step(world.ctx, operator, surat.id, "acknowledge", viewer_id=me)


def test_the_assignee_sees_an_action_outside_their_own_grants(world):
    """Escalated to a Secretary of Health, a Roads action is in their inbox though Roads is not theirs."""
    cmo, _ = world.act_as("cmo")
    action = open_action(world.ctx, cmo, NewAction(assignee_role="secretary", indicator="RD_DONE",
                                                   org_unit="525001"))
    world.session.commit()
    assert action.assignee_user_id is None  # the only secretary is limited to Health: the Roads post is vacant
    action.assignee_user_id = world.users["secretary"].id  # as if the Health secretary also held Roads
    world.session.commit()
    secretary, me = world.act_as("secretary")
    repo = ActionRepository(world.session)
    assert repo.get(action.id, secretary) is None
    assert repo.get(action.id, secretary, viewer_id=me) is not None
    assert take_step(world.ctx, secretary, action.id, "acknowledge", viewer_id=me).status == "acknowledged"


def test_a_due_date_given_in_india_time_is_kept_as_the_same_moment(world):
    from datetime import datetime, timezone

    scope, _ = world.act_as("cmo")
    india = timezone(timedelta(hours=5, minutes=30))
    action = open_action(world.ctx, scope, NewAction(assignee_role="tdo", indicator="HLT_INST", org_unit="525001",
                                                     due_at=datetime(2026, 11, 9, 10, 0, tzinfo=india)))
    world.session.expire_all()
    stored = world.session.get(Action, action.id).due_at  # as the database gives it back (SQLite: no zone)
    due = stored if stored.tzinfo else stored.replace(tzinfo=timezone.utc)
    assert due == datetime(2026, 11, 9, 4, 30, tzinfo=timezone.utc)  # 10:00 IST, not 10:00 UTC
