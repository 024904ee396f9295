"""How a connector proves who it is to an API: none, API key, HTTP basic, bearer token, OAuth2 client credentials.

Each kind is a settings model keyed by ``type`` (as written in a source's YAML ``auth:`` block) whose
``build()`` gives what the HTTP client needs. Secrets may be written as ``env:VAR_NAME``; they are read from the
environment when the connector is built, so a missing variable is reported before any request is sent.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Annotated, Literal

import httpx
from pydantic import ConfigDict, Field

from govpulse.ingest.connectors.base import ConnectorError, ConnectorSettings, resolve_secret
from govpulse.ingest.connectors.retry import TransientError

__all__ = ["AuthSettings", "ClientCredentialsAuth", "HttpCredentials"]


@dataclass
class HttpCredentials:
    """What an auth kind adds to requests: an ``httpx.Auth`` and/or fixed headers and query parameters.

    ``secret_params`` names query parameters whose values must never appear in messages or lineage.
    """

    auth: httpx.Auth | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)

    @property
    def secret_params(self) -> frozenset[str]:
        return frozenset(self.params)


class NoAuth(ConnectorSettings):
    type: Literal["none"] = "none"

    def build(self) -> HttpCredentials:
        return HttpCredentials()


class ApiKeyAuth(ConnectorSettings):
    """A key sent in a header (default ``X-API-Key``) or, with ``in: query``, as a query parameter."""

    model_config = ConfigDict(populate_by_name=True)
    type: Literal["api_key"]
    value: str = Field(description="The key, or env:VAR_NAME.")
    name: str = Field("X-API-Key", description="Header or query parameter that carries the key.")
    location: Literal["header", "query"] = Field("header", alias="in")

    def build(self) -> HttpCredentials:
        key = resolve_secret(self.value, setting="auth.value")
        if self.location == "query":
            return HttpCredentials(params={self.name: key})
        return HttpCredentials(headers={self.name: key})


class BasicAuth(ConnectorSettings):
    type: Literal["basic"]
    username: str
    password: str = Field(description="The password, or env:VAR_NAME.")

    def build(self) -> HttpCredentials:
        username = resolve_secret(self.username, setting="auth.username")
        return HttpCredentials(auth=httpx.BasicAuth(username, resolve_secret(self.password, setting="auth.password")))


class BearerAuth(ConnectorSettings):
    type: Literal["bearer"]
    token: str = Field(description="The token, or env:VAR_NAME.")

    def build(self) -> HttpCredentials:
        return HttpCredentials(headers={"Authorization": f"Bearer {resolve_secret(self.token, setting='auth.token')}"})


class OAuth2ClientCredentials(ConnectorSettings):
    """OAuth2 client-credentials grant: a token from ``token_url``, re-fetched when it expires or is refused."""

    type: Literal["oauth2_client_credentials"]
    token_url: str
    client_id: str
    client_secret: str = Field(description="The client secret, or env:VAR_NAME.")
    scope: str | None = None
    client_auth: Literal["basic", "body"] = Field(
        "basic", description="Send the client id and secret as HTTP basic auth (RFC 6749's default) or in the body."
    )

    def build(self) -> HttpCredentials:
        return HttpCredentials(
            auth=ClientCredentialsAuth(
                token_url=self.token_url,
                client_id=resolve_secret(self.client_id, setting="auth.client_id"),
                client_secret=resolve_secret(self.client_secret, setting="auth.client_secret"),
                scope=self.scope,
                client_auth=self.client_auth,
            )
        )


AuthSettings = Annotated[
    NoAuth | ApiKeyAuth | BasicAuth | BearerAuth | OAuth2ClientCredentials, Field(discriminator="type")
]


class ClientCredentialsAuth(httpx.Auth):
    """Bearer tokens from an OAuth2 token endpoint, cached until shortly before they expire.

    A data request answered 401 gets one fresh token and one more try (the server may revoke tokens early).
    """

    requires_response_body = True

    def __init__(
        self,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str | None = None,
        client_auth: str = "basic",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url, self.client_id, self.client_secret = token_url, client_id, client_secret
        self.scope, self.client_auth, self.clock = scope, client_auth, clock
        self._token: str | None = None
        self._expires_at = float("inf")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is None or self.clock() >= self._expires_at:
            self._store((yield self._token_request()))
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            self._store((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    def _token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        headers = {"Accept": "application/json"}
        if self.client_auth == "basic":
            pair = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {pair}"
        else:
            form |= {"client_id": self.client_id, "client_secret": self.client_secret}
        return httpx.Request("POST", self.token_url, data=form, headers=headers)

    def _store(self, response: httpx.Response) -> None:
        where = f"OAuth2 token endpoint {self.token_url}"
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(f"{where} answered {response.status_code}")
        if response.status_code != 200:
            raise ConnectorError(
                f"{where} refused the client credentials: {response.status_code} {response.text[:200]}"
            )
        try:
            answer = response.json()
            self._token = answer["access_token"]
        except (ValueError, KeyError, TypeError):
            raise ConnectorError(f"{where} answered without an access_token: {response.text[:200]}") from None
        lifetime = answer.get("expires_in")
        if lifetime is None:
            self._expires_at = float("inf")
        else:
            lifetime = float(lifetime)  # renew a little early so a token never expires in flight
            self._expires_at = self.clock() + lifetime - min(30.0, lifetime * 0.1)
