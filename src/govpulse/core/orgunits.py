"""The org-unit tree: state -> district -> taluka -> village, district -> ULB -> ward, built from flat records.

Records come from anywhere (public data, a CSV upload, a database) as ``OrgUnitRecord``s: a code, a name, a
kind and the parent's code. ``OrgUnitTree.build`` turns them into an immutable tree of ``OrgUnitNode``s, each
with its ``level`` (1 = root) and materialised ``path`` ("/24/438/3712/512345/": codes from the root, with a
leading and trailing slash), so "X and everything under it" is one prefix test (``path LIKE '/24/438/%'``)
in any store.

Bad input never stops the build and is never dropped silently: every record left out becomes a
``TreeProblem`` naming the record and its source, and everything that is good is kept.

=================  =================================================================  ==================
problem kind       when                                                               the record is
=================  =================================================================  ==================
invalid_code       code is empty or has characters outside ``[A-Za-z0-9_.-]``         left out
invalid_kind       kind is not an ``OrgUnitKind`` value                                left out
duplicate_code     a second record with a code already seen (both sources named)      left out (first kept)
cycle              the record's ancestors lead back to itself                         left out
unknown_parent     parent code not among the records, or the parent was left out      left out
multiple_roots     more than one record has no parent (reported for each extra root) kept (a forest)
=================  =================================================================  ==================

Siblings are ordered by name in natural order ("Ward 2" before "Ward 10"), then by code.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from govpulse.core.enums import OrgUnitKind

__all__ = [
    "CODE_PATTERN",
    "OrgUnitNode",
    "OrgUnitRecord",
    "OrgUnitTree",
    "ProblemKind",
    "TreeProblem",
    "is_valid_code",
    "path_codes",
]

CODE_PATTERN = re.compile(r"[A-Za-z0-9_.-]+")
"""What an org-unit code may contain. Never "/", which delimits paths."""

ProblemKind = Literal[
    "unknown_parent", "duplicate_code", "cycle", "multiple_roots", "invalid_code", "invalid_kind"
]

_KINDS: dict[str, OrgUnitKind] = {kind.value: kind for kind in OrgUnitKind}
_NO_NAMES: Mapping[str, str] = MappingProxyType({})
_DIGITS = re.compile(r"(\d+)")


def path_codes(path: str) -> list[str]:
    """The org-unit codes of a materialised path, root first: ``/24/459/3900/`` -> 24, 459, 3900."""
    return [part for part in path.split("/") if part]


def is_valid_code(code: object) -> bool:
    """True when ``code`` is a non-empty string made only of letters, digits, ``_``, ``.`` and ``-``."""
    return isinstance(code, str) and CODE_PATTERN.fullmatch(code) is not None


@dataclass(frozen=True, slots=True)
class OrgUnitRecord:
    """One org unit as read from a source, before it is placed in a tree."""

    code: str
    """Unique identifier; LGD code where one exists. Pattern ``[A-Za-z0-9_.-]+``."""
    name: str
    kind: str
    """An ``OrgUnitKind`` value: state, district, taluka, village, ulb, ward, town, school, facility."""
    parent_code: str | None
    """Code of the parent unit; None for the root."""
    census_code: str | None = None
    """Census 2011 code, kept as a second identifier where the unit existed in 2011."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Names in other languages by ISO 639-1 code, e.g. ``{"gu": "અમદાવાદ"}``, where the source has them."""
    latitude: float | None = None
    longitude: float | None = None
    source: str = ""
    """Where the record came from, e.g. ``"lgd_districts_2022.csv.gz line 12"``."""

    def describe(self) -> str:
        """``district 438 "Ahmadabad" (from lgd_districts_2022.csv.gz line 12)`` for problem messages."""
        origin = f" (from {self.source})" if self.source else ""
        return f'{self.kind} {self.code!r} "{self.name}"{origin}'


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """A record that could not be placed as given; ``detail`` says why in plain words and names the source."""

    kind: ProblemKind
    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class OrgUnitNode:
    """An org unit placed in a tree: a record plus its ``level`` (1 = root) and materialised ``path``."""

    code: str
    name: str
    kind: OrgUnitKind
    parent_code: str | None
    level: int
    path: str
    """Codes from the root down to this unit: ``"/24/438/3712/"``. Starts and ends with "/"."""
    census_code: str | None
    names: Mapping[str, str]
    latitude: float | None
    longitude: float | None
    source: str = ""


