"""One demo account per role, posted where the demo has the most to show: the most populous ULB's district
(whose city has ward maps), its most populous taluka and that taluka's most populous village. Their passwords
are printed, so each account must change its own at the first sign-in (``User.must_change_password``)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session

from govpulse.catalog.repositories.users import DemoUser, create_demo_users
from govpulse.core.orgunits import OrgUnitTree


@dataclass(frozen=True)
class DemoPosts:
    state: str
    district: str
    taluka: str
    village: str
    ulb: str | None


def populations(census: pa.Table) -> dict[str, float]:
    rows = census.filter(pc.equal(census["data_element"], "census_population"))
    return dict(zip(rows["org_unit"].to_pylist(), rows["value"].to_pylist(), strict=True))


def choose_posts(tree: OrgUnitTree, census: pa.Table) -> DemoPosts:
    people = populations(census)

    def population(code: str) -> float:
        if code in people:
            return people[code]
        return sum(people.get(node.code, 0.0) for node in tree.descendants(code))

    def largest(codes: list[str]) -> str:
        return max(codes, key=lambda code: (population(code), code))

    state = tree.roots()[0].code
    ulbs = [n.code for n in tree.nodes() if n.kind == "ulb"]
    ulb = largest(ulbs) if ulbs else None
    district = tree[ulb].parent_code if ulb else largest([n.code for n in tree.children(state)])
    taluka = largest([n.code for n in tree.children(district) if n.kind == "taluka"])
    village = largest([n.code for n in tree.children(taluka) if n.kind == "village"])
    return DemoPosts(state=state, district=district, taluka=taluka, village=village, ulb=ulb)


def make_demo_users(session: Session, tree: OrgUnitTree, census: pa.Table) -> list[DemoUser]:
    posts = choose_posts(tree, census)
    return create_demo_users(session, posts.state, posts.district, posts.taluka, posts.village, posts.ulb,
                             department_codes=["HEALTH"], must_change_password=True)


def describe(users: list[DemoUser], tree: OrgUnitTree) -> list[str]:
    lines = ["Demo accounts (one per role; the passwords are new on every build and must be changed at the "
             "first sign-in, at /account/password):"]
    for user in users:
        unit = tree[user.org_unit]
        lines.append(f"  {user.username:<13} {user.password:<18} {user.role:<12} {unit.name} ({unit.kind}, {unit.code})")
    return lines
