"""Due dates and escalation ladders as data: read ``escalation.yaml`` (or a state's own file) into rules.

Like DIGIT's auto-escalation, what happens when an action is late is configuration, not code: each ladder says
for which departments and severities it applies and lists its steps (remind, notify roles, reassign to a role,
raise the priority) with the hours each step waits before the next. See the shipped ``escalation.yaml``.
Errors name the file and the place in it (``ladders[1].steps[2].reassign``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import yaml

from govpulse.core.access import ROLES
from govpulse.core.enums import Severity

__all__ = ["LadderStep", "Ladder", "EscalationRules", "InvalidRules", "load_rules", "default_rules", "parse_rules"]

DEFAULT_FILE = "escalation.yaml"
_STEP_KEYS = {"name", "remind", "notify", "reassign", "raise_priority", "sla_hours"}
_LADDER_KEYS = {"name", "departments", "severities", "steps"}


class InvalidRules(ValueError):
    """An escalation file that cannot be used; the message names the file and the place in it."""


@dataclass(frozen=True)
class LadderStep:
    name: str
    remind: bool = False
    notify: tuple[str, ...] = ()
    reassign: str | None = None
    raise_priority: bool = False
    sla_hours: float | None = None

    @property
    def effects(self) -> tuple[str, ...]:
        """What the step does, in words stored with each escalation (``remind``, ``reassign:collector``...)."""
        return tuple(e for e in (
            "remind" if self.remind else "",
            *(f"notify:{role}" for role in self.notify),
            f"reassign:{self.reassign}" if self.reassign else "",
            "raise_priority" if self.raise_priority else "",
        ) if e)


@dataclass(frozen=True)
class Ladder:
    name: str
    steps: tuple[LadderStep, ...]
    departments: frozenset[str] | None = None
    severities: frozenset[Severity] | None = None

    def matches(self, department: str, severity: Severity | str) -> bool:
        return ((self.departments is None or department in self.departments)
                and (self.severities is None or Severity.parse(str(severity)) in self.severities))

    def step(self, level: int) -> LadderStep | None:
        """Step number ``level`` (1 = the first step after the due date), None past the top."""
        return self.steps[level - 1] if 1 <= level <= len(self.steps) else None


@dataclass(frozen=True)
class EscalationRules:
    due_days: Mapping[Severity, float]
    ladders: tuple[Ladder, ...]

    def ladder_for(self, department: str, severity: Severity | str) -> Ladder | None:
        """The first ladder matching ``department`` and ``severity`` (None: the action never escalates)."""
        return next((ladder for ladder in self.ladders if ladder.matches(department, severity)), None)

    def ladder_named(self, name: str) -> Ladder | None:
        return next((ladder for ladder in self.ladders if ladder.name == name), None)

    def due_at(self, severity: Severity | str, opened_at: datetime) -> datetime:
        return opened_at + timedelta(days=self.due_days[Severity.parse(str(severity))])


def load_rules(path: Path | None = None) -> EscalationRules:
    """The rules in ``path``, or the shipped defaults when None."""
    if path is None:
        return default_rules()
    return _read(Path(path))


@functools.cache
def default_rules() -> EscalationRules:
    return _read(Path(str(resources.files("govpulse.workflow") / DEFAULT_FILE)))


def _read(path: Path) -> EscalationRules:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidRules(f"{path}: {error}") from error
    return parse_rules(document, str(path))


def parse_rules(document: object, source: str = "escalation rules") -> EscalationRules:
    """Rules from a parsed YAML document; ``source`` names it in errors."""
    where = _Where(source)
    if not isinstance(document, Mapping):
        raise where.error("", "must be a mapping with due_days and ladders")
    due = document.get("due_days")
    if not isinstance(due, Mapping):
        raise where.error("due_days", "must map each severity to a number of days")
    due_days: dict[Severity, float] = {}
    for key, days in due.items():
        severity = where.choice(f"due_days.{key}", Severity, key)
        if not isinstance(days, int | float) or isinstance(days, bool) or days <= 0:
            raise where.error(f"due_days.{key}", f"must be a positive number of days, not {days!r}")
        due_days[severity] = float(days)
    missing = [s.value for s in Severity if s not in due_days]
    if missing:
        raise where.error("due_days", f"has no days for {', '.join(missing)}")
    ladders = document.get("ladders") or []
    if not isinstance(ladders, list):
        raise where.error("ladders", "must be a list")
    parsed = tuple(_ladder(where, f"ladders[{i}]", item) for i, item in enumerate(ladders))
    names = [ladder.name for ladder in parsed]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise where.error("ladders", f"names must be unique; repeated: {', '.join(duplicates)}")
    return EscalationRules(due_days=due_days, ladders=parsed)


def _ladder(where: _Where, at: str, item: object) -> Ladder:
    if not isinstance(item, Mapping):
        raise where.error(at, "must be a mapping with name and steps")
    where.known_keys(at, item, _LADDER_KEYS)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error(f"{at}.name", "is required")
    departments = item.get("departments") or None
    if departments is not None and not (isinstance(departments, list) and all(isinstance(d, str) for d in departments)):
        raise where.error(f"{at}.departments", "must be a list of department codes")
    severities = item.get("severities") or None
    if severities is not None:
        if not isinstance(severities, list):
            raise where.error(f"{at}.severities", "must be a list of severities")
        severities = frozenset(where.choice(f"{at}.severities", Severity, s) for s in severities)
    steps = item.get("steps")
    if not isinstance(steps, list) or not steps:
        raise where.error(f"{at}.steps", "must be a non-empty list")
    parsed = tuple(_step(where, f"{at}.steps[{i}]", step) for i, step in enumerate(steps))
    for i, step in enumerate(parsed[:-1]):
        if step.sla_hours is None:
            raise where.error(f"{at}.steps[{i}].sla_hours", "is required on every step but the last")
    return Ladder(name=name.strip(), steps=parsed, departments=frozenset(departments) if departments else None,
                  severities=severities)


def _step(where: _Where, at: str, item: object) -> LadderStep:
    if not isinstance(item, Mapping):
        raise where.error(at, "must be a mapping")
    where.known_keys(at, item, _STEP_KEYS)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error(f"{at}.name", "is required")
    notify = item.get("notify") or []
    if not isinstance(notify, list):
        raise where.error(f"{at}.notify", "must be a list of roles")
    for role in [*notify, *([item["reassign"]] if item.get("reassign") else [])]:
        if role not in ROLES:
            raise where.error(at, f"names unknown role {role!r}; roles are: {', '.join(ROLES)}")
    sla = item.get("sla_hours")
    if sla is not None and (not isinstance(sla, int | float) or isinstance(sla, bool) or sla <= 0):
        raise where.error(f"{at}.sla_hours", f"must be a positive number of hours, not {sla!r}")
    for flag in ("remind", "raise_priority"):
        if not isinstance(item.get(flag, False), bool):
            raise where.error(f"{at}.{flag}", "must be true or false")
    step = LadderStep(name=name.strip(), remind=item.get("remind", False), notify=tuple(notify),
                      reassign=item.get("reassign") or None, raise_priority=item.get("raise_priority", False),
                      sla_hours=float(sla) if sla is not None else None)
    if not step.effects:
        raise where.error(at, "does nothing: give remind, notify, reassign or raise_priority")
    return step


@dataclass(frozen=True)
class _Where:
    source: str

    def error(self, at: str, message: str) -> InvalidRules:
        return InvalidRules(f"{self.source}: {at + ' ' if at else ''}{message}")

    def choice(self, at: str, choices, value: object):
        try:
            return choices.parse(str(value))
        except ValueError as error:
            raise self.error(at, str(error)) from None

    def known_keys(self, at: str, item: Mapping, known: set[str]) -> None:
        unknown = sorted(set(item) - known)
        if unknown:
            raise self.error(at, f"has unknown keys {', '.join(unknown)}; known: {', '.join(sorted(known))}")