class OrgUnitTree:
    """An immutable tree (or forest) of org units, with fast lookups, subtree slices and counts.

    Build it with ``OrgUnitTree.build(records)``, which returns the tree and the problems found.
    """

    __slots__ = ("_nodes", "_order", "_position", "_subtree_end", "_children", "_roots")

    def __init__(
        self,
        nodes: dict[str, OrgUnitNode],
        order: list[OrgUnitNode],
        subtree_end: list[int],
        children: dict[str, list[OrgUnitNode]],
        roots: list[OrgUnitNode],
    ):
        # Not for direct use: build() guarantees that these structures agree with one another.
        self._nodes = nodes
        self._order = order
        self._position = {node.code: i for i, node in enumerate(order)}
        self._subtree_end = subtree_end
        self._children = children
        self._roots = roots

    @classmethod
    def build(cls, records: Iterable[OrgUnitRecord]) -> tuple[OrgUnitTree, list[TreeProblem]]:
        """Place ``records`` in a tree; return it with every problem found (see the module docstring)."""
        accepted, rejected, problems = _screen(records)
        placed, root_codes = _place(accepted, rejected, problems)
        problems.extend(_extra_roots(root_codes, accepted))

        nodes = {code: _node(accepted[code], level, path) for code, (level, path) in placed.items()}
        children: dict[str, list[OrgUnitNode]] = {}
        for node in nodes.values():
            if node.parent_code is not None:
                children.setdefault(node.parent_code, []).append(node)
        for siblings in children.values():
            siblings.sort(key=_sibling_order)
        roots = sorted((nodes[code] for code in root_codes), key=_sibling_order)
        order, subtree_end = _depth_first(roots, children)
        return cls(nodes, order, subtree_end, children, roots), problems

    # --- lookups ------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, code: object) -> bool:
        return code in self._nodes

    def __getitem__(self, code: str) -> OrgUnitNode:
        try:
            return self._nodes[code]
        except KeyError:
            raise KeyError(f"no org unit with code {code!r} in this tree of {len(self)} units") from None

    def __iter__(self) -> Iterator[OrgUnitNode]:
        """Nodes in depth-first order, as ``nodes()``."""
        return iter(self._order)

    def get(self, code: str) -> OrgUnitNode | None:
        """The node with ``code``, or None."""
        return self._nodes.get(code)

    def roots(self) -> list[OrgUnitNode]:
        """Units without a parent (normally exactly one: the state), sorted by name."""
        return list(self._roots)

    def children(self, code: str) -> list[OrgUnitNode]:
        """Direct children of ``code``, sorted by name (natural order), then code."""
        self[code]
        return list(self._children.get(code, ()))

    def ancestors(self, code: str) -> list[OrgUnitNode]:
        """Units above ``code``, root first, not including ``code`` itself."""
        path_codes = self[code].path.strip("/").split("/")
        return [self._nodes[c] for c in path_codes[:-1]]

    def descendants(self, code: str) -> list[OrgUnitNode]:
        """Every unit below ``code`` (not ``code`` itself), in depth-first order."""
        self[code]
        start = self._position[code]
        return self._order[start + 1 : self._subtree_end[start]]

    def nodes(self) -> list[OrgUnitNode]:
        """Every unit in depth-first order: each parent before its children, siblings by name."""
        return list(self._order)

    def count_by_kind(self) -> dict[str, int]:
        """Number of units of each kind, e.g. ``{"state": 1, "district": 33, ...}``."""
        return dict(Counter(node.kind.value for node in self._order))

    def count_by_level(self) -> dict[int, int]:
        """Number of units at each level (1 = root), in level order."""
        return dict(sorted(Counter(node.level for node in self._order).items()))


# --- building blocks of build() -------------------------------------------------------------------------


def _screen(
    records: Iterable[OrgUnitRecord],
) -> tuple[dict[str, OrgUnitRecord], dict[str, str], list[TreeProblem]]:
    """Keep records with a valid, first-seen code and a known kind; explain every other one."""
    accepted: dict[str, OrgUnitRecord] = {}
    rejected: dict[str, str] = {}  # code -> why it was left out, for messages about its children
    problems: list[TreeProblem] = []
    for record in records:
        code = record.code
        if not is_valid_code(code):
            why = f"its code {code!r} is not valid: codes are letters, digits, '_', '.' or '-', never '/'"
            problems.append(TreeProblem("invalid_code", str(code), f"{record.describe()}: {why}"))
            rejected.setdefault(str(code), "it has an invalid code")
        elif record.kind not in _KINDS:
            accepted_kinds = ", ".join(_KINDS)
            why = f"kind {record.kind!r} is not one of: {accepted_kinds}"
            problems.append(TreeProblem("invalid_kind", code, f"{record.describe()}: {why}"))
            rejected.setdefault(code, "it has an invalid kind")
        elif code in accepted:
            first = accepted[code]
            detail = f"{record.describe()} repeats the code of {first.describe()}; the first one is kept"
            problems.append(TreeProblem("duplicate_code", code, detail))
        else:
            accepted[code] = record
    # A code both accepted and rejected (a bad repeat of a good code) is accepted: children attach to it.
    for code in accepted:
        rejected.pop(code, None)
    return accepted, rejected, problems


