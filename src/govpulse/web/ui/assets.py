"""Static files under ``/static``: our CSS and JS, the vendored browser libraries, and the status colours.

The libraries (ECharts, htmx) are installed from npm by ``make assets`` into ``static/vendor/`` and served from
here, never from a CDN, so pages work on closed government networks. When they are missing the pages still
render and say so plainly (``base.html`` shows a notice listing ``missing_vendor_files``).

``/static/status.css`` is generated from ``core.enums.Rag`` and ``Severity``: one custom property per colour,
so no template or stylesheet hard-codes a status colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from govpulse.core.enums import ColouredChoice, Rag, Severity

STATIC_PREFIX = "/static"
STATUS_CSS_PATH = f"{STATIC_PREFIX}/status.css"
INSTALL_COMMAND = "make assets"


@dataclass(frozen=True)
class VendorFile:
    """A browser library file copied from ``node_modules`` by ``make assets``."""

    name: str
    purpose: str

    @property
    def url(self) -> str:
        return f"{STATIC_PREFIX}/vendor/{self.name}"


VENDOR_FILES = (
    VendorFile("htmx.min.js", "partial page updates (htmx)"),
    VendorFile("echarts.min.js", "charts and maps (Apache ECharts)"),
)


def default_static_dir() -> Path:
    """The ``static/`` folder shipped inside the package."""
    return Path(str(resources.files("govpulse.web.ui") / "static"))


def _css_rules(prefix: str, members: type[ColouredChoice]) -> list[str]:
    """``--rag-red`` / ``--rag-red-text`` properties and a ``.rag-red`` class per member (names keep the
    member's value, ``rag-no_data``, so a template writes ``rag-{{ status.value }}`` with no mapping)."""
    properties = [f"  --{prefix}-{m.value}: {m.colour};\n  --{prefix}-{m.value}-text: {m.text_colour};"
                  for m in members]
    classes = [f".{prefix}-{m.value} {{ --status-colour: var(--{prefix}-{m.value}); "
               f"--status-text: var(--{prefix}-{m.value}-text); }}" for m in members]
    return [":root {", *properties, "}", *classes]


def status_css() -> str:
    """Custom properties ``--rag-red``, ``--rag-red-text``, ... and classes ``.rag-red`` that set
    ``--status-colour`` / ``--status-text`` for a badge, from the enums (the one source of these colours)."""
    header = "/* Generated from govpulse.core.enums (Rag, Severity); do not edit. */"
    return "\n".join([header, *_css_rules("rag", Rag), *_css_rules("severity", Severity)]) + "\n"


def _status_css_response() -> Response:
    return Response(status_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


def mount_static(app: FastAPI, directory: Path | None = None) -> None:
    """Serve ``/static/status.css`` (generated) and the files of ``directory`` (default: the package's
    ``static/``) under ``/static``. Call once from ``create_app``."""
    static_dir = directory or default_static_dir()
    app.state.static_dir = static_dir
    # Registered before the mount, which would otherwise answer every /static/... path itself.
    app.add_api_route(STATUS_CSS_PATH, _status_css_response, methods=["GET"], include_in_schema=False,
                      name="status_css")
    app.mount(STATIC_PREFIX, StaticFiles(directory=static_dir), name="static")


def static_dir_of(request: Request) -> Path | None:
    """The folder ``mount_static`` serves for this app, or None when static files were never mounted."""
    return getattr(request.app.state, "static_dir", None)


def missing_vendor_files(static_dir: Path | None) -> tuple[VendorFile, ...]:
    """Vendored libraries that are not installed (all of them when static files are not mounted at all).

    Checked on every page (two ``stat`` calls), so running ``make assets`` on a live server needs no restart.
    """
    if static_dir is None:
        return VENDOR_FILES
    return tuple(f for f in VENDOR_FILES if not (static_dir / "vendor" / f.name).is_file())
