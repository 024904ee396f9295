"""Load an org-unit tree (built and checked in ``core.orgunits``) into the catalogue store."""

from __future__ import annotations

from sqlalchemy.orm import Session

from govpulse.catalog.repositories.orgunits import OrgUnitRepository
from govpulse.core.orgunits import OrgUnitTree


def tree_rows(tree: OrgUnitTree) -> list[dict]:
    """The tree as rows, parents before children."""
    return [
        {
            "code": node.code, "name": node.name, "names": dict(node.names), "kind": node.kind,
            "level": node.level, "path": node.path, "parent_code": node.parent_code,
            "census_code": node.census_code, "latitude": node.latitude, "longitude": node.longitude,
        }
        for node in tree.nodes()
    ]


def replace_tree(session: Session, tree: OrgUnitTree) -> int:
    """Replace the catalogue's org units with ``tree``; returns how many were written."""
    return OrgUnitRepository(session).replace_all(tree_rows(tree))
