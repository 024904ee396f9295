"""A flag is raised once, kept open (and escalated) while its rule keeps firing, and resolved when it stops."""

from datetime import datetime

import pytest

from govpulse.core.enums import Severity
from govpulse.core.flag_lifecycle import FlagState, reconcile
from govpulse.core.flag_rules import FlagCandidate

DAY1, DAY2, DAY3 = datetime(2026, 11, 1, 6), datetime(2026, 11, 2, 6), datetime(2026, 11, 3, 6)


def candidate(severity=Severity.MEDIUM, org_unit="SURAT", period="202610", value=71.2, rule="off-target"):
    return FlagCandidate(rule, "INST_DELIVERY", org_unit, period, severity, value, 76.0, f"value {value}",
                         {"periods_running": 1})


def test_raised_once_kept_open_then_resolved():
    first = reconcile([], [candidate()], DAY1)
    assert len(first.raised) == 1 and first.kept_open == () and first.resolved == ()
    flag = first.raised[0]
    assert (flag.key, flag.first_seen, flag.last_seen, flag.severity) == (
        ("off-target", "INST_DELIVERY", "SURAT"), DAY1, DAY1, Severity.MEDIUM)

    second = reconcile([flag], [candidate(Severity.HIGH, period="202611", value=70.1)], DAY2)
    assert second.raised == () and second.resolved == ()
    (kept,) = second.kept_open
    assert (kept.first_seen, kept.last_seen, kept.period, kept.value, kept.message) == (
        DAY1, DAY2, "202611", 70.1, "value 70.1")
    assert kept.severity is Severity.HIGH and second.escalated == (kept,)

    third = reconcile([kept], [], DAY3)
    assert third.raised == () and third.kept_open == ()
    assert third.resolved == (kept,)


def test_severity_never_falls_while_open():
    flag = FlagState.raised(candidate(Severity.HIGH), DAY1)
    kept = reconcile([flag], [candidate(Severity.LOW)], DAY2).kept_open[0]
    assert kept.severity is Severity.HIGH
    assert reconcile([flag], [candidate(Severity.LOW)], DAY2).escalated == ()


def test_keys_the_run_did_not_evaluate_stay_open_untouched():
    surat = FlagState.raised(candidate(), DAY1)
    rajkot = FlagState.raised(candidate(org_unit="RAJKOT"), DAY1)
    result = reconcile([surat, rajkot], [], DAY2, evaluated=lambda key: key[2] == "SURAT")
    assert result.resolved == (surat,) and result.kept_open == () and result.raised == ()


def test_different_rules_on_the_same_indicator_are_different_flags():
    result = reconcile([], [candidate(rule="off-target"), candidate(rule="worsening")], DAY1)
    assert len(result.raised) == 2


def test_duplicate_candidates_keep_the_most_severe_and_duplicate_open_flags_are_an_error():
    result = reconcile([], [candidate(Severity.LOW), candidate(Severity.HIGH), candidate(Severity.MEDIUM)], DAY1)
    assert [flag.severity for flag in result.raised] == [Severity.HIGH]
    flag = FlagState.raised(candidate(), DAY1)
    with pytest.raises(ValueError, match="two open flags for rule 'off-target'"):
        reconcile([flag, flag], [], DAY2)