def _place(
    accepted: dict[str, OrgUnitRecord], rejected: dict[str, str], problems: list[TreeProblem]
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """(level, path) of every record that reaches a root; the others become problems.

    Walks up from each record until it meets a unit already settled, a root, a missing parent or itself
    (a cycle), then settles the whole chain on the way back, so each record is visited once.
    """
    placed: dict[str, tuple[int, str]] = {}
    left_out: dict[str, str] = {}  # code -> short reason, repeated in the messages about its descendants
    roots: list[str] = []
    for start in accepted:
        if start in placed or start in left_out:
            continue
        chain: list[str] = []
        on_chain: dict[str, int] = {}
        code: str | None = start
        while True:
            record = accepted[code]
            on_chain[code] = len(chain)
            chain.append(code)
            parent = record.parent_code
            if parent is None:
                roots.append(code)
                placed[code] = (1, f"/{code}/")
                chain.pop()
                break
            if parent in placed or parent in left_out:
                break
            if parent in on_chain:
                loop = chain[on_chain[parent] :]
                _report_cycle(loop, accepted, left_out, problems)
                del chain[on_chain[parent] :]
                break
            if parent not in accepted:
                why = rejected.get(parent)
                said = f"was left out because {why}" if why else "is not among the records"
                detail = f"{record.describe()}: its parent {parent!r} {said}"
                problems.append(TreeProblem("unknown_parent", code, detail))
                left_out[code] = f"its parent {parent!r} {said}"
                chain.pop()
                break
            code = parent
        _settle(chain, accepted, placed, left_out, problems)
    return placed, roots


def _report_cycle(
    loop: list[str], accepted: dict[str, OrgUnitRecord], left_out: dict[str, str], problems: list[TreeProblem]
) -> None:
    """Every unit of a parent loop is a ``cycle`` problem; the message lists the loop in order."""
    shown = " -> ".join(repr(c) for c in [*loop, loop[0]])
    for code in loop:
        detail = f"{accepted[code].describe()} is part of a parent cycle ({shown}) and has no root"
        problems.append(TreeProblem("cycle", code, detail))
        left_out[code] = f"it is part of a parent cycle ({shown})"


def _settle(
    chain: list[str],
    accepted: dict[str, OrgUnitRecord],
    placed: dict[str, tuple[int, str]],
    left_out: dict[str, str],
    problems: list[TreeProblem],
) -> None:
    """Settle ``chain`` (child first) from the top down, now that the unit above its top is settled."""
    for code in reversed(chain):
        record = accepted[code]
        parent = record.parent_code
        if parent in placed:
            level, path = placed[parent]
            placed[code] = (level + 1, f"{path}{code}/")
        else:
            why = left_out[parent]
            detail = f"{record.describe()}: its parent {parent!r} was left out because {why}"
            problems.append(TreeProblem("unknown_parent", code, detail))
            left_out[code] = f"an ancestor was left out ({why})" if not why.startswith("an ancestor") else why


def _extra_roots(root_codes: list[str], accepted: dict[str, OrgUnitRecord]) -> list[TreeProblem]:
    """One ``multiple_roots`` problem per root after the first; they stay in the tree as a forest."""
    if len(root_codes) < 2:
        return []
    first = accepted[root_codes[0]]
    return [
        TreeProblem(
            "multiple_roots",
            code,
            f"{accepted[code].describe()} has no parent, like {first.describe()}; "
            f"the tree has {len(root_codes)} roots",
        )
        for code in root_codes[1:]
    ]


def _node(record: OrgUnitRecord, level: int, path: str) -> OrgUnitNode:
    names = MappingProxyType(dict(record.names)) if record.names else _NO_NAMES
    return OrgUnitNode(
        record.code,
        record.name,
        _KINDS[record.kind],
        record.parent_code,
        level,
        path,
        record.census_code,
        names,
        record.latitude,
        record.longitude,
        record.source,
    )


def _sibling_order(node: OrgUnitNode) -> tuple[tuple[str | int, ...], str]:
    """Natural order of names, case-insensitive ("Ward 2" < "Ward 10"), then code."""
    name = node.name.casefold()
    if _DIGITS.search(name) is None:  # most names: skip the split (this key runs once per unit)
        return (name,), node.code
    parts = _DIGITS.split(name)
    # split() alternates text and digit runs, so positions always compare str with str and int with int.
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), node.code


def _depth_first(
    roots: list[OrgUnitNode], children: dict[str, list[OrgUnitNode]]
) -> tuple[list[OrgUnitNode], list[int]]:
    """Pre-order listing and, for each position, the end of its subtree (exclusive) in that listing."""
    order: list[OrgUnitNode] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        order.append(node)
        below = children.get(node.code)
        if below:
            stack.extend(reversed(below))
    # In pre-order a subtree ends where the next unit at the same or a higher level (smaller number) starts.
    subtree_end = [len(order)] * len(order)
    open_positions: list[int] = []
    for position, node in enumerate(order):
        level = node.level
        while open_positions and order[open_positions[-1]].level >= level:
            subtree_end[open_positions.pop()] = position
        open_positions.append(position)
    return order, subtree_end
