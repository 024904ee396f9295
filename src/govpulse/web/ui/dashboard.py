"""Wiring of the dashboard pages into the app.

``create_app`` includes the routers of the pages (``routes/overview.py``, ``departments``, ``indicators``,
``drilldown``, ``flags``, ``wall``, ``exports``, ``maps``) and calls ``install_page_problems(app)``, which turns
a ``PageProblem`` (a page that cannot be shown as asked: absent or out of scope, a bad period) into an HTML
error page with the right status, in the reader's language. ``install_dashboard`` does both, for an app built
without them (benchmarks, tests of a bare app).
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from govpulse.web.ui.pages import PageProblem, problem_page
from govpulse.web.ui.routes import departments, drilldown, exports, flags, indicators, maps, overview, wall

ROUTERS = (overview.router, departments.router, indicators.router, drilldown.router, flags.router, wall.router,
           exports.router, maps.router)


def install_page_problems(app: FastAPI) -> None:
    """Show a ``PageProblem`` as the HTML error page (once; a second call does nothing)."""
    if getattr(app.state, "page_problems_installed", False):
        return
    app.state.page_problems_installed = True

    @app.exception_handler(PageProblem)
    async def _page_problem(request: Request, problem: PageProblem):
        return problem_page(request, problem)


def install_dashboard(app: FastAPI) -> None:
    """The dashboard's routes and its error page, for an app whose ``create_app`` did not add them."""
    install_page_problems(app)
    if not getattr(app.state, "dashboard_routes_installed", False):
        app.state.dashboard_routes_installed = True
        for router in ROUTERS:
            app.include_router(router)
