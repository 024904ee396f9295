"""Property-based API test: schemathesis generates requests from /api/v1/openapi.json and sends them to the app
in-process, signed in as a state-level account (an administrator, so the writes are exercised too).

No generated input may cause a 5xx, and every answer must match the document: its status codes, content
types and response schemas. Kept small (a few examples per operation) so it runs in seconds.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.app import create_app
from tests.access.world import seed_world

EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    app = create_app(Settings(home=tmp_path_factory.mktemp("fuzz"), token_rate_limit_per_minute=0))
    with app.state.session_factory() as session:
        seed_world(session)
        _token, app.state.fuzz_token = TokenRepository(session).create(
            UserRepository(session).for_sign_in("admin"), Scope.system(), name="fuzz")
        session.commit()
    return app


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_no_generated_request_breaks_the_api(fuzz_app, mode):
    """Every operation, with inputs valid by the document and inputs that break it (those must be 4xx)."""
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    failures = []
    operations = _operations(fuzz_app)
    assert len(operations) >= 21
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
