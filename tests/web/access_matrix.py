"""The role x endpoint access matrix: rows written out by hand, one expected answer per role.

To cover a new endpoint, add rows in its own test module under tests/web (whose conftest provides the
``matrix_world`` fixture) and run them against the same world::

    from tests.web.access_matrix import cases, check, row

    ROWS = [
        #                                                     anon none cmo sec col ddo com tdo tal pri opr aud adm
        row("GET", "/api/v1/values?ou=515001", "Kutch village",
            "401  404  200 200 404 404 404 404 404 404 200 200 200"),
    ]

    @pytest.mark.parametrize(("entry", "role"), cases(ROWS))
    def test_matrix(matrix_world, entry, role):
        check(matrix_world, entry, role)

A cell is a status code, or ``"200:6"`` for a status and the number of items (``total`` of a page, or the
length of a list). The world (``tests/access/world.py``) has one account per role; a module that needs more
data overrides the ``matrix_seed`` fixture with a function ``(session) -> None``, and a module may set
``MATRIX_APP_SETUP = function(app)`` to change the app before the world is seeded. A row with ``files``
sends a multipart upload (``body`` then goes as form fields).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import pytest
from fastapi.testclient import TestClient

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.users import AssignmentSpec, UserRepository
from govpulse.core.scope import Scope
from govpulse.ingest.warehouse_sync import sync_dimensions
from govpulse.settings import Settings
from govpulse.warehouse import connect
from govpulse.web.app import create_app
from tests.access.world import ROLE_ACCOUNTS, seed_world

# The columns of every matrix row, in order: no credentials, an account with no role, then one per role.
COLUMNS = ("anonymous", "nobody", "cmo", "secretary", "collector", "ddo", "commissioner", "tdo", "talati",
           "principal", "operator", "auditor", "admin")


@dataclass(frozen=True)
class Expect:
    status: int
    items: int | None = None

    @classmethod
    def parse(cls, cell: int | str) -> Expect:
        status, _, items = str(cell).partition(":")
        return cls(int(status), int(items) if items else None)


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    target: str
    expect: dict[str, Expect]
    body: dict | Callable[[str], dict] | None = None
    setup: Callable[[object], dict[str, str]] | None = field(default=None, compare=False)
    files: dict | None = field(default=None, compare=False)


def row(method: str, path: str, target: str, *cells: int | str, body=None, setup=None, files=None) -> Row:
    """A matrix row; ``cells`` follow ``COLUMNS``, given one by one or as one string separated by spaces.
    ``body`` may be a function of the role (unique names); ``setup(world)`` returns values for
    ``{placeholders}`` in ``path`` (e.g. a fresh account to disable)."""
    if len(cells) == 1 and isinstance(cells[0], str):
        cells = tuple(cells[0].split())
    if len(cells) != len(COLUMNS):
        raise ValueError(f"{method} {path}: {len(cells)} cells for {len(COLUMNS)} columns {COLUMNS}")
    return Row(method, path, target, {c: Expect.parse(v) for c, v in zip(COLUMNS, cells)}, body, setup, files)


# API operations no matrix row can reach yet, each with its reason: "METHOD /path/{param}" -> why.
EXEMPT: dict[str, str] = {}


def all_rows() -> list[Row]:
    """The rows of every matrix module under tests/web (module-level lists of ``Row``)."""
    import tests.web

    rows: list[Row] = []
    for module in pkgutil.iter_modules(tests.web.__path__):
        if module.name.startswith("test_"):
            loaded = importlib.import_module(f"tests.web.{module.name}")
            for value in vars(loaded).values():
                if isinstance(value, list) and value and all(isinstance(item, Row) for item in value):
                    rows.extend(value)
    return rows


def path_template(path: str, operations: set[tuple[str, str]], method: str) -> str | None:
    """The OpenAPI path a concrete row path belongs to (``/api/v1/orgunits/515001`` -> ``.../{code}``)."""
    parts = path.split("?")[0].strip("/").split("/")
    for op_method, template in sorted(operations, key=lambda op: op[1].count("{")):  # literal paths first
        pattern = template.strip("/").split("/")
        if op_method == method and len(pattern) == len(parts) and all(
                p == c or (p.startswith("{") and p.endswith("}")) for p, c in zip(pattern, parts)):
            return template
    return None


def cases(rows: list[Row]) -> list:
    return [pytest.param(entry, role, id=f"{entry.method} {entry.path} [{entry.target}] as {role}")
            for entry in rows for role in COLUMNS]


@dataclass
class World:
    app: object
    client: TestClient
    tokens: dict[str, str]
    serial: count = field(default_factory=lambda: count(1))

    def headers(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.tokens[role]}"}

    def fresh_account(self, prefix: str = "victim") -> str:
        """A new account (a talati of Surat) to be changed by a write row."""
        username = f"{prefix}{next(self.serial)}"
        with self.app.state.session_factory() as session:
            set_actor(session, Actor.system("test set-up"))
            UserRepository(session).create(Scope.system(), username=username,
                                           assignments=[AssignmentSpec("talati", "525001")])
            session.commit()
        return username


@pytest.fixture(scope="module")
def matrix_seed() -> Callable[[object], None]:
    """Extra data for a module's rows (override in the module); runs after the world is seeded."""
    return lambda session: None


@pytest.fixture(scope="module")
def matrix_values():
    """Leaf values (a pyarrow table in the warehouse's input form) for a module's rows; override in the module."""
    return None


@pytest.fixture(scope="module")
def matrix_world(request, tmp_path_factory, matrix_seed, matrix_values) -> World:
    home = tmp_path_factory.mktemp("matrix")
    app = create_app(Settings(home=home, token_rate_limit_per_minute=0))
    setup_app = getattr(request.module, "MATRIX_APP_SETUP", None)
    if setup_app is not None:
        setup_app(app)
    tokens = {}
    with app.state.session_factory() as session:
        seed_world(session)
        matrix_seed(session)
        users = UserRepository(session)
        for username in ROLE_ACCOUNTS:
            _token, tokens[username] = TokenRepository(session).create(users.for_sign_in(username), Scope.system(),
                                                                       name="matrix")
        session.commit()
        if matrix_values is not None:
            warehouse = app.state.warehouse = connect(app.state.settings.warehouse_url)
            sync_dimensions(session, warehouse)
            warehouse.write("matrix", matrix_values)
            warehouse.rollup()
    with TestClient(app, base_url="https://testserver") as client:
        yield World(app=app, client=client, tokens=tokens)


def check(world: World, entry: Row, role: str) -> None:
    """Send the row's request as ``role`` and compare with the expected cell."""
    values = entry.setup(world) if entry.setup else {}
    body = entry.body(role) if callable(entry.body) else entry.body
    if entry.files is not None:  # a multipart upload, with the body as form fields
        response = world.client.request(entry.method, entry.path.format(**values), data=body, files=entry.files,
                                        headers=world.headers(role))
    else:
        response = world.client.request(entry.method, entry.path.format(**values), json=body,
                                        headers=world.headers(role))
    expected = entry.expect[role]
    assert response.status_code == expected.status, (
        f"{entry.method} {entry.path} [{entry.target}] as {role}: {response.status_code} {response.text[:300]}")
    if expected.items is not None:
        payload = response.json()
        found = payload["total"] if isinstance(payload, dict) else len(payload)
        assert found == expected.items, f"{entry.method} {entry.path} as {role}: {found} items"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
