"""The demo's accounts print their passwords, so every one must change its password at the first sign-in, and a
rebuild that prints new passwords asks for the change again."""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.models import User
from govpulse.catalog.repositories.users import UserRepository
from govpulse.core.orgunits import OrgUnitRecord, OrgUnitTree
from govpulse.demo.users import describe, make_demo_users
from tests.access.world import WORLD_TREE, seed_catalogue

POPULATION = {"459": 6_081_322.0, "449": 2_092_371.0, "802": 4_467_797.0, "3900": 400_000.0, "525001": 32_000.0}


def _tree() -> OrgUnitTree:
    tree, problems = OrgUnitTree.build(OrgUnitRecord(code=u["code"], name=u["name"], kind=u["kind"],
                                                     parent_code=u["parent_code"]) for u in WORLD_TREE)
    assert problems == []
    return tree


def _census() -> pa.Table:
    return pa.table({"data_element": ["census_population"] * len(POPULATION), "org_unit": list(POPULATION),
                     "value": list(POPULATION.values())})


def _flags(session) -> dict[str, bool]:
    return dict(session.execute(select(User.username, User.must_change_password)).all())


def test_every_demo_account_must_change_its_printed_password_again_after_a_rebuild(session):
    set_actor(session, Actor.system("demo"))
    seed_catalogue(session)
    made = make_demo_users(session, _tree(), _census())
    session.commit()
    assert {u.username for u in made} >= {"cmo", "collector", "commissioner", "talati", "admin"}
    assert _flags(session) == {u.username: True for u in made}
    assert "must be changed at the first sign-in" in describe(made, _tree())[0]
    collector = next(u for u in made if u.username == "collector")
    users = UserRepository(session)
    users.change_own_password(users.for_sign_in("collector"), current=collector.password, new="Tapi-Riverfront-26")
    session.commit()
    assert _flags(session)["collector"] is False
    again = make_demo_users(session, _tree(), _census())  # a rebuild prints new passwords: change them again
    session.commit()
    assert _flags(session) == {u.username: True for u in again}
