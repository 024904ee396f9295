"""The built-in flag rules, registered through the ``register_flag_rules`` hook exactly as a plugin's would be."""

from __future__ import annotations

from govpulse.core.flag_rules_builtin import AnomalyRule, DeteriorationRule, ThresholdRule
from govpulse.core.flag_rules_data_quality import MissingReportingRule, StaleRule, SuspiciousRule
from govpulse.hookspecs import hookimpl


@hookimpl
def register_flag_rules() -> list[type]:
    """threshold, deterioration, anomaly, missing_reporting, stale and suspicious."""
    return [ThresholdRule, DeteriorationRule, AnomalyRule, MissingReportingRule, StaleRule, SuspiciousRule]
