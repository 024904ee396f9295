"""The catalogue file format: Pydantic models of departments, data elements, indicators and constants.

A catalogue is one YAML file, or a directory of them (typically one per department) merged into one. Each model
checks its own fields; ``find_catalog_issues`` checks what needs the whole catalogue (unique codes, known
departments, expressions that name known data elements and constants). Every problem is reported with its file
and YAML path, e.g. ``health.yaml: indicators[12].numerator: unknown data element 'hlt_x' at position 0 ...``.

YAML files are read and written here; long lists of indicators or data elements can also be kept as CSV
(``csv_files``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from govpulse.catalog.io.errors import CatalogError, CatalogIssue, issues_from_validation_error
from govpulse.catalog.io.yaml_style import FlowList, FlowMap, yaml_text
from govpulse.core.enums import AggregationType, OrgUnitKind, Polarity, ValueType
from govpulse.core.expressions import Expression, ExpressionError, parse_expression, validate_references
from govpulse.core.periods import PeriodType

UPPER_CODE = re.compile(r"[A-Z0-9_]+")
LOWER_CODE = re.compile(r"[a-z0-9_]+")
LANGUAGE = re.compile(r"[a-z]{2,3}")

# Pass this as Pydantic validation context to check one file's fields without its cross-references, for a
# file that is only part of a catalogue (the others define the departments or data elements it uses).
PARTIAL = {"check_references": False}


def _upper_code(text: str) -> str:
    if not UPPER_CODE.fullmatch(text):
        raise ValueError(f"code {text!r} may contain only capital letters A-Z, digits and '_'")
    return text


def _lower_code(text: str) -> str:
    if not LOWER_CODE.fullmatch(text):
        raise ValueError(f"code {text!r} may contain only small letters a-z, digits and '_'")
    return text


def _language(text: str) -> str:
    if not LANGUAGE.fullmatch(text):
        raise ValueError(f"{text!r} is not a language code such as gu, hi or ml (2-3 small letters)")
    return text


# Lengths match the catalogue tables: department codes 64 characters, data element and indicator codes 128.
DepartmentCode = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_upper_code)]
IndicatorCode = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_upper_code)]
DataElementCode = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_lower_code)]
ConstantCode = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_lower_code)]
Name = Annotated[str, Field(min_length=1, max_length=255)]
Names = dict[Annotated[str, AfterValidator(_language)], Name]
Number = Annotated[float, Field(allow_inf_nan=False)]


class _Model(BaseModel):
    """Shared settings: unknown keys are errors, and text is stripped of surrounding spaces."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=False)


class Department(_Model):
    """An owner of data elements and indicators (a government department)."""

    code: DepartmentCode
    name: Name
    names: Names = {}
    description: str = ""


class DataElement(_Model):
    """A raw number reported by a source system, and how its values combine over org units and time."""

    code: DataElementCode
    name: Name
    names: Names = {}
    department: DepartmentCode
    value_type: ValueType = ValueType.INTEGER_ZERO_OR_POSITIVE
    aggregation_type: AggregationType = AggregationType.SUM
    period_type: PeriodType = PeriodType.MONTHLY
    reported_at: list[OrgUnitKind] = Field(min_length=1)
    min: Number | None = None
    max: Number | None = None
    unit: Annotated[str, Field(max_length=64)] = ""
    description: str = ""

    @field_validator("reported_at")
    @classmethod
    def _kinds_once_each(cls, kinds: list[OrgUnitKind]) -> list[OrgUnitKind]:
        repeated = sorted({kind.value for kind in kinds if kinds.count(kind) > 1})
        if repeated:
            raise ValueError(f"org-unit kind listed more than once: {', '.join(repeated)}")
        return kinds

    @field_validator("max")
    @classmethod
    def _max_not_below_min(cls, value: float | None, info: ValidationInfo) -> float | None:
        low = info.data.get("min")
        if value is not None and low is not None and value < low:
            raise ValueError(f"max ({_show(value)}) is below min ({_show(low)})")
        return value


class Thresholds(_Model):
    """RAG bands: ``green`` and ``amber`` limits, absolute or as a percentage of the target.

    The file states the numbers; evaluation compares a value (or its percentage of target) with them, the
    comparison flipped for a lower-is-better indicator (green when at or below ``green``).
    """

    basis: Literal["absolute", "percent_of_target"]
    green: Number
    amber: Number


