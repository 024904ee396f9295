"""An app with the action routes, on the access world (one account per role, with phones and e-mails)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.api.routes import actions as action_api
from govpulse.web.app import API_PREFIX, COMMON_PROBLEMS, create_app
from govpulse.web.ui.routes import actions as action_pages
from tests.access.world import ROLE_ACCOUNTS, seed_world
from tests.workflow.world import CONTACTS


def include_action_routes(app):
    """Add the action routers the way web/app.py does once they are wired in (then this does nothing)."""
    if not any(getattr(route, "path", "") == f"{API_PREFIX}/actions" for route in app.routes):
        app.include_router(action_api.router, prefix=API_PREFIX, responses=COMMON_PROBLEMS)
        app.include_router(action_pages.router)
        app.openapi_schema = None
    return app


@dataclass
class Web:
    app: object
    client: TestClient
    tokens: dict[str, dict[str, str]]

    def as_(self, role: str) -> dict[str, str]:
        return self.tokens[role]


def seed_accounts(app) -> dict[str, dict[str, str]]:
    with app.state.session_factory() as session:
        seed_world(session)
        set_actor(session, Actor.system("test set-up"))
        users = UserRepository(session)
        for username, (name, mail, phone) in CONTACTS.items():
            user = users.for_sign_in(username)
            user.full_name, user.email, user.phone = name, mail, phone
        tokens = {name: {"Authorization": "Bearer " + TokenRepository(session).create(
            users.for_sign_in(name), Scope.system(), name="t")[1]} for name in ROLE_ACCOUNTS}
        session.commit()
    return tokens


def web_app(tmp_path, **settings) -> Web:
    app = include_action_routes(create_app(Settings(home=tmp_path, token_rate_limit_per_minute=0, **settings)))
    tokens = seed_accounts(app)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    return Web(app=app, client=client, tokens=tokens)
