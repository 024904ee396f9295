"""Wiring of the dashboard pages into the app: one call from ``create_app``.

    from govpulse.web.ui.dashboard import install_dashboard
    install_dashboard(app)          # after app.include_router(home.router)

It includes the routers of every dashboard page (drill-down, maps, departments, indicators, flags, video
wall, exports) and turns a ``PageProblem`` (a page that cannot be shown as asked: absent or out of scope, a
bad period) into an HTML error page with the right status, in the reader's language.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from govpulse.web.ui.pages import PageProblem, problem_page
from govpulse.web.ui.routes import departments, drilldown, exports, flags, indicators, maps, wall

ROUTERS = (departments.router, indicators.router, flags.router, drilldown.router, maps.router, exports.router, wall.router)


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard's routes and its error page to ``app`` (once)."""
    if getattr(app.state, "dashboard_installed", False):
        return
    app.state.dashboard_installed = True

    @app.exception_handler(PageProblem)
    async def _page_problem(request: Request, problem: PageProblem):
        return problem_page(request, problem)

    for router in ROUTERS:
        app.include_router(router)
