"""Problems found in catalogue files, each naming the file and where in it (YAML path or CSV row and column)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

# Enough to fix a file in one pass without drowning the reader; the exception keeps every issue.
_SHOWN_ISSUES = 25


@dataclass(frozen=True)
class CatalogIssue:
    """One problem: ``file`` (None for in-memory data), ``location`` such as ``indicators[12].numerator`` or
    ``row 5, column decimals``, and a message in plain words."""

    message: str
    location: str = ""
    file: str | None = None

    def __str__(self) -> str:
        return ": ".join(part for part in (self.file, self.location, self.message) if part)


class CatalogError(ValueError):
    """A catalogue that cannot be loaded; ``issues`` lists every problem found, in file order."""

    def __init__(self, issues: Sequence[CatalogIssue]):
        self.issues = list(issues)
        lines = [str(issue) for issue in self.issues[:_SHOWN_ISSUES]]
        if len(self.issues) > _SHOWN_ISSUES:
            lines.append(f"... and {len(self.issues) - _SHOWN_ISSUES} more problems")
        count = len(self.issues)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the catalogue:\n" + "\n".join(lines))


def yaml_path(loc: Sequence[str | int]) -> str:
    """A Pydantic error location as a path: ``('indicators', 12, 'numerator')`` -> ``indicators[12].numerator``."""
    path = ""
    for part in loc:
        if part == "[key]":  # Pydantic's marker for an error in a mapping key; the key itself is already shown
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def error_message(error: dict) -> str:
    """A Pydantic error's message without the "Value error, " prefix, showing the rejected value where useful."""
    kind = error["type"]
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (not part of the catalogue format)"
    message = error["msg"]
    value = error.get("input")
    if isinstance(value, str | int | float) and not isinstance(value, bool) or value is None:
        message += f" (got {value!r})"
    return message


def issues_from_validation_error(
    exc: ValidationError, file: str | None, prefix: Sequence[str | int] = ()
) -> list[CatalogIssue]:
    """One issue per Pydantic error, located by YAML path (``prefix`` is prepended to each location)."""
    return [
        CatalogIssue(error_message(error), yaml_path([*prefix, *error["loc"]]), file)
        for error in exc.errors(include_url=False)
    ]
