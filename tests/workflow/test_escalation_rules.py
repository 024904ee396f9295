"""Escalation rules are data: the shipped ladder reads, matches by department and severity, and a bad file is
refused with the place of the mistake."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from govpulse.workflow.escalation_rules import InvalidRules, default_rules, load_rules, parse_rules


def test_the_shipped_rules():
    rules = default_rules()
    assert dict(rules.due_days) == {"critical": 2, "high": 5, "medium": 10, "low": 20, "info": 30}
    assert rules.ladder_for("HEALTH", "critical").name == "health-and-water-critical"
    assert rules.ladder_for("ROADS", "critical").name == "urgent"
    assert rules.ladder_for("HEALTH", "high").name == "urgent"
    assert rules.ladder_for("ROADS", "low").name == "standard"
    urgent = rules.ladder_named("urgent")
    assert [s.name for s in urgent.steps] == ["Dashboard staff call the assignee", "Collector",
                                             "Secretary of the department", "Chief Minister's Office"]
    assert [s.sla_hours for s in urgent.steps] == [24, 48, 72, None]
    assert urgent.step(0) is None and urgent.step(2).reassign == "collector" and urgent.step(5) is None
    assert rules.due_at("medium", datetime(2026, 11, 1, tzinfo=UTC)) == datetime(2026, 11, 11, tzinfo=UTC)


def test_a_state_file_replaces_the_defaults(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump({
        "due_days": {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 5},
        "ladders": [{"name": "roads", "departments": ["ROADS"], "steps": [{"name": "TDO", "reassign": "tdo"}]}],
    }))
    rules = load_rules(path)
    assert rules.ladder_for("ROADS", "low").steps[0].effects == ("reassign:tdo",)
    assert rules.ladder_for("HEALTH", "low") is None  # no ladder: such actions never escalate on their own


BASE = {"due_days": {"critical": 1, "high": 2, "medium": 3, "low": 4, "info": 5}}


@pytest.mark.parametrize(("ladders", "message"), [
    ([{"name": "x", "steps": [{"name": "a", "reassign": "mayor"}]}],
     r"ladders\[0\]\.steps\[0\] names unknown role 'mayor'"),
    ([{"name": "x", "steps": [{"name": "a", "remind": True}, {"name": "b", "remind": True}]}],
     r"ladders\[0\]\.steps\[0\]\.sla_hours is required on every step but the last"),
    ([{"name": "x", "steps": [{"name": "a"}]}], r"ladders\[0\]\.steps\[0\] does nothing"),
    ([{"name": "x", "steps": [{"name": "a", "remind": True, "sla_hours": -1}]}],
     r"sla_hours must be a positive number of hours"),
    ([{"name": "x", "severities": ["urgentish"], "steps": [{"name": "a", "remind": True}]}],
     r"ladders\[0\]\.severities unknown severity 'urgentish'"),
    ([{"name": "x", "colour": "red", "steps": [{"name": "a", "remind": True}]}], r"unknown keys colour"),
    ([{"name": "x", "steps": [{"name": "a", "remind": True}]}, {"name": "x", "steps": [{"name": "b", "remind": True}]}],
     r"names must be unique; repeated: x"),
])
def test_mistakes_are_named(ladders, message):
    with pytest.raises(InvalidRules, match=message):
        parse_rules({**BASE, "ladders": ladders}, "state.yaml")


def test_missing_due_days_and_unreadable_files(tmp_path):
    with pytest.raises(InvalidRules, match="due_days has no days for info"):
        parse_rules({"due_days": {"critical": 1, "high": 2, "medium": 3, "low": 4}, "ladders": []})
    broken = tmp_path / "broken.yaml"
    broken.write_text("due_days: [unclosed")
    with pytest.raises(InvalidRules, match="broken.yaml"):
        load_rules(broken)
