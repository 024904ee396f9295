"""``create_app(settings)``: the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from govpulse import __version__
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.core.scope import Scope
from govpulse.settings import Settings
from govpulse.web.api.problems import install_problem_handlers
from govpulse.web.api.routes import catalog, orgunits
from govpulse.web.ui.routes import home

API_PREFIX = "/api/v1"


def _operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids: the handler's name."""
    return route.name


def create_app(settings: Settings, *, scope_resolver: Callable[[Request], Scope] | None = None) -> FastAPI:
    app = FastAPI(
        title="govpulse",
        version=__version__,
        description="KPIs of every department, rolled up from village to state, with red flags and actions.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        generate_unique_id_function=_operation_id,
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.scope_resolver = scope_resolver or (lambda request: Scope.system())

    install_problem_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (orgunits, catalog):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(home.router)
    return app
