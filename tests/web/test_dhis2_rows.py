"""The DHIS2-compatible routes' matrix rows live with their tests in tests/dhis2; the coverage test reads them here."""

from tests.dhis2.test_access_matrix import ROWS, WRITES  # noqa: F401
