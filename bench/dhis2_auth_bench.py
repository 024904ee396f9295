"""50 GET /api/dataValueSets with HTTP basic auth vs Authorization: ApiToken (and Bearer for reference), against
govpulse served by uvicorn in its own process, on the DHIS2 sample (12 org units, 231 values).

    .venv/bin/python dhis2_auth_bench.py --home /tmp/somewhere [--requests 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path.cwd()))
from govpulse.catalog.repositories.credentials import TokenRepository  # noqa: E402
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository  # noqa: E402
from govpulse.core.scope import Scope  # noqa: E402
from govpulse.settings import Settings  # noqa: E402
from govpulse.web.app import create_app  # noqa: E402
from tests.dhis2.conftest import ADMIN, PASSWORD, add_user, import_sample  # noqa: E402

QUERY = {"dataSet": "qNtxTrp56wV", "period": "2018", "orgUnit": "O6uvpzGd5pu"}


def prepare(home: Path) -> str:
    app = create_app(Settings(home=home, token_rate_limit_per_minute=0))
    add_user(app, ADMIN, [AssignmentSpec("admin")])
    with app.state.session_factory() as session:
        user = UserRepository(session).for_sign_in(ADMIN)
        _token, secret = TokenRepository(session).create(user, Scope.system(), name="bench")
        session.commit()
    with TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {secret}"}) as client:
        import_sample(client)
    app.state.engine.dispose()
    return secret


def serve(home: Path, port: int) -> subprocess.Popen:
    code = ("import uvicorn; from govpulse.settings import Settings; from govpulse.web.app import create_app; "
            f"uvicorn.run(create_app(Settings(home={str(home)!r}, token_rate_limit_per_minute=0)), "
            f"host='127.0.0.1', port={port}, log_level='warning')")
    process = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("server did not start")


def run(client: httpx.Client, n: int, **auth) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get("/api/dataValueSets", params=QUERY, **auth)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200 and len(response.json()["dataValues"]) == 9, response.text
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    secret = prepare(args.home)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve(args.home, port)
    kinds = {"basic": {"auth": (ADMIN, PASSWORD)},
             "ApiToken": {"headers": {"Authorization": f"ApiToken {secret}"}},
             "Bearer": {"headers": {"Authorization": f"Bearer {secret}"}}}
    results: dict[str, list[tuple[float, list[float]]]] = {k: [] for k in kinds}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for auth in kinds.values():
                run(client, 5, **auth)  # warm-up: imports, caches, first argon2
            for _ in range(args.rounds):
                for kind, auth in kinds.items():
                    start = time.perf_counter()
                    times = run(client, args.requests, **auth)
                    results[kind].append((time.perf_counter() - start, times))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("| auth | 50 requests, s (rounds) | median ms | p95 ms |")
    for kind, rounds in results.items():
        every = sorted(t for _, times in rounds for t in times)
        p95 = every[int(0.95 * (len(every) - 1))]
        totals = ", ".join(f"{total:.2f}" for total, _ in rounds)
        print(f"| {kind} | {totals} | {statistics.median(every) * 1000:.1f} | {p95 * 1000:.1f} |")


if __name__ == "__main__":
    main()