class Indicator(_Model):
    """What people look at: ``factor * numerator / denominator`` with its unit, polarity, target and bands."""

    code: IndicatorCode
    name: Name
    names: Names = {}
    department: DepartmentCode
    theme: Annotated[str, Field(max_length=128)] = ""
    numerator: str
    denominator: str = "1"
    factor: Annotated[Number, Field(gt=0)] = 1.0
    unit: Annotated[str, Field(max_length=32)] = ""
    decimals: Annotated[int, Field(ge=0, le=4)] = 1
    polarity: Polarity = Polarity.HIGHER_IS_BETTER
    weight: Annotated[Number, Field(ge=0)] = 1.0
    target: Number | None = None
    thresholds: Thresholds | None = None
    description: str = ""
    source_system: Annotated[str, Field(max_length=128)] = ""

    @field_validator("numerator", "denominator")
    @classmethod
    def _expression_parses(cls, text: str) -> str:
        try:
            parsed_expression(text)
        except ExpressionError as error:
            raise ValueError(expression_problem(error)) from None
        return text

    @field_validator("thresholds")
    @classmethod
    def _bands_in_order(cls, bands: Thresholds | None, info: ValidationInfo) -> Thresholds | None:
        if bands is None:
            return None
        if bands.basis == "percent_of_target" and info.data.get("target") is None:
            raise ValueError("basis percent_of_target needs a target; set target or use basis absolute")
        polarity = info.data.get("polarity")
        green, amber = _show(bands.green), _show(bands.amber)
        if polarity is Polarity.HIGHER_IS_BETTER and bands.green < bands.amber:
            raise ValueError(f"green ({green}) must be >= amber ({amber}) when higher is better")
        if polarity is Polarity.LOWER_IS_BETTER and bands.green > bands.amber:
            raise ValueError(f"green ({green}) must be <= amber ({amber}) when lower is better")
        if polarity is Polarity.NEUTRAL:
            raise ValueError("a neutral indicator has no good direction, so it cannot have thresholds")
        return bands


class Constant(_Model):
    """A named number used in expressions as ``C{code}``."""

    code: ConstantCode
    name: Name | None = None
    value: Number
    description: str = ""


class CatalogFile(_Model):
    """A whole catalogue file (or several merged). Validating one also checks cross-references, unless the
    validation context is ``PARTIAL``; use ``find_catalog_issues`` for the problems as a list."""

    departments: list[Department] = []
    data_elements: list[DataElement] = []
    indicators: list[Indicator] = []
    constants: list[Constant] = []

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> CatalogFile:
        if (info.context or {}).get("check_references", True):
            issues = find_catalog_issues(self)
            if issues:
                raise ValueError("\n".join(str(issue) for issue in issues))
        return self

    def department_codes(self) -> list[str]:
        """Codes of the departments, in file order."""
        return [department.code for department in self.departments]


# --------------------------------------------------------------------------------------------------
# Checks that need the whole catalogue

SECTIONS = ("departments", "data_elements", "indicators", "constants")
_WHAT = {"departments": "department", "data_elements": "data element", "indicators": "indicator",
         "constants": "constant"}

# (section, index) -> (file or None, "section[index]" as that file numbers it)
Locator = Callable[[str, int], tuple[str | None, str]]


def _in_place(section: str, index: int) -> tuple[str | None, str]:
    return None, f"{section}[{index}]"


def find_catalog_issues(catalog: CatalogFile, locate: Locator = _in_place) -> list[CatalogIssue]:
    """Cross-reference problems: duplicate codes, unknown departments, unknown codes in expressions.

    ``locate`` maps a position in ``catalog`` to the file and path it came from, so that a merged catalogue
    reports each problem against its own file.
    """
    issues: list[CatalogIssue] = []

    def report(section: str, index: int, field: str, message: str) -> None:
        file, path = locate(section, index)
        issues.append(CatalogIssue(message, f"{path}.{field}", file))

    for section in SECTIONS:
        first_seen: dict[str, int] = {}
        for index, item in enumerate(getattr(catalog, section)):
            if item.code in first_seen:
                file, path = locate(section, first_seen[item.code])
                where = f"{file}: {path}" if file else path
                message = f"duplicate {_WHAT[section]} code {item.code!r}, already defined at {where}"
                report(section, index, "code", message)
            else:
                first_seen[item.code] = index

    departments = set(catalog.department_codes())
    for section in ("data_elements", "indicators"):
        for index, item in enumerate(getattr(catalog, section)):
            if item.department not in departments:
                report(section, index, "department", f"unknown department {item.department!r}")

    known_elements = {element.code for element in catalog.data_elements}
    known_constants = {constant.code for constant in catalog.constants}
    for index, indicator in enumerate(catalog.indicators):
        for field in ("numerator", "denominator"):
            expression = parsed_expression(getattr(indicator, field))
            for error in validate_references(expression, known_elements, known_constants):
                report("indicators", index, field, expression_problem(error))
    return issues


# --------------------------------------------------------------------------------------------------
# Helpers


@lru_cache(maxsize=32_768)
def parsed_expression(text: str) -> Expression:
    """``parse_expression`` remembered by text: catalogues repeat denominators and are checked more than once."""
    return parse_expression(text)


def expression_problem(error: ExpressionError) -> str:
    """An expression error on one line: message, position and the expression text."""
    return f"{error.message} at position {error.position} in {error.text!r}"


def _show(value: float) -> str:
    return str(int(value)) if math.isfinite(value) and float(value).is_integer() else str(value)


def referenced_data_elements(indicators: Iterable[Indicator]) -> set[str]:
    """Codes of every data element named by the numerators and denominators of ``indicators``."""
    codes: set[str] = set()
    for indicator in indicators:
        codes |= parsed_expression(indicator.numerator).data_elements()
        codes |= parsed_expression(indicator.denominator).data_elements()
    return codes


