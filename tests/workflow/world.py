"""The access world (Surat and Kachchh, one account per role) with phones and e-mails for the officers, a clock
the test moves by hand, and helpers to act as one account or another.

    Gujarat 24 > Surat 459 > Choryasi 3900 > Bhestan 525001 (+ ULB 802 > ward 80201)
               > Kachchh 449 > Bhuj 3700 > Madhapar 515001
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.models import Flag, User
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.scope import Scope
from govpulse.workflow.context import WorkflowContext
from govpulse.workflow.notify.dispatch import Notifier
from tests.access.world import seed_world

START = datetime(2026, 11, 2, 4, 30, tzinfo=UTC)  # a Monday, 10:00 in Gujarat

CONTACTS = {  # user name -> (full name, e-mail, phone)
    "cmo": ("Asha Mehta (CMO)", "asha@cmo.gov.example", "+917900000001"),
    "collector": ("Collector of Surat", "collector.surat@gov.example", "+917900000459"),
    "tdo": ("TDO Choryasi", "tdo.choryasi@gov.example", "+917900003900"),
    "talati": ("Talati Bhestan", "talati.bhestan@gov.example", "+917900525001"),
    "secretary": ("Secretary, Health", "secretary.health@gov.example", "+917900000024"),
}


class Clock:
    """Simulated time: ``clock.advance(hours=25)``; the workflow calls it for "now"."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class WorkflowWorld:
    session: Session
    clock: Clock
    ctx: WorkflowContext
    users: dict[str, User] = field(default_factory=dict)

    def scope(self, username: str) -> Scope:
        return UserRepository(self.session).scope_for(self.users[username])

    def act_as(self, username: str) -> tuple[Scope, int]:
        """Writes from now on are made by ``username``; returns their scope and id for the workflow calls."""
        user = self.users[username]
        set_actor(self.session, Actor(username=user.username, user_id=user.id, via="test"))
        return self.scope(username), user.id


def make_world(tmp_path, notifier: Notifier | None = None, url: str | None = None) -> WorkflowWorld:
    """The world in a catalogue at ``url`` (default: a SQLite file in ``tmp_path``)."""
    engine = make_engine(url or f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    migrate(engine)
    session = make_session_factory(engine)()
    seed_world(session)
    repo = UserRepository(session)
    for username, (name, email, phone) in CONTACTS.items():
        user = repo.for_sign_in(username)
        user.full_name, user.email, user.phone = name, email, phone
    session.commit()
    clock = Clock()
    notifier = notifier or Notifier()
    notifier.clock = clock
    ctx = WorkflowContext(session=session, notifier=notifier, clock=clock, home=tmp_path)
    users = {u: repo.for_sign_in(u) for u in ("cmo", "secretary", "collector", "ddo", "commissioner", "tdo", "talati",
                                              "principal", "operator", "auditor", "admin", "nobody")}
    return WorkflowWorld(session=session, clock=clock, ctx=ctx, users=users)


def add_flag(session: Session, *, org_unit: str = "525001", path: str = "/24/459/3900/525001/",
             indicator: str = "HLT_INST", department: str = "HEALTH", severity: str = "high") -> Flag:
    set_actor(session, Actor.system("flag engine"))
    flag = Flag(rule="threshold", kind="threshold", indicator=indicator, org_unit=org_unit, org_unit_path=path,
                department=department, period="202610", severity=severity, value=41.5, expected=80.0,
                message=f"{indicator} at {org_unit} is 41.5 %, below the red band (80 %)", evidence={},
                first_seen=START - timedelta(days=3), last_seen=START)
    session.add(flag)
    session.commit()
    return flag
