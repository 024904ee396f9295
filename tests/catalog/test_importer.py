"""Catalogue files into the store and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from govpulse.catalog.io import schema
from govpulse.catalog.io.errors import CatalogError
from govpulse.catalog.io.importer import export_catalog, import_catalog, read_catalog, write_catalog

SMALL = {
    "departments": [{"code": "HEALTH", "name": "Health", "names": {"gu": "આરોગ્ય"}}],
    "data_elements": [
        {"code": "deliveries_inst", "name": "Institutional deliveries", "department": "HEALTH",
         "aggregation_type": "SUM", "period_type": "Monthly", "reported_at": ["village"], "min": 0},
        {"code": "deliveries_all", "name": "All deliveries", "department": "HEALTH",
         "aggregation_type": "SUM", "period_type": "Monthly", "reported_at": ["village"]},
    ],
    "indicators": [
        {"code": "HLT_INST_PCT", "name": "Institutional deliveries (%)", "department": "HEALTH",
         "numerator": "#{deliveries_inst}", "denominator": "#{deliveries_all}", "factor": 100, "unit": "%",
         "target": 95, "thresholds": {"basis": "percent_of_target", "green": 95, "amber": 80}},
    ],
}


def test_import_then_reimport_counts_and_round_trips(session, tmp_path):
    catalog = schema.CatalogFile.model_validate(SMALL)
    first = import_catalog(session, catalog)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    session.commit()
    again = import_catalog(session, catalog)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)

    changed = schema.CatalogFile.model_validate({**SMALL, "indicators": [{**SMALL["indicators"][0], "factor": 1000}]})
    assert import_catalog(session, changed).updated == 1
    session.commit()

    exported = export_catalog(session)
    assert exported.indicators[0].factor == 1000
    assert exported.indicators[0].target == 95
    assert exported.indicators[0].thresholds.amber == 80
    assert exported.departments[0].names == {"gu": "આરોગ્ય"}

    path = tmp_path / "catalogue.yaml"
    write_catalog(exported, path)
    assert read_catalog(path) == exported


def test_indicator_naming_an_unknown_data_element_is_refused(session):
    import_catalog(session, schema.CatalogFile.model_validate(SMALL))
    lone = {"indicators": [{**SMALL["indicators"][0], "code": "HLT_X", "numerator": "#{nowhere}"}]}
    with pytest.raises(CatalogError, match="unknown data element 'nowhere'"):
        import_catalog(session, schema.CatalogFile.model_validate(lone, context=schema.PARTIAL))
