"""The Jinja2 environment shared by every page.

Every template gets, without the route doing anything:

- ``ui``: the reader's language, digit style and time zone, the language switcher's links, and which vendored
  libraries are installed (``PageUi``);
- ``t(key, **params)``: a message of the interface in the reader's language (``i18n.py``);
- filters that format in that language: ``indian``, ``compact``, ``percent``, ``date``, ``datetime``,
  ``time``, ``age`` and ``digits`` (``core/formatting.py``), and ``local_name`` (an object's ``names[lang]``);
- ``Rag`` and ``Severity``, whose colours reach CSS only through ``/static/status.css``.

A page opened with ``?lang=gu`` also remembers the choice in the ``lang`` cookie.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.datastructures import URL
from starlette.requests import Request

from govpulse import __version__
from govpulse.core import formatting
from govpulse.core.enums import Rag, Severity
from govpulse.web.ui.assets import VENDOR_FILES, VendorFile, missing_vendor_files, static_dir_of
from govpulse.web.ui.i18n import (
    DEFAULT_LANGUAGE,
    LANG_COOKIE,
    KeepMissing,
    LANG_PARAM,
    asked_language,
    catalogue,
    request_language,
)

LANG_COOKIE_SECONDS = 365 * 24 * 3600
DEFAULT_TIMEZONE = "Asia/Kolkata"


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class PageUi:
    """What every page needs to know about its reader and installation."""

    lang: str = DEFAULT_LANGUAGE
    digits: formatting.Digits = "latin"
    timezone: str = DEFAULT_TIMEZONE
    missing_assets: tuple[VendorFile, ...] = ()
    url: URL | None = None

    @property
    def languages(self) -> list[tuple[str, str]]:
        """``(code, own name)`` of every language, for the switcher."""
        return list(catalogue().names.items())

    @property
    def vendor_scripts(self) -> list[str]:
        """URLs of the vendored libraries that are installed (a missing one is left out, not a 404)."""
        return [f.url for f in VENDOR_FILES if f not in self.missing_assets]

    def language_url(self, code: str) -> str:
        """This page in language ``code``: the same path and query with ``lang`` set."""
        if self.url is None:
            return f"/?{LANG_PARAM}={code}"
        url = self.url.include_query_params(**{LANG_PARAM: code})
        return f"{url.path}?{url.query}"

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the installation's wall clock (a naive datetime is taken as UTC, as stored)."""
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return aware.astimezone(_zone(self.timezone))


def page_ui(request: Request) -> PageUi:
    settings = getattr(request.app.state, "settings", None)
    return PageUi(
        lang=request_language(request),
        # A future setting (``ui_digits``) may turn native digits on for an installation; Latin by default.
        digits=getattr(settings, "ui_digits", "latin"),
        timezone=getattr(settings, "timezone", DEFAULT_TIMEZONE),
        missing_assets=missing_vendor_files(static_dir_of(request)),
        url=request.url,
    )


def _ui(context: Mapping[str, Any]) -> PageUi:
    ui = context.get("ui")
    return ui if isinstance(ui, PageUi) else PageUi()


@pass_context
def _t(context: Mapping[str, Any], key: str, **params: object) -> Markup:
    """The message as text (escaped), with each parameter escaped unless it is already markup, so a page can
    pass ``<code>make assets</code>`` made with ``{% set %}`` but never inject HTML through a name."""
    message = catalogue().lookup(_ui(context).lang, key, params.get("n"))
    return escape(message).format_map(KeepMissing(params)) if params else escape(message)


@pass_context
def _indian(context, value, decimals: int = 0) -> str:
    ui = _ui(context)
    return formatting.format_indian(value, decimals, lang=ui.lang, digits=ui.digits)


@pass_context
def _compact(context, value, significant: int = 3) -> str:
    ui = _ui(context)
    return formatting.format_compact(value, ui.lang, digits=ui.digits, significant=significant)


@pass_context
def _percent(context, value, decimals: int = 1) -> str:
    ui = _ui(context)
    return formatting.format_percent(value, decimals, lang=ui.lang, digits=ui.digits)


@pass_context
def _date(context, value: date | datetime | None, style: formatting.DateStyle = "long") -> str:
    ui = _ui(context)
    day = ui.local(value).date() if isinstance(value, datetime) else value
    return formatting.format_date(day, ui.lang, style=style, digits=ui.digits)


@pass_context
def _datetime(context, value: datetime | None, style: formatting.DateStyle = "short") -> str:
    ui = _ui(context)
    return formatting.format_datetime(value and ui.local(value), ui.lang, style=style, digits=ui.digits)


@pass_context
def _time(context, value: datetime | None) -> str:
    ui = _ui(context)
    return formatting.format_time(value and ui.local(value), ui.lang, digits=ui.digits)


@pass_context
def _age(context, value: datetime | None) -> str:
    ui = _ui(context)
    then = value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    return formatting.format_age(then, datetime.now(UTC), ui.lang, digits=ui.digits)


@pass_context
def _digits(context, value: object) -> str:
    ui = _ui(context)
    text = str(value)
    return formatting.native_digits(text, ui.lang) if ui.digits == "native" else text


@pass_context
def _local_name(context, thing: object) -> str:
    """An org unit's, department's or indicator's name in the reader's language (``names``), else its name."""
    names = getattr(thing, "names", None) or {}
    return names.get(_ui(context).lang) or getattr(thing, "name", str(thing))


def _now() -> datetime:
    return datetime.now(UTC)


class PageTemplates(Jinja2Templates):
    """Jinja2 templates that remember a language asked for with ``?lang=`` in the ``lang`` cookie."""

    def TemplateResponse(self, request: Request, name: str, context: dict | None = None, *args, **kwargs):  # noqa: N802
        response = super().TemplateResponse(request, name, context, *args, **kwargs)
        asked = asked_language(request)
        if asked is not None and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(LANG_COOKIE, asked, max_age=LANG_COOKIE_SECONDS, path="/", samesite="lax",
                                httponly=True, secure=request.url.scheme == "https")
        return response


@functools.cache
def templates() -> PageTemplates:
    pages = PageTemplates(directory=str(resources.files("govpulse.web.ui") / "templates"),
                          context_processors=[lambda request: {"ui": page_ui(request)}])
    env = pages.env
    env.globals.update(t=_t, now=_now, Rag=Rag, Severity=Severity, govpulse_version=__version__)
    env.filters.update(indian=_indian, compact=_compact, percent=_percent, date=_date, datetime=_datetime,
                       time=_time, age=_age, digits=_digits, local_name=_local_name)
    return pages
