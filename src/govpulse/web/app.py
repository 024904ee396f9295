"""``create_app(settings)``: the FastAPI application. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import asynccontextmanager
from functools import partial

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from govpulse import __version__
from govpulse.analytics.refresh import AfterNewData
from govpulse.analytics.warming import warm_department_summaries
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.core.scope import Scope
from govpulse.ingest.batches import IngestStores
from govpulse.ingest.scheduler import BackgroundScheduler, Scheduler
from govpulse.settings import Settings
from govpulse.web.api.problems import PROBLEM_JSON, install_problem_handlers
from govpulse.web.api.routes import actions, audit, catalog, dhis2, flags, orgunits, scorecard, sources, users, values
from govpulse.web.api.schemas import Problem
from govpulse.web.auth import oidc
from govpulse.web.auth import routes as auth_routes
from govpulse.web.auth.errors import install_access_handlers
from govpulse.web.auth.ratelimit import TokenBuckets
from govpulse.web.auth.secret import secret_key
from govpulse.web.background import PeriodicJob
from govpulse.web.deps import warehouse_of
from govpulse.workflow.jobs import run_scheduled
from govpulse.web.middleware import install_http_middleware
from govpulse.web.ui.assets import mount_static
from govpulse.web.ui.dashboard import ROUTERS as DASHBOARD_ROUTERS
from govpulse.web.ui.dashboard import install_page_problems
from govpulse.web.ui.routes import actions as action_pages
from govpulse.web.ui.routes import admin, home

API_PREFIX = "/api/v1"


def _problem(description: str) -> dict:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# Every API operation may answer these (documented once, so the OpenAPI document lists them everywhere).
COMMON_PROBLEMS: dict[int | str, dict] = {
    400: _problem("Malformed request."),
    401: _problem("Not signed in, or the credentials are wrong, expired or revoked."),
    403: _problem("Signed in, but the account's roles lack the action, the CSRF token is missing, or the account "
                  "must first change a password someone else chose (change_password_at)."),
    404: _problem("No such object, or it lies outside the reader's scope."),
    413: _problem("Request body too large."),
    422: _problem("Invalid parameters or body; `errors` lists each field."),
    429: _problem("Too many requests for this token, or too many failed sign-ins."),
}


def _problems_only_as_problem_json(app: FastAPI) -> None:
    """FastAPI lists a ``model`` response under application/json as well; errors are only ever sent as
    application/problem+json, so the document says just that."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = build()
            for operations in document.get("paths", {}).values():
                for operation in operations.values():
                    for status, response in operation.get("responses", {}).items():
                        content = response.get("content", {})
                        if status[:1] in "45" and PROBLEM_JSON in content:
                            content.pop("application/json", None)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi


def warm_screens(session, warehouse, today) -> None:
    """The state's and districts' overview answers, read before anyone asks (``analytics.warming``)."""
    warm_department_summaries(session, warehouse, today=today)


@asynccontextmanager
async def _lifespan(app: FastAPI):
    """Start the source scheduler, escalations and red flags after new data when serving; close what the app
    opened (background jobs, warehouse, catalogue)."""
    jobs = []
    if app.state.run_scheduler:
        warehouse = warehouse_of(app)
        jobs.append(BackgroundScheduler(Scheduler(IngestStores(app.state.session_factory, warehouse))).start())
        workflow = partial(run_scheduled, app.state.session_factory, app.state.settings, warehouse=warehouse)
        jobs.append(PeriodicJob("escalations", workflow, interval=300).start())
        # Soon after start, then each minute: warm the overview's answers and run the red flags when data moved.
        after_new_data = AfterNewData(app.state.session_factory, warehouse, zone=app.state.settings.timezone,
                                      also=[warm_screens])
        jobs.append(PeriodicJob("after new data", after_new_data, interval=60, first_after=2).start())
    yield
    for job in jobs:
        job.stop()
    warehouse = getattr(app.state, "warehouse", None)
    if warehouse is not None:
        warehouse.close()
        app.state.warehouse = None
    app.state.engine.dispose()


def _operation_id(route: APIRoute) -> str:
    """Stable OpenAPI operation ids: the handler's name."""
    return route.name


def create_app(
    settings: Settings,
    *,
    scope_resolver: Callable[[Request], Scope] | None = None,
    run_scheduler: bool = False,
    oidc_transport: httpx.BaseTransport | None = None,
) -> FastAPI:
    """The app for ``settings``. Readers sign in (session cookie, bearer token, basic auth on the
    DHIS2-compatible routes) and get the scope of their roles. ``scope_resolver`` replaces sign-in with a
    fixed answer (for tests of other features); ``oidc_transport`` routes identity-provider calls (tests)."""
    app = FastAPI(
        title="govpulse",
        version=__version__,
        description="KPIs of every department, rolled up from village to state, with red flags and actions.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        generate_unique_id_function=_operation_id,
        lifespan=_lifespan,
    )
    engine = make_engine(settings.database_url)
    migrate(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.scope_resolver = scope_resolver
    app.state.run_scheduler = run_scheduler
    app.state.secret_key = secret_key(settings)
    app.state.rate_limiter = TokenBuckets(settings.token_rate_limit_per_minute)
    app.state.oidc_enabled = oidc.enabled(settings)
    app.state.oidc_transport = oidc_transport

    install_problem_handlers(app)
    install_access_handlers(app)
    api = APIRouter(prefix=API_PREFIX, responses=COMMON_PROBLEMS)
    for module in (orgunits, catalog, values, scorecard, flags, sources, users, audit, actions):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(dhis2.router)  # DHIS2-compatible routes under /api, outside the versioned API
    app.include_router(home.router)
    app.include_router(auth_routes.router)
    app.include_router(admin.router)
    app.include_router(action_pages.router)
    for router in DASHBOARD_ROUTERS:
        app.include_router(router)
    install_page_problems(app)  # pages answer errors as HTML pages, the API as problem+json
    mount_static(app)
    if app.state.oidc_enabled:
        app.include_router(oidc.router)
    install_http_middleware(app, settings, API_PREFIX)
    _problems_only_as_problem_json(app)
    return app
