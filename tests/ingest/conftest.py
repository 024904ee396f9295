"""Fixtures for the ingest tests: a real local HTTP server that tests turn into whichever API they need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ingest.api_server import ApiServer


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer().start()
    yield server
    server.stop()
