"""An app on a fresh home with a small tree and catalogue, and a client signed in as a state-level user (CMO)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import DataElement, Department, Indicator
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.catalog.test_store import TREE
from tests.web.access_matrix import matrix_seed, matrix_values, matrix_world  # noqa: F401 (fixtures for every matrix module)

STATE_USER = "state.cmo"


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


def bearer_token(app, username: str, assignments: list[AssignmentSpec]) -> str:
    """Create ``username`` with ``assignments`` (no password) and return a fresh API token for it."""
    with app.state.session_factory() as session:
        set_actor(session, Actor.system("test set-up"))
        user = UserRepository(session).create(Scope.system(), username=username, assignments=assignments)
        _token, secret = TokenRepository(session).create(user, Scope.system(), name="tests")
        session.commit()
    return secret


@pytest.fixture
def client(app):
    """Signed in as the Chief Minister's Office (the whole state) with a bearer token."""
    token = bearer_token(app, STATE_USER, [AssignmentSpec(role="cmo", org_unit="24")])
    with TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client


@pytest.fixture
def anonymous(app):
    with TestClient(app, base_url="https://testserver") as test_client:
        yield test_client
