"""HTTP behaviour shared by every API endpoint: request size limit, ETag with conditional GET, CORS (off by
default). Pure ASGI middleware, so streaming responses (CSV exports) pass through untouched."""

from __future__ import annotations

import hashlib
import json

from fastapi import FastAPI, HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govpulse.settings import Settings
from govpulse.web.api.problems import PROBLEM_JSON


async def _send_problem(send: Send, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RequestSizeLimit:
    """Refuse request bodies over ``max_bytes`` with 413: at once when Content-Length says so, else as soon as
    the streamed body passes the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = f"request body larger than {self.max_bytes} bytes"
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _send_problem(send, 413, "Content Too Large", too_big)
            return
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query or "\x00" in scope.get("path", ""):  # PostgreSQL refuses NUL
            await _send_problem(send, 400, "Bad Request", "NUL characters are not allowed in URLs")
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_big)  # FastAPI turns it into a problem response
            return message

        await self.app(scope, limited_receive, send)


def _etag_matches(if_none_match: str, etag: str) -> bool:
    candidates = [c.strip() for c in if_none_match.split(",")]
    bare = etag.removeprefix("W/")
    return "*" in candidates or any(c.removeprefix("W/") == bare for c in candidates)


class ETagMiddleware:
    """For GET requests under ``prefix`` answered 200 with JSON: an ETag over the body, and 304 Not Modified
    when ``If-None-Match`` already has it. Bodies differ by reader (each sees their scope), so the response is
    ``Cache-Control: private`` and varies on the credentials."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(
                self.prefix):
            await self.app(scope, receive, send)
            return
        if_none_match = dict(scope["headers"]).get(b"if-none-match", b"").decode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []
        passing_through = False

        async def buffered_send(message: Message) -> None:
            nonlocal start, passing_through
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_json = headers.get(b"content-type", b"").startswith(b"application/json")
                if message["status"] != 200 or not is_json:
                    passing_through = True
                    await send(message)
                else:
                    start = message
                return
            if passing_through or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await self._finish(send, start, b"".join(chunks), if_none_match)

        await self.app(scope, receive, buffered_send)

    @staticmethod
    async def _finish(send: Send, start: Message, body: bytes, if_none_match: str) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        extra = [(b"etag", etag.encode()), (b"cache-control", b"private, no-cache"),
                 (b"vary", b"Authorization, Cookie")]
        if if_none_match and _etag_matches(if_none_match, etag):
            await send({"type": "http.response.start", "status": 304, "headers": extra})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control",
                                                                                      b"vary")]
        await send({**start, "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})


def install_http_middleware(app: FastAPI, settings: Settings, api_prefix: str) -> None:
    """Size limit outermost, then ETag; CORS only when ``settings.cors_origins`` lists origins."""
    app.add_middleware(ETagMiddleware, prefix=api_prefix)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-None-Match", "X-CSRF-Token"],
            expose_headers=["ETag", "Retry-After"],
        )
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
