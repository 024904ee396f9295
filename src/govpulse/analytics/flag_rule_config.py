"""Flag rules from YAML: which rules run, where, with which parameters. Data, not code.

The file holds a list under ``rules``; each entry is one configured rule::

    rules:
      - name: off-target              # unique; a flag is keyed by (name, indicator, org unit)
        kind: threshold               # a rule class registered through the register_flag_rules hook
        description: Red for two months at district or taluka level.   # optional, shown on the rules page
        enabled: true                 # optional; false keeps the rule in the file but does not run it
        where:                        # optional selectors, each a list; left out: everything
          departments: [HEALTH]
          indicators: [INST_DELIVERY]
          org_unit_kinds: [district, taluka]
          period_types: [Monthly]
        params: {min_periods: 2}      # optional; the kind's parameters, each with a default

Errors name the file, the rule's position (1-based, as people count) and name, and the field, e.g.
``flag_rules.yaml: rule 3 ('worsening'), params.runs: must be 2 or more``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from govpulse.core.flag_rules import FlagRule, FlagRuleError, Selector

__all__ = ["FlagRuleConfigError", "default_flag_rules", "load_flag_rules", "parse_flag_rules"]

_KEYS = ("name", "kind", "description", "enabled", "where", "params")


class FlagRuleConfigError(ValueError):
    """A flag-rule file that cannot be used; the message names the file, the rule and the field."""

    def __init__(self, source: str, message: str, *, index: int | None = None, name: str | None = None,
                 field: str | None = None) -> None:
        self.source, self.index, self.name, self.field = source, index, name, field
        where = source
        if index is not None:
            where += f": rule {index}" + (f" ({name!r})" if name else "")
        super().__init__(f"{where}{', ' + field if field else ''}: {message}")


def parse_flag_rules(
    data: object, registry: Mapping[str, type[FlagRule]] | None = None, *, source: str = "flag rules"
) -> list[FlagRule]:
    """The enabled rules described by ``data`` (the parsed YAML), built with the classes of ``registry``
    (default: every class registered through the ``register_flag_rules`` hook)."""
    registry = _registry() if registry is None else registry
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), list):
        raise FlagRuleConfigError(source, "expected a mapping with a 'rules' list")
    unknown = sorted(set(data) - {"rules"})
    if unknown:
        raise FlagRuleConfigError(source, f"unknown top-level key {unknown[0]!r}; only 'rules' is read")
    rules: list[FlagRule] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(data["rules"], start=1):
        rule = _build(entry, index, registry, source, seen)
        if rule is not None:
            rules.append(rule)
    return rules


def _build(entry: object, index: int, registry: Mapping[str, type[FlagRule]], source: str,
           seen: dict[str, int]) -> FlagRule | None:
    def error(field: str | None, message: str) -> FlagRuleConfigError:
        name = entry.get("name") if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) else None
        return FlagRuleConfigError(source, message, index=index, name=name, field=field)

    if not isinstance(entry, Mapping):
        raise error(None, "expected a mapping with at least 'name' and 'kind'")
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise error(unknown[0], f"unknown key; accepted: {', '.join(_KEYS)}")
    name, kind = entry.get("name"), entry.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise error("name", "every rule needs a name (text)")
    if name in seen:
        raise error("name", f"the name is already used by rule {seen[name]}")
    seen[name] = index
    if kind not in registry:
        raise error("kind", f"unknown kind {kind!r}; registered kinds: {', '.join(sorted(registry))}")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise error("enabled", f"expected true or false, got {enabled!r}")
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise error("description", "expected text")
    params = entry.get("params") or {}
    if not isinstance(params, Mapping):
        raise error("params", "expected a mapping of parameter names to values")
    try:
        where = Selector.from_mapping(_mapping(entry.get("where")))
        rule = registry[kind](name, params, where=where, description=description)
    except FlagRuleError as problem:
        field = problem.field
        if not (field.startswith("where") or field in ("name", "params")):
            field = f"params.{field}"
        raise error(field, problem.message) from None
    return rule if enabled else None


def _mapping(value: object) -> Mapping[str, Any] | None:
    if value is None or isinstance(value, Mapping):
        return value
    raise FlagRuleError("where", "expected a mapping of selectors (departments, indicators, org_unit_kinds, ...)")


def load_flag_rules(path: str | Path, registry: Mapping[str, type[FlagRule]] | None = None) -> list[FlagRule]:
    """The enabled rules of the YAML file at ``path``."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as problem:
        raise FlagRuleConfigError(str(path), f"not valid YAML: {problem}") from None
    return parse_flag_rules(data, registry, source=str(path))


def default_flag_rules(registry: Mapping[str, type[FlagRule]] | None = None) -> list[FlagRule]:
    """The rules shipped with govpulse (``govpulse/analytics/flag_rules.yaml``)."""
    text = (resources.files("govpulse.analytics") / "flag_rules.yaml").read_text(encoding="utf-8")
    return parse_flag_rules(yaml.safe_load(text), registry, source="flag_rules.yaml")


def _registry() -> Mapping[str, type[FlagRule]]:
    from govpulse.plugins import flag_rule_classes  # at call time: no plugin manager is built at import

    return flag_rule_classes()
