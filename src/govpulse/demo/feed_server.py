"""A small HTTP server playing two departments' systems for the demo, over the files ``source_feeds`` writes.

    GET /gsrtc/api/v1/daily-operations?page=1&page_size=500[&updated_since=ISO]
        {"data": [records], "page": 1} from feeds/transport_trips/*.json (files changed after updated_since)
    GET /dhis2/api/dataValueSets?dataSet=...[&lastUpdated=ISO]
        {"dataValues": [...]} from feeds/wcd_anganwadi/*.json (files changed after lastUpdated), as DHIS2 answers

It listens on 127.0.0.1 only and serves nothing else; ``govpulse serve`` starts it in demo mode and registers the
demo sources with its ``url``.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

__all__ = ["DemoFeedServer"]


class DemoFeedServer:
    """``DemoFeedServer(home).start()``; ``url`` is where it listens; ``stop()`` ends it."""

    def __init__(self, home: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.feeds = Path(home) / "feeds"
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="demo-feeds", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DemoFeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> DemoFeedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict]:
        if path == "/gsrtc/api/v1/daily-operations":
            records = [r for f in self._files("transport_trips", query.get("updated_since")) for r in _load(f)]
            page, size = int(query.get("page", 1)), int(query.get("page_size", 500))
            return 200, {"data": records[(page - 1) * size : page * size], "page": page}
        if path == "/dhis2/api/dataValueSets":
            if not query.get("dataSet"):
                return 409, {"httpStatus": "Conflict", "message": "At least one data set must be specified"}
            values = [v for f in self._files("wcd_anganwadi", query.get("lastUpdated")) for v in _load(f)["dataValues"]]
            return 200, {"dataValues": values} if values else {}
        return 404, {"message": f"no such feed: {path}"}

    def _files(self, source: str, since: str | None) -> list[Path]:
        files = sorted((self.feeds / source).glob("*.json"))
        if since:
            cutoff = datetime.fromisoformat(since)
            cutoff = cutoff.replace(tzinfo=UTC) if cutoff.tzinfo is None else cutoff
            files = [f for f in files if datetime.fromtimestamp(f.stat().st_mtime, UTC) > cutoff]
        return files


def _load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _handler(server: DemoFeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server naming
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            try:
                status, body = server.answer(parts.path, query)
            except (ValueError, OSError) as error:
                status, body = 400, {"message": str(error)}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # quiet: the demo's console is for people
            pass

    return Handler
