"""The action state machine, as data: every step from every status, and properties of any walk through it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govpulse.workflow.actions import (
    InvalidTransition,
    Priority,
    Status,
    Step,
    check_four_eyes,
    next_status,
    permission_for,
    priority_for,
)

# Written out by hand: (from, step) -> to, or None where the step is refused.
TABLE = {
    ("open", "acknowledge"): "acknowledged", ("open", "report"): "action_taken", ("open", "verify"): None,
    ("open", "reopen"): None,
    ("acknowledged", "acknowledge"): None, ("acknowledged", "report"): "action_taken",
    ("acknowledged", "verify"): None, ("acknowledged", "reopen"): None,
    ("action_taken", "acknowledge"): None, ("action_taken", "report"): None,
    ("action_taken", "verify"): "closed", ("action_taken", "reopen"): "reopened",
    ("closed", "acknowledge"): None, ("closed", "report"): None, ("closed", "verify"): None,
    ("closed", "reopen"): "reopened",
    ("reopened", "acknowledge"): "acknowledged", ("reopened", "report"): "action_taken",
    ("reopened", "verify"): None, ("reopened", "reopen"): None,
}


@pytest.mark.parametrize(("start", "step"), sorted(TABLE))
def test_every_step_from_every_status(start, step):
    expected = TABLE[(start, step)]
    if expected is None:
        with pytest.raises(InvalidTransition, match=f"cannot {step} an action that is {start}"):
            next_status(start, step)
    else:
        assert next_status(start, step) == expected


@given(st.lists(st.sampled_from([s.value for s in Step]), max_size=30))
def test_any_walk_closes_only_through_a_verified_report(steps):
    status, previous = Status.OPEN, None
    for step in steps:
        try:
            new = next_status(status, step)
        except InvalidTransition:
            continue
        if new is Status.CLOSED:
            assert status is Status.ACTION_TAKEN and step == "verify"
        if new is Status.ACTION_TAKEN:
            assert status in (Status.OPEN, Status.ACKNOWLEDGED, Status.REOPENED)
        previous, status = status, new
    assert status in set(Status)


def test_steps_need_close_action_and_verifying_needs_four_eyes():
    assert {permission_for(s) for s in Step} == {"close-action"}
    check_four_eyes("verify", "talati", "tdo")
    check_four_eyes("report", "talati", "talati")  # only verifying is limited
    with pytest.raises(InvalidTransition, match="'talati' reported this action taken"):
        check_four_eyes("verify", "talati", "talati")


def test_priorities_follow_severity_and_rise_one_step_at_a_time():
    assert [priority_for(s) for s in ("critical", "high", "medium", "low", "info")] == [
        "urgent", "high", "normal", "low", "low"]
    assert Priority.LOW.raised() == "normal" and Priority.HIGH.raised() == "urgent"
    assert Priority.URGENT.raised() == "urgent"
