"""Flag rules from YAML: the shipped defaults load, and every mistake is reported with its rule and field."""

import pytest

from govpulse.analytics import builtin_flag_rules
from govpulse.analytics.flag_rule_config import (
    FlagRuleConfigError,
    default_flag_rules,
    load_flag_rules,
    parse_flag_rules,
)
from govpulse.core.enums import Severity
from govpulse.core.flag_rules_builtin import DeteriorationRule, ThresholdRule
from govpulse.plugins import collect_by_kind

REGISTRY = collect_by_kind([builtin_flag_rules.register_flag_rules()], "flag rule")


def test_the_hook_registers_the_six_builtin_kinds():
    assert sorted(REGISTRY) == ["anomaly", "deterioration", "missing_reporting", "stale", "suspicious", "threshold"]


def test_the_default_rules_load_and_use_every_kind():
    rules = default_flag_rules(REGISTRY)
    assert {rule.kind for rule in rules} == set(REGISTRY)
    assert len({rule.name for rule in rules}) == len(rules)
    district = next(rule for rule in rules if rule.name == "off-target-district")
    assert isinstance(district, ThresholdRule)
    assert district.where.org_unit_kinds == {"state", "district"}
    assert district.params.min_denominator == 100
    # Off-target is never flagged village by village: that is what drilling down from a district is for.
    assert not any(rule.kind == "threshold" and "village" in rule.where.org_unit_kinds for rule in rules)


def test_a_rule_from_yaml_data():
    data = {"rules": [
        {"name": "worsening", "kind": "deterioration", "description": "Worse 4 months running",
         "where": {"departments": ["HEALTH"]}, "params": {"runs": 4, "severity": "high"}},
        {"name": "off", "kind": "threshold", "enabled": False},
    ]}
    (rule,) = parse_flag_rules(data, REGISTRY)
    assert isinstance(rule, DeteriorationRule)
    assert (rule.name, rule.description, rule.params.runs, rule.params.severity) == (
        "worsening", "Worse 4 months running", 4, Severity.HIGH)
    assert rule.where.departments == {"HEALTH"}


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([{"name": "a", "kind": "threshold"}, {"name": "b", "kind": "deterioration", "params": {"runs": 1}}],
         "rules.yaml: rule 2 ('b'), params.runs: must be 2 or more"),
        ([{"name": "a", "kind": "thresold"}],
         "rules.yaml: rule 1 ('a'), kind: unknown kind 'thresold'; registered kinds: anomaly, deterioration"),
        ([{"name": "a", "kind": "threshold"}, {"name": "a", "kind": "stale"}],
         "rule 2 ('a'), name: the name is already used by rule 1"),
        ([{"kind": "threshold"}], "rule 1, name: every rule needs a name"),
        ([{"name": "a", "kind": "stale", "param": {}}], "rule 1 ('a'), param: unknown key"),
        ([{"name": "a", "kind": "stale", "params": {"max_age": 3}}], "rule 1 ('a'), params.max_age: unknown parameter"),
        ([{"name": "a", "kind": "stale", "where": {"district": ["X"]}}], "rule 1 ('a'), where.district: unknown"),
        ([{"name": "a", "kind": "stale", "where": ["district"]}], "rule 1 ('a'), where: expected a mapping"),
        ([{"name": "a", "kind": "stale", "enabled": "no"}], "rule 1 ('a'), enabled: expected true or false"),
        (["threshold"], "rule 1: expected a mapping"),
    ],
)
def test_mistakes_name_the_rule_and_the_field(rules, message):
    with pytest.raises(FlagRuleConfigError) as caught:
        parse_flag_rules({"rules": rules}, REGISTRY, source="rules.yaml")
    assert message in str(caught.value)


def test_a_file_that_is_not_a_rule_list(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("rule:\n  - name: a\n", encoding="utf-8")
    with pytest.raises(FlagRuleConfigError, match="rules.yaml: expected a mapping with a 'rules' list"):
        load_flag_rules(path, REGISTRY)
    path.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(FlagRuleConfigError, match="not valid YAML"):
        load_flag_rules(path, REGISTRY)
    path.write_text("rules:\n  - {name: a, kind: stale, params: {max_age_hours: 6}}\n", encoding="utf-8")
    (rule,) = load_flag_rules(path, REGISTRY)
    assert rule.params.max_age_hours == 6
