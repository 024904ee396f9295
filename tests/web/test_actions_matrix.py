"""Every role against every action endpoint. Out of scope answers 404; a role without ``assign-action`` (open,
log and place calls) or ``close-action`` (the steps, files) answers 403; no credentials answer 401.

Seeded: action 1 (Health, Bhestan village of Surat, assigned to the Talati of Bhestan) and action 2 (Roads,
Madhapar village of Kachchh, assigned to the vacant TDO post of Bhuj), both of kind "seed"; a Health flag at
Bhestan for each column, and one more that already has an open action. Write rows each work on a fresh action
of their own (``setup``), so no row depends on another.
The telephony bridge is configured at a closed port, so placing a call fails at the provider (502) after
every access check has passed, and an unsigned callback is refused (401) whoever sends it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import Flag
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.lifecycle import NewAction, open_action, take_step
from tests.web.access_matrix import COLUMNS, cases, check, row
from tests.workflow.web import include_action_routes

PNG = b"\x89PNG\r\n\x1a\n" + bytes(48)


def MATRIX_APP_SETUP(app) -> None:  # noqa: N802 - the hook's name in access_matrix
    include_action_routes(app)
    app.state.settings = app.state.settings.model_copy(update={
        "telephony_bridge_url": "http://127.0.0.1:9", "telephony_secret": "matrix-secret"})


def _flag(session, now) -> Flag:
    flag = Flag(rule="threshold", kind="threshold", indicator="HLT_INST", org_unit="525001",
                org_unit_path="/24/459/3900/525001/", department="HEALTH", period="202610", severity="high",
                message="Institutional deliveries below the red band", evidence={},
                first_seen=now - timedelta(days=2), last_seen=now)
    session.add(flag)
    session.flush()
    return flag


def _seed(session) -> None:
    set_actor(session, Actor.system("matrix set-up"))
    UserRepository(session).for_sign_in("talati").phone = "+917900525001"
    ctx = WorkflowContext(session=session)
    open_action(ctx, Scope.system(), NewAction(assignee_role="talati", indicator="HLT_INST", org_unit="525001",
                                               kind="seed", title="Deliveries fell in Bhestan"))
    open_action(ctx, Scope.system(), NewAction(assignee_role="tdo", indicator="RD_DONE", org_unit="515001",
                                               kind="seed", title="Road works stalled in Madhapar"))
    now = utcnow()
    for column in COLUMNS:  # one flag of the same Surat village per column, so each can open its own action
        FLAGS[column] = _flag(session, now).id
    FLAGS["taken"] = _flag(session, now).id
    open_action(ctx, Scope.system(), NewAction(assignee_role="talati", flag_id=FLAGS["taken"], kind="seed-flag"))
    session.commit()


FLAGS: dict[str, int] = {}


@pytest.fixture(scope="module")
def matrix_seed():
    return _seed


def _fresh(*steps: tuple[str, str]):
    """A setup making a new Health action at Bhestan (assigned to its Talati), taken through ``steps``
    ((user name, step) pairs); the row's path gets its number as ``{id}``."""

    def setup(world) -> dict[str, str]:
        with world.app.state.session_factory() as session:
            set_actor(session, Actor("cmo"))
            ctx = WorkflowContext(session=session)
            action = open_action(ctx, Scope.system(), NewAction(assignee_role="talati", indicator="HLT_INST",
                                                                org_unit="525001", title="fresh"))
            for username, step in steps:
                set_actor(session, Actor(username))
                take_step(ctx, Scope.system(), action.id, step, text="done")
            session.commit()
            return {"id": str(action.id)}

    return setup


def _attached(world) -> dict[str, str]:
    """An attachment on seeded action 1 (uploaded as the Talati, whose action it is)."""
    response = world.client.post("/api/v1/actions/1/attachments", headers=world.headers("talati"),
                                 files={"file": ("register.png", PNG, "image/png")})
    assert response.status_code == 201, response.text
    return {"att": str(response.json()["attachments"][-1]["id"])}


def _by_hand(org_unit: str, role: str = "talati"):
    return lambda who: {"assignee_role": role, "indicator": "HLT_INST", "org_unit": org_unit,
                        "title": f"opened by {who}", "kind": "matrix"}


CALL = {"started_at": "2026-11-02T05:00:00+00:00", "outcome": "answered", "duration_seconds": 60}

