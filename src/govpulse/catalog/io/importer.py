"""Catalogue files <-> the catalogue store: create or update by code, and export back to the file format.

Reading and checking a file is ``schema`` / ``csv_files``; this module only moves checked data in and out of
the database, so a state can keep its thousands of indicators under version control.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govpulse.catalog import models
from govpulse.catalog.io import schema
from govpulse.catalog.io.csv_files import dump_indicators_csv, load_indicators_csv
from govpulse.catalog.io.errors import CatalogError, CatalogIssue


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_catalog(path: Path) -> schema.CatalogFile:
    """A catalogue from a folder of YAML files, one YAML file, or a CSV of indicators (checked later against the
    data elements already in the store)."""
    if path.is_dir():
        return schema.load_catalog_dir(path)
    if path.suffix.lower() == ".csv":
        return schema.CatalogFile.model_validate({"indicators": load_indicators_csv(path)}, context=schema.PARTIAL)
    return schema.load_catalog_file(path)


def import_catalog(session: Session, catalog: schema.CatalogFile) -> ImportResult:
    """Create or update every item of ``catalog`` by code (nothing is deleted). Indicators may refer to
    departments and data elements already in the store."""
    result = ImportResult()
    departments = _upsert(session, models.Department, catalog.departments, _department_fields, result)
    department_ids = {d.code: d.id for d in session.scalars(select(models.Department))} | departments
    _check_references(session, catalog, department_ids)
    _upsert(session, models.DataElement, catalog.data_elements,
            lambda item: _data_element_fields(item, department_ids), result)
    indicators = _upsert(session, models.Indicator, catalog.indicators,
                         lambda item: _indicator_fields(item, department_ids), result)
    _upsert(session, models.Constant, catalog.constants, lambda item: {"value": item.value}, result)
    _set_standing_targets(session, catalog.indicators, indicators)
    session.flush()
    return result


def _check_references(session: Session, catalog: schema.CatalogFile, department_ids: dict[str, int]) -> None:
    """Items may refer to what the store already holds; anything still unknown is an error naming the item."""
    known_elements = set(session.scalars(select(models.DataElement.code))) | {e.code for e in catalog.data_elements}
    issues = []
    for section in ("data_elements", "indicators"):
        for index, item in enumerate(getattr(catalog, section)):
            if item.department not in department_ids:
                issues.append(CatalogIssue(f"unknown department {item.department!r}", f"{section}[{index}].department"))
    for index, indicator in enumerate(catalog.indicators):
        missing = schema.referenced_data_elements([indicator]) - known_elements
        for code in sorted(missing):
            issues.append(CatalogIssue(f"unknown data element {code!r}", f"indicators[{index}]"))
    if issues:
        raise CatalogError(issues)


def _upsert(session: Session, model, items, fields, result: ImportResult) -> dict[str, int]:
    existing = {row.code: row for row in session.scalars(select(model).where(model.code.in_([i.code for i in items])))}
    for item in items:
        values = fields(item)
        row = existing.get(item.code)
        if row is None:
            row = model(code=item.code, **values)
            session.add(row)
            existing[item.code] = row
            result.created += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    return {code: row.id for code, row in existing.items()}


def _department_fields(item: schema.Department) -> dict:
    return {"name": item.name, "names": dict(item.names), "description": item.description}


def _data_element_fields(item: schema.DataElement, department_ids: dict[str, int]) -> dict:
    return {
        "name": item.name, "names": dict(item.names), "department_id": department_ids[item.department],
        "value_type": item.value_type.value, "aggregation_type": item.aggregation_type.value,
        "period_type": item.period_type.value, "reported_at": [k.value for k in item.reported_at],
        "min_value": item.min, "max_value": item.max, "unit": item.unit, "description": item.description,
    }


def _indicator_fields(item: schema.Indicator, department_ids: dict[str, int]) -> dict:
    bands = item.thresholds
    return {
        "name": item.name, "names": dict(item.names), "department_id": department_ids[item.department],
        "theme": item.theme, "numerator": item.numerator, "denominator": item.denominator,
        "factor": item.factor, "unit": item.unit, "decimals": item.decimals, "polarity": item.polarity.value,
        "weight": item.weight, "threshold_basis": bands.basis if bands else None,
        "threshold_green": bands.green if bands else None, "threshold_amber": bands.amber if bands else None,
        "source_system": item.source_system, "description": item.description,
    }


def _set_standing_targets(session: Session, items, indicator_ids: dict[str, int]) -> None:
    """The file's ``target`` is the state's standing target (no org unit, no period)."""
    standing = {
        t.indicator_id: t
        for t in session.scalars(select(models.Target).where(models.Target.org_unit_id.is_(None),
                                                              models.Target.period.is_(None)))
    }
    for item in items:
        indicator_id = indicator_ids[item.code]
        target = standing.get(indicator_id)
        if item.target is None:
            if target is not None:
                session.delete(target)
        elif target is None:
            session.add(models.Target(indicator_id=indicator_id, value=item.target, origin="catalogue"))
        elif target.value != item.target:
            target.value = item.target


def export_catalog(session: Session) -> schema.CatalogFile:
    """The whole catalogue store in the file format."""
    departments = {d.id: d for d in session.scalars(select(models.Department).order_by(models.Department.code))}
    codes = {i: d.code for i, d in departments.items()}
    targets = {
        t.indicator_id: t.value
        for t in session.scalars(select(models.Target).where(models.Target.org_unit_id.is_(None),
                                                              models.Target.period.is_(None)))
    }
    data = {
        "departments": [_department_fields(d) | {"code": d.code} for d in departments.values()],
        "data_elements": [_data_element_data(e, codes) for e in
                          session.scalars(select(models.DataElement).order_by(models.DataElement.code))],
        "indicators": [_indicator_data(i, codes, targets.get(i.id)) for i in
                       session.scalars(select(models.Indicator).order_by(models.Indicator.code))],
        "constants": [{"code": c.code, "value": c.value} for c in
                      session.scalars(select(models.Constant).order_by(models.Constant.code))],
    }
    return schema.CatalogFile.model_validate(data)


def _data_element_data(row: models.DataElement, department_codes: dict[int, str]) -> dict:
    return {
        "code": row.code, "name": row.name, "names": row.names, "department": department_codes[row.department_id],
        "value_type": row.value_type, "aggregation_type": row.aggregation_type, "period_type": row.period_type,
        "reported_at": row.reported_at, "min": row.min_value, "max": row.max_value, "unit": row.unit,
        "description": row.description,
    }


def _indicator_data(row: models.Indicator, department_codes: dict[int, str], target: float | None) -> dict:
    data = {
        "code": row.code, "name": row.name, "names": row.names, "department": department_codes[row.department_id],
        "theme": row.theme, "numerator": row.numerator, "denominator": row.denominator, "factor": row.factor,
        "unit": row.unit, "decimals": row.decimals, "polarity": row.polarity, "weight": row.weight,
        "target": target, "source_system": row.source_system, "description": row.description,
    }
    if row.threshold_basis:
        data["thresholds"] = {"basis": row.threshold_basis, "green": row.threshold_green,
                              "amber": row.threshold_amber}
    return data


def write_catalog(catalog: schema.CatalogFile, path: Path) -> None:
    if path.suffix.lower() == ".csv":
        dump_indicators_csv(catalog.indicators, path)
    else:
        schema.dump_catalog(catalog, path)
