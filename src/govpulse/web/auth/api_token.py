"""DHIS2's personal access tokens (``Authorization: ApiToken <token>``, DHIS2 2.37+) on the DHIS2-compatible routes.

DHIS2 clients that hold a token send it under DHIS2's own scheme name rather than ``Bearer``. govpulse takes its
own API tokens (``govpulse user token``, ``POST /api/v1/tokens``) there, resolving to the same user and scope as
``Bearer``: a hash look-up, where basic auth verifies an argon2 hash on every request. ``Dhis2CurrentUser`` is
``BasicCurrentUser`` (bearer, basic, cookie) plus this header.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBasicCredentials
from fastapi.security.utils import get_authorization_scheme_param

from govpulse.web.auth.csrf import sent_csrf_token
from govpulse.web.auth.principal import Principal, SignInRequired, resolve_principal
from govpulse.web.deps import SessionDep, basic_auth, bearer_auth, cookie_auth

SCHEME = "ApiToken"

# Declared as a header key so that OpenAPI documents it; the scheme word is checked by ``api_token`` below.
api_token_header = APIKeyHeader(
    name="Authorization", scheme_name="apiToken", auto_error=False,
    description="DHIS2's personal access token header, `Authorization: ApiToken gpt_...`, carrying a govpulse "
                "API token (the same user and scope as `Bearer`), for DHIS2 clients on the DHIS2-compatible "
                "routes.")


def api_token(header: Annotated[str | None, Depends(api_token_header)]) -> str | None:
    """The token of an ``Authorization: ApiToken <token>`` header (the scheme word in any case, as DHIS2 reads
    it); ``""`` when the word comes without a token (refused as a wrong token); None for any other header."""
    scheme, token = get_authorization_scheme_param(header)
    return token.strip() if scheme.lower() == SCHEME.lower() else None


def get_dhis2_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_auth)],
    basic: Annotated[HTTPBasicCredentials | None, Depends(basic_auth)],
    token: Annotated[str | None, Depends(api_token)],
    cookie: Annotated[str | None, Depends(cookie_auth)],
    csrf_sent: Annotated[str | None, Depends(sent_csrf_token)],
) -> Principal:
    principal = resolve_principal(request, session, bearer=bearer, basic=basic, api_token=token, cookie=cookie,
                                  csrf_sent=csrf_sent)
    if principal is None:
        raise SignInRequired(basic=True)  # DHIS2 clients without a token fall back to a password
    return principal


Dhis2CurrentUser = Annotated[Principal, Depends(get_dhis2_principal)]
