"""How a JSON API splits its records over pages: one settings class per ``style``, each knowing its next page.

======== ==================================================================================================
style    next page
======== ==================================================================================================
none     there is none: one request
page     ``page`` parameter 1, 2, 3 ... (``page_size`` per page) until a short or empty page, or the page count
offset   ``offset`` parameter 0, limit, 2*limit ... until a short or empty page, or the total count
cursor   the answer names the next cursor (``cursor_path``), sent back as ``cursor_param``; stops when absent
next_link the answer holds the next page's URL (``next_path``) or a ``Link: <...>; rel="next"`` header
======== ==================================================================================================

Every style stops at ``max_pages`` with an error rather than loop for ever on a misbehaving server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
from pydantic import Field, PositiveInt

from govpulse.ingest.connectors.base import ConnectorSettings, SourceDataError
from govpulse.ingest.connectors.tables import MISSING, value_at

__all__ = ["PageRequest", "PagingSettings"]


@dataclass(frozen=True)
class PageRequest:
    """The URL and query parameters of one page (``number`` counts pages from 1)."""

    url: str
    params: dict[str, Any] = field(default_factory=dict)
    number: int = 1


class _Paging(ConnectorSettings):
    max_pages: PositiveInt = Field(100_000, description="Stop with an error after this many pages.")

    def first(self, url: str, params: dict[str, Any]) -> PageRequest:
        """The request for the first page."""
        return PageRequest(url, params)

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        """The request for the page after ``page`` given its answer, or ``None`` when that was the last."""
        raise NotImplementedError

    def _next(self, page: PageRequest, url: str, params: dict[str, Any]) -> PageRequest:
        if page.number >= self.max_pages:
            raise SourceDataError(f"{page.url}: still more pages after max_pages={self.max_pages}; raise it if "
                                  "the source is really that large")
        return PageRequest(url, params, page.number + 1)


class NoPaging(_Paging):
    style: Literal["none"] = "none"

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        return None


class PagePaging(_Paging):
    style: Literal["page"]
    page_param: str = "page"
    size_param: str | None = Field("page_size", description="Parameter carrying page_size; null to send none.")
    page_size: PositiveInt | None = 100
    first_page: int = 1
    total_pages_path: str | None = Field(None, description="Dotted path of the page count in the answer, if any.")

    def first(self, url: str, params: dict[str, Any]) -> PageRequest:
        size = {self.size_param: self.page_size} if self.size_param and self.page_size else {}
        return PageRequest(url, {**params, **size, self.page_param: self.first_page})

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        if not records:
            return None
        if self.total_pages_path:
            if page.number >= int(_required(document, self.total_pages_path, page.url)):
                return None
        elif self.page_size and len(records) < self.page_size:
            return None
        return self._next(page, page.url, {**page.params, self.page_param: self.first_page + page.number})


class OffsetPaging(_Paging):
    style: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: PositiveInt = 100
    total_path: str | None = Field(None, description="Dotted path of the total record count in the answer, if any.")

    def first(self, url: str, params: dict[str, Any]) -> PageRequest:
        return PageRequest(url, {**params, self.limit_param: self.limit, self.offset_param: 0})

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        offset = int(page.params[self.offset_param]) + len(records)
        if not records or len(records) < self.limit:
            return None
        if self.total_path and offset >= int(_required(document, self.total_path, page.url)):
            return None
        return self._next(page, page.url, {**page.params, self.offset_param: offset})


class CursorPaging(_Paging):
    style: Literal["cursor"]
    cursor_path: str = Field(description="Dotted path of the next cursor in the answer (absent or null: last page).")
    cursor_param: str = "cursor"

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        cursor = value_at(document, self.cursor_path)
        if cursor in (None, "", MISSING) or not records:
            return None
        if cursor == page.params.get(self.cursor_param):
            raise SourceDataError(f"{page.url}: the API answered the same cursor {cursor!r} twice")
        return self._next(page, page.url, {**page.params, self.cursor_param: cursor})


class NextLinkPaging(_Paging):
    style: Literal["next_link"]
    next_path: str | None = Field(None, description="Dotted path of the next page's URL in the answer; null to "
                                                     "follow the Link header (rel=\"next\").")

    def after(self, page: PageRequest, document: Any, records: list, headers: httpx.Headers) -> PageRequest | None:
        if self.next_path:
            link = value_at(document, self.next_path)
            link = None if link is MISSING else link
        else:
            link = httpx.Response(200, headers=headers).links.get("next", {}).get("url")
        if not link:
            return None
        # The link carries its own query; resolve it against the page it came from (it may be relative).
        return self._next(page, str(httpx.URL(page.url).join(link)), {})


PagingSettings = Annotated[
    NoPaging | PagePaging | OffsetPaging | CursorPaging | NextLinkPaging, Field(discriminator="style")
]


def _required(document: Any, path: str, url: str) -> Any:
    value = value_at(document, path)
    if value is None or value is MISSING:
        raise SourceDataError(f"{url}: the answer has nothing at {path!r}")
    return value
