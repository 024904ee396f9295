"""Parameters of flag rules: a frozen dataclass per rule kind, built from configuration with clear errors.

``parse_params(Params, {"runs": 3})`` refuses unknown names and values of the wrong type (a text where a
number belongs, ``true`` where a whole number belongs, a severity that does not exist), then the dataclass's
own ``__post_init__`` checks ranges with ``require``. Every error is a ``FlagRuleError`` naming the parameter.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from govpulse.core.enums import Severity

__all__ = ["FlagRuleError", "parse_params", "require"]


class FlagRuleError(ValueError):
    """A rule's configuration is wrong; ``field`` names the parameter (or "name", "where", ...)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def parse_params(params_class: type, given: Mapping[str, Any]) -> Any:
    """An instance of the ``params_class`` dataclass from ``given``: unknown names, wrong types and values the
    dataclass refuses raise ``FlagRuleError`` naming the parameter. A class may declare ``MODE_FIELD`` (the
    name of a choice field) and ``MODE_ONLY`` ({field: modes it applies to}); a parameter given for another
    mode is an error, since it would silently do nothing."""
    if not isinstance(given, Mapping):
        raise FlagRuleError("params", f"must be a mapping of names to values, got {type(given).__name__}")
    fields = {item.name: item for item in dataclasses.fields(params_class)}
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise FlagRuleError(unknown[0], f"unknown parameter; accepted: {', '.join(fields)}")
    hints = typing.get_type_hints(params_class)
    values = {name: _convert(name, hints[name], value) for name, value in given.items()}
    _check_modes(params_class, values, fields)
    try:
        return params_class(**values)
    except FlagRuleError:
        raise
    except (TypeError, ValueError) as error:
        raise FlagRuleError("params", str(error)) from None


def _check_modes(params_class: type, values: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    mode_field = getattr(params_class, "MODE_FIELD", None)
    if mode_field is None:
        return
    mode = values.get(mode_field, fields[mode_field].default)
    for name, modes in getattr(params_class, "MODE_ONLY", {}).items():
        if name in values and mode not in modes:
            raise FlagRuleError(name, f"does not apply when {mode_field} is {mode!r} (only with "
                                f"{mode_field} {' or '.join(repr(m) for m in modes)})")


def _convert(name: str, hint: Any, value: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _convert(name, inner, value)
    if origin is Literal:
        if value not in args:
            raise FlagRuleError(name, f"{value!r} is not one of {', '.join(repr(arg) for arg in args)}")
        return value
    if hint is Severity:
        if isinstance(value, Severity):
            return value
        if not isinstance(value, str):
            raise FlagRuleError(name, f"expected a severity name, got {value!r}")
        try:
            return Severity.parse(value)
        except ValueError as error:
            raise FlagRuleError(name, str(error)) from None
    if hint is bool:
        if not isinstance(value, bool):
            raise FlagRuleError(name, f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FlagRuleError(name, f"expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise FlagRuleError(name, f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise FlagRuleError(name, f"expected text, got {value!r}")
        return value
    raise TypeError(f"parameter {name} has a type parse_params does not handle: {hint!r}")


def require(condition: bool, field: str, message: str) -> None:
    """Raise ``FlagRuleError(field, message)`` unless ``condition``: for ``Params.__post_init__`` checks."""
    if not condition:
        raise FlagRuleError(field, message)
