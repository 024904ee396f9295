"""Every role against the account page (``/account``, a page outside the OpenAPI document, so the coverage test
does not ask for it): one's own settings, which every signed-in account may read and change, whatever its role,
and nobody without signing in. World: tests/access/world.py.

A POST with a bearer token needs no CSRF token (browsers never send bearer tokens on their own); it saves the
language and answers 303 to ``/account?saved=1``, which the test client follows (200). The cookie-session POST
with and without the CSRF token, and an unknown language, are tested in tests/web/ui/test_account.py.
"""

from __future__ import annotations

import pytest

from tests.web.access_matrix import cases, check, row

ACCOUNT = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", "/account", "one's own account",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
    row("POST", "/account", "one's own language (as form fields)",
        "401    200    200    200    200    200    200    200    200    200    200    200    200",
        body={"language": "gu"}, files={}),
]


@pytest.mark.parametrize(("entry", "role"), cases(ACCOUNT))
def test_account(matrix_world, entry, role):
    check(matrix_world, entry, role)