# --------------------------------------------------------------------------------------------------
# YAML files

# libyaml's parser when PyYAML was built with it: about ten times faster on a full state catalogue.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_catalog_file(path: str | Path) -> CatalogFile:
    """Read one self-contained catalogue file.

    Raises ``CatalogError`` listing every problem with the file name and YAML path
    (``indicators[12].numerator``).
    """
    path = Path(path)
    catalog = _read_part(path)
    _raise_if(find_catalog_issues(catalog, lambda section, index: (str(path), f"{section}[{index}]")))
    return catalog


def load_catalog_dir(path: str | Path) -> CatalogFile:
    """Read every ``*.yaml`` / ``*.yml`` file of a directory (in name order) and merge them into one catalogue.

    A file may use departments, data elements and constants defined in another. Problems name the file each
    item came from; a code defined twice names both files.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise CatalogError([CatalogIssue("not a directory", file=str(directory))])
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise CatalogError([CatalogIssue("no .yaml or .yml files in this directory", file=str(directory))])
    parts: list[tuple[Path, CatalogFile]] = []
    issues: list[CatalogIssue] = []
    for file in files:
        try:
            parts.append((file, _read_part(file)))
        except CatalogError as error:
            issues.extend(error.issues)
    _raise_if(issues)
    merged: dict[str, list[Any]] = {section: [] for section in SECTIONS}
    origins: dict[str, list[tuple[str | None, str]]] = {section: [] for section in SECTIONS}
    for file, part in parts:
        for section in SECTIONS:
            items = getattr(part, section)
            merged[section].extend(items)
            origins[section].extend((str(file), f"{section}[{index}]") for index in range(len(items)))
    catalog = CatalogFile.model_validate(merged, context=PARTIAL)
    _raise_if(find_catalog_issues(catalog, lambda section, index: origins[section][index]))
    return catalog


def _read_part(path: Path) -> CatalogFile:
    """One file with its own fields checked, but not its references to other files."""
    file = str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as error:
        raise CatalogError([CatalogIssue(f"cannot read the file ({error.strerror})", file=file)]) from None
    except UnicodeDecodeError as error:
        raise CatalogError([CatalogIssue(f"not UTF-8 text (byte {error.start})", file=file)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogError([CatalogIssue(f"invalid YAML: {problem}", where, file)]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        message = f"the file must be a mapping with the keys {', '.join(SECTIONS)}"
        raise CatalogError([CatalogIssue(message, file=file)])
    try:
        return CatalogFile.model_validate(data, context=PARTIAL)
    except ValidationError as error:
        raise CatalogError(issues_from_validation_error(error, file)) from None


def _raise_if(issues: list[CatalogIssue]) -> None:
    if issues:
        raise CatalogError(issues)


def catalog_to_data(catalog: CatalogFile) -> dict[str, list[dict[str, Any]]]:
    """The catalogue as plain data in file layout, leaving out empty sections and empty optional fields."""
    data = {}
    for section in SECTIONS:
        items = [_item_data(item) for item in getattr(catalog, section)]
        if items:
            data[section] = items
    return data


def _item_data(item: BaseModel) -> dict[str, Any]:
    data = {}
    for key, value in item.model_dump(mode="json", exclude_none=True).items():
        if value in ("", {}, []):
            continue
        if isinstance(value, dict):
            value = FlowMap(value)
        elif isinstance(value, list):
            value = FlowList(value)
        data[key] = value
    return data


def catalog_to_yaml(catalog: CatalogFile) -> str:
    """The catalogue as YAML text, laid out for a person to read and edit."""
    return yaml_text(catalog_to_data(catalog))


def dump_catalog(catalog: CatalogFile, path: str | Path, header: str = "") -> Path:
    """Write the catalogue to one YAML file (UTF-8) and return its path; ``header`` becomes a comment on top."""
    path = Path(path)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    path.write_text(comment + ("\n" if comment else "") + catalog_to_yaml(catalog), encoding="utf-8")
    return path


def dump_catalog_dir(catalog: CatalogFile, directory: str | Path, header: str = "") -> list[Path]:
    """Write one YAML file per department (``health.yaml`` for HEALTH), plus ``constants.yaml`` if any.

    Each file holds the department, its data elements and its indicators; ``load_catalog_dir`` reads the
    directory back as the same catalogue (up to the order of items). Other files are left alone. ``header`` is
    written as a comment on top of each file, with ``{department}`` replaced by the department's name.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for department in catalog.departments:
        part = CatalogFile.model_construct(
            departments=[department],
            data_elements=[e for e in catalog.data_elements if e.department == department.code],
            indicators=[i for i in catalog.indicators if i.department == department.code],
            constants=[],
        )
        text = header.replace("{department}", department.name)
        written.append(dump_catalog(part, directory / f"{department.code.lower()}.yaml", text))
    if catalog.constants:
        part = CatalogFile.model_construct(departments=[], data_elements=[], indicators=[], constants=catalog.constants)
        written.append(dump_catalog(part, directory / "constants.yaml", header.replace("{department}", "constants")))
    return written
