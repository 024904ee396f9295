"""The Jinja2 environment shared by every page."""

from __future__ import annotations

import functools
from importlib import resources

from fastapi.templating import Jinja2Templates


@functools.cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(resources.files("govpulse.web.ui") / "templates"))