READS = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("GET", "/api/v1/actions?kind=seed", "seeded actions",
        "401    200:0  200:2  200:1  200:1  200:1  200:0  200:1  200:1  200:0  200:1  200:2  200:2"),
    row("GET", "/api/v1/actions?kind=seed&mine=true", "my inbox",
        "401    200:0  200:0  200:0  200:0  200:0  200:0  200:0  200:1  200:0  200:0  200:0  200:0"),
    row("GET", "/api/v1/actions/1", "Health action in a Surat village",
        "401    404    200    200    200    200    404    200    200    404    200    200    200"),
    row("GET", "/api/v1/actions/2", "Roads action in a Kachchh village",
        "401    404    200    404    404    404    404    404    404    404    404    200    200"),
    row("GET", "/api/v1/actions/999999", "no such action",
        "401    404    404    404    404    404    404    404    404    404    404    404    404"),
    row("GET", "/api/v1/actions/effect?kind=seed", "effect report",
        "401    200    200    200    200    200    200    200    200    200    200    200    200"),
    row("GET", "/api/v1/actions/1/attachments/{att}", "a file on the Surat action",
        "401    404    200    200    200    200    404    200    200    404    200    200    200", setup=_attached),
]

WRITES = [
    #    anon   none   cmo    sec    col    ddo    com    tdo    tal    pri    opr    aud    adm
    row("POST", "/api/v1/actions", "by hand, a Surat village",
        "401    403    201    201    201    201    404    201    403    403    403    403    201",
        body=_by_hand("525001")),
    row("POST", "/api/v1/actions", "by hand, a Kachchh village",
        "401    403    201    201    404    404    404    404    403    403    403    403    201",
        body=_by_hand("515001", role="tdo")),
    row("POST", "/api/v1/actions", "from a flag of a Surat village",
        "401    403    201    201    201    201    404    201    403    403    403    403    201",
        body=lambda who: {"flag_id": FLAGS[who], "assignee_role": "talati", "kind": "matrix"}),
    row("POST", "/api/v1/actions", "from a flag that already has an open action",
        "401    403    409    409    409    409    404    409    403    403    403    403    409",
        body=lambda who: {"flag_id": FLAGS["taken"], "assignee_role": "talati"}),
    row("POST", "/api/v1/actions/{id}/acknowledge", "acknowledge",
        "401    403    200    200    200    200    404    200    200    404    403    403    200", setup=_fresh()),
    row("POST", "/api/v1/actions/{id}/action-taken", "report the action taken",
        "401    403    200    200    200    200    404    200    200    404    403    403    200", setup=_fresh(),
        body={"report": "Visited the PHC"}),
    row("POST", "/api/v1/actions/{id}/verify", "verify what the Talati reported",
        "401    403    200    200    200    200    404    200    409    404    403    403    200",
        setup=_fresh(("talati", "report"))),
    row("POST", "/api/v1/actions/{id}/reopen", "reopen a closed action",
        "401    403    200    200    200    200    404    200    200    404    403    403    200",
        setup=_fresh(("talati", "report"), ("cmo", "verify")), body={"reason": "numbers unchanged"}),
    row("POST", "/api/v1/actions/{id}/attachments", "attach a photo",
        "401    403    201    201    201    201    404    201    201    404    403    403    201", setup=_fresh(),
        files={"file": ("photo.png", PNG, "image/png")}),
    row("POST", "/api/v1/actions/{id}/calls", "log a call",
        "401    403    201    201    201    201    404    201    403    403    403    403    201", setup=_fresh(),
        body=CALL),
    row("POST", "/api/v1/actions/{id}/calls/dial", "click-to-call (the bridge is down)",
        "401    403    502    502    502    502    404    502    403    403    403    403    502", setup=_fresh(),
        body={"caller_phone": "+917900000001"}),
    row("POST", "/api/v1/telephony/callback", "an unsigned callback",
        "401    401    401    401    401    401    401    401    401    401    401    401    401",
        body={"call_id": "br-1", "status": "completed"}),
]


@pytest.mark.parametrize(("entry", "role"), cases(READS))
def test_reads(matrix_world, entry, role):
    check(matrix_world, entry, role)


@pytest.mark.parametrize(("entry", "role"), cases(WRITES))
def test_writes(matrix_world, entry, role):
    check(matrix_world, entry, role)
