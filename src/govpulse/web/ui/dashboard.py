"""Wiring of the dashboard pages into the app.

``create_app`` includes ``ROUTERS``, the routers of the dashboard pages (the one list of them), and calls
``install_page_problems(app)``, which turns a ``PageProblem`` (a page that cannot be shown as asked: absent or
out of scope, a bad period) into an HTML error page with the right status, in the reader's language.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from govpulse.web.ui.pages import PageProblem, problem_page
from govpulse.web.ui.routes import account, departments, drilldown, exports, flags, indicators, maps, overview, sources, wall

ROUTERS = (overview.router, departments.router, indicators.router, drilldown.router, flags.router, wall.router,
           exports.router, maps.router, account.router, sources.router)


def install_page_problems(app: FastAPI) -> None:
    """Show a ``PageProblem`` as the HTML error page (once; a second call does nothing)."""
    if getattr(app.state, "page_problems_installed", False):
        return
    app.state.page_problems_installed = True

    @app.exception_handler(PageProblem)
    async def _page_problem(request: Request, problem: PageProblem):
        return problem_page(request, problem)
