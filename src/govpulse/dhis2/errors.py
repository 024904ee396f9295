"""How the DHIS2-compatible API says no.

* ``IllegalQuery``: a request DHIS2 would refuse as illegal (no period, an unsupported dimension, ...): 409
  Conflict with DHIS2's web message and ``errorCode``, which DHIS2 clients show as they would DHIS2's.
* ``NotFound``: an org unit, data element, indicator or data set that does not exist *or lies outside the
  reader's scope*: 404, like every other govpulse endpoint, so the two cannot be told apart. (DHIS2 answers 409
  "User is not allowed to view org unit" (E7120) for the second; govpulse does not reveal that the unit exists.)
"""

from __future__ import annotations

__all__ = ["IllegalQuery", "NotFound"]


class IllegalQuery(ValueError):
    def __init__(self, message: str, error_code: str = "E7100") -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code


class NotFound(LookupError):
    """Absent, or outside the reader's scope (answered 404)."""
