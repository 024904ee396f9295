"""An app on a fresh home with a small tree and catalogue."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.models import DataElement, Department, Indicator
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.catalog.test_store import TREE


@pytest.fixture
def app(tmp_path):
    application = create_app(Settings(home=tmp_path))
    with application.state.session_factory() as session:
        OrgUnitRepository(session).replace_all(TREE)
        health = Department(code="HEALTH", name="Health", names={"gu": "આરોગ્ય"})
        session.add(health)
        session.flush()
        session.add_all([
            DataElement(code="births", name="Births", department_id=health.id, value_type="INTEGER",
                        aggregation_type="SUM", period_type="Monthly", reported_at=["village"]),
            Indicator(code="HLT_INST", name="Institutional deliveries", department_id=health.id,
                      numerator="#{births}", denominator="1", factor=100, unit="%", decimals=1),
        ])
        session.commit()
    return application


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client
