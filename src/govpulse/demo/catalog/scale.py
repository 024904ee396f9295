"""Resize a catalogue to an exact number of indicators, for demos of any size and for benchmarks.

Smaller: a deterministic sample that keeps at least one indicator of every department. Larger: breakdown variants
of the shipped indicators ("... (SC)", "... (girls)", "... - PHC", "... (SC) - primary (1-5)"), each over its own
new data elements, the way a real state dashboard grows from a few hundred headline indicators to thousands.
The same catalogue, size and seed always give the same result.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from itertools import combinations, product
from typing import Any

from govpulse.catalog.io.schema import CatalogFile, DataElement, Indicator, referenced_data_elements
from govpulse.demo.catalog.breakdowns import BLOCK_OR_BELOW_KINDS, SINGLE_PLACE_KINDS, Family, Member, families_for

# A data element reference, with DHIS2's optional ".disaggregation" kept as it is.
_REFERENCE = re.compile(r"#\{([A-Za-z0-9_-]+)((?:\.[^}]*)?)\}")
_PERCENT_TAIL = " (%)"

Variant = tuple[int, tuple[Member, ...]]  # (index of the base indicator, breakdown members)

# Variants are drawn stage by stage, a later stage only when the earlier ones are used up: single breakdowns
# ("(SC)"), then people counted two ways ("(SC, girls)", "(ST) - PHC"), then other pairs ("(rural) - UGVCL"),
# then three-way splits of people ("(girls, SC) - primary (1-5)", as UDISE+ reports enrolment).
STAGES = ("single", "pairs with people", "other pairs", "triples with people")
_STAGE_SIZE = {"single": 1, "pairs with people": 2, "other pairs": 2, "triples with people": 3}


def scale_catalog(catalog: CatalogFile, n_indicators: int, seed: int = 42) -> CatalogFile:
    """A catalogue with exactly ``n_indicators`` indicators, chosen or generated deterministically from ``seed``.

    Below the catalogue's own count, a sample keeps every department that has indicators represented; above
    it, breakdown variants are added (see ``STAGES``), each over new data elements. The result holds
    the data elements its indicators use, all departments and all constants, and is fully validated.
    Raises ``ValueError`` when the size cannot be reached.
    """
    have = len(catalog.indicators)
    rng = random.Random(seed)
    if n_indicators <= have:
        return _subset(catalog, n_indicators, rng)
    return _grow(catalog, n_indicators - have, rng)


# --------------------------------------------------------------------------------------------------
# Smaller


def _subset(catalog: CatalogFile, n_indicators: int, rng: random.Random) -> CatalogFile:
    by_department: dict[str, list[int]] = {}
    for index, indicator in enumerate(catalog.indicators):
        by_department.setdefault(indicator.department, []).append(index)
    if n_indicators < len(by_department):
        raise ValueError(
            f"{n_indicators} indicators cannot represent all {len(by_department)} departments that have "
            f"indicators; ask for at least {len(by_department)}"
        )
    chosen = {rng.choice(indices) for indices in by_department.values()}
    rest = [index for index in range(len(catalog.indicators)) if index not in chosen]
    chosen.update(rng.sample(rest, n_indicators - len(chosen)))
    return _assemble(catalog, [catalog.indicators[index] for index in sorted(chosen)], [])


# --------------------------------------------------------------------------------------------------
# Larger


def _grow(catalog: CatalogFile, needed: int, rng: random.Random) -> CatalogFile:
    elements = {element.code: element for element in catalog.data_elements}
    taken = {indicator.code for indicator in catalog.indicators} | set(elements)
    picked: list[Variant] = []
    for stage in STAGES:
        candidates = [v for v in _candidates(catalog, elements, stage) if _codes_free(catalog, v, taken)]
        rng.shuffle(candidates)
        picked += candidates[: needed - len(picked)]
        if len(picked) == needed:
            break
    else:
        have = len(catalog.indicators)
        raise ValueError(f"at most {have + len(picked)} indicators can be generated from this catalogue, "
                         f"{have + needed} were asked for")

    # Each base indicator is followed by its variants, in the order the breakdowns are listed.
    rank = {variant: position for position, variant in enumerate(_all_candidates(catalog, elements))}
    variants_of: dict[int, list[Variant]] = {}
    for variant in sorted(picked, key=rank.__getitem__):
        variants_of.setdefault(variant[0], []).append(variant)
    new_elements: dict[str, dict[str, Any]] = {}
    indicators: list[Indicator | dict[str, Any]] = []
    for index, indicator in enumerate(catalog.indicators):
        indicators.append(indicator)
        for _, members in variants_of.get(index, []):
            indicators.append(_variant_indicator(indicator, members, elements, new_elements))
    return _assemble(catalog, indicators, list(new_elements.values()))


def _all_candidates(catalog: CatalogFile, elements: dict[str, DataElement]) -> Iterator[Variant]:
    for stage in STAGES:
        yield from _candidates(catalog, elements, stage)


def _candidates(catalog: CatalogFile, elements: dict[str, DataElement], stage: str) -> Iterator[Variant]:
    """Every breakdown of the ``stage`` kind that fits each indicator, indicator by indicator."""
    for index, indicator in enumerate(catalog.indicators):
        used = [elements[code] for code in sorted(referenced_data_elements([indicator])) if code in elements]
        if not used:
            continue
        counted = referenced_data_elements([indicator.model_copy(update={"denominator": "1"})])
        numerator = [elements[code] for code in sorted(counted) if code in elements]
        families = [f for f in families_for(indicator.department) if _fits(f, indicator, used, numerator)]
        for group in combinations(families, _STAGE_SIZE[stage]):
            if stage != "single" and any(f.counts_people for f in group) == (stage == "other pairs"):
                continue
            for members in product(*(family.members for family in group)):
                yield index, members


def _fits(family: Family, indicator: Indicator, used: list[DataElement], numerator: list[DataElement]) -> bool:
    """Whether a breakdown makes sense for an indicator (see ``Family``), and is not already part of it:
    "SC scholarships" are not split by SC / ST / OBC again, nor "Jyotigram (rural domestic) feeders" into
    rural and urban."""
    if family.units is not None and not all(element.unit in family.units for element in numerator):
        return False
    if family.themes is not None and indicator.theme not in family.themes:
        return False
    if family.aggregate_levels_only and any(SINGLE_PLACE_KINDS & set(element.reported_at) for element in used):
        return False
    if family.block_level_only and not all(BLOCK_OR_BELOW_KINDS & set(element.reported_at) for element in used):
        return False
    words = set(re.findall(r"[\w-]+", " ".join([indicator.name, *(element.name for element in used)]).lower()))
    if words & family.unless_words:
        return False
    return not any(member.label.lower() in words for member in family.members)


def _codes_free(catalog: CatalogFile, variant: Variant, taken: set[str]) -> bool:
    """A variant whose indicator code (or a data element code) is already used elsewhere is skipped."""
    index, members = variant
    suffix = _suffix(members)
    indicator = catalog.indicators[index]
    if f"{indicator.code}_{suffix.upper()}" in taken:
        return False
    return not any(f"{code}_{suffix}" in taken for code in referenced_data_elements([indicator]))


def _suffix(members: tuple[Member, ...]) -> str:
    return "_".join(member.suffix for member in members)


def _variant_indicator(
    base: Indicator,
    members: tuple[Member, ...],
    elements: dict[str, DataElement],
    new_elements: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """The base indicator restricted to ``members``, over data elements split the same way."""
    suffix = _suffix(members)

    def split(match: re.Match[str]) -> str:
        code = match.group(1)
        if code not in elements:  # not a catalogue data element; leave the reference alone
            return match.group(0)
        new_code = f"{code}_{suffix}"
        if new_code not in new_elements:
            new_elements[new_code] = _variant_element(elements[code], new_code, members)
        return "#{" + new_code + match.group(2) + "}"

    data = base.model_dump(exclude_none=True)
    phrase = " and ".join(member.phrase for member in members)
    description = base.description or base.name
    data.update(
        code=f"{base.code}_{suffix.upper()}",
        name=_name(base.name, members, "en"),
        names={"gu": _name(base.names["gu"], members, "gu")} if "gu" in base.names else {},
        numerator=_REFERENCE.sub(split, base.numerator),
        denominator=_REFERENCE.sub(split, base.denominator),
        description=f"{description.rstrip('.')}. Counted for {phrase} only.",
    )
    return data


def _variant_element(base: DataElement, code: str, members: tuple[Member, ...]) -> dict[str, Any]:
    data = base.model_dump(exclude_none=True)
    data.update(
        code=code,
        name=_name(base.name, members, "en"),
        names={"gu": _name(base.names["gu"], members, "gu")} if "gu" in base.names else {},
    )
    return data


def _name(name: str, members: tuple[Member, ...], language: str) -> str:
    """``Institutional deliveries (%)`` + SC + PHC -> ``Institutional deliveries (SC) - PHC (%)``."""
    tail = ""
    if name.endswith(_PERCENT_TAIL):
        name, tail = name[: -len(_PERCENT_TAIL)], _PERCENT_TAIL
    labels = [member.label_gu if language == "gu" else member.label for member in members]
    in_brackets = [label for label, member in zip(labels, members, strict=True) if member.style == "paren"]
    after_dash = [label for label, member in zip(labels, members, strict=True) if member.style == "dash"]
    if in_brackets:
        name += f" ({', '.join(in_brackets)})"
    for label in after_dash:
        name += f" - {label}"
    return name + tail


# --------------------------------------------------------------------------------------------------
# Both


def _assemble(
    catalog: CatalogFile, indicators: list[Indicator | dict[str, Any]], new_elements: list[dict[str, Any]]
) -> CatalogFile:
    """A validated catalogue of ``indicators`` with the data elements they use, all departments and constants."""
    used = referenced_data_elements(i for i in indicators if isinstance(i, Indicator))
    kept: list[DataElement | dict[str, Any]] = [e for e in catalog.data_elements if e.code in used]
    return CatalogFile.model_validate(
        {
            "departments": list(catalog.departments),
            "data_elements": kept + new_elements,
            "indicators": indicators,
            "constants": list(catalog.constants),
        }
    )
