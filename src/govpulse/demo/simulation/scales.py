"""How big a count is: which census driver it follows and how much of it per person, from the element's unit.

A count is a *flow* (events in the period: births, applications, trips), a *stock* (things that exist:
households, feeders, pending cases) or a *daily stock* (``x-days``: units of something times days in the
period: student-days, feeder-days). Amounts below are per person for a year (flows), per person (stocks) or
per person per day (daily stocks), calibrated on Gujarat's orders of magnitude (60 million people, 12 million
households, 18,000 villages) so that district and state totals look like the real ones.

``UNITS`` is read by the element's unit; ``NAMES`` (checked first) catches names whose unit says too little
("persons" can be a population or its fraction). ``DRIVERS`` then moves a count onto a more fitting census
driver (tribal schemes follow the Scheduled Tribes population, anganwadi counts the children aged 0-6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from govpulse.catalog.io.schema import DataElement
from govpulse.core.enums import Combine
from govpulse.demo.simulation.places import CHILDREN_0_6, HOUSEHOLDS, PER_UNIT, POPULATION

SCHEDULED_TRIBES = "census_st"
SCHEDULED_CASTES = "census_sc"

Mode = Literal["flow", "stock", "daily"]
MONTH_OF_FLOW = 30 / 365  # a stock of something that flows (pending cases) holds about a month of the flow


@dataclass(frozen=True)
class Scale:
    driver: str
    amount: float
    mode: Mode


# unit -> (driver, events per person per year, stock per person); None: derived from the other
UNITS: dict[str, tuple[str, float | None, float | None]] = {
    "rs lakh": (POPULATION, 0.002, 0.001), "rs": (POPULATION, 50.0, None), "mu": (POPULATION, 0.002, None),
    "mw": (POPULATION, None, 0.0004), "kw": (POPULATION, None, 0.002), "km": (POPULATION, None, 0.0001),
    "hectares": (POPULATION, None, 0.1), "million tonnes": (POPULATION, 3e-6, None),
    "tonnes": (POPULATION, 0.003, None), "litres": (POPULATION, 150.0, None), "mcm": (POPULATION, 0.0002, 0.0002),
    "quintals": (POPULATION, 0.4, None), "passenger-km": (POPULATION, 700.0, None),
    "seat-km": (POPULATION, 1000.0, None), "hours": (POPULATION, 0.002, None), "minutes": (POPULATION, 5.0, None),
    "cases": (POPULATION, 0.005, None), "applications": (POPULATION, 0.01, None), "claims": (POPULATION, 0.003, 0.002),
    "complaints": (POPULATION, 0.01, None), "grievances": (POPULATION, 0.003, None), "calls": (POPULATION, 0.02, None),
    "trips": (POPULATION, 0.03, None), "events": (POPULATION, 0.05, None), "births": (POPULATION, 0.019, None),
    "deliveries": (POPULATION, 0.019, None), "newborns": (POPULATION, 0.019, None), "deaths": (POPULATION, 0.006, None),
    "women": (POPULATION, 0.02, 0.01), "children": (CHILDREN_0_6, 0.15, 0.8), "students": (POPULATION, 0.01, 0.19),
    "transactions": (POPULATION, 1.5, None), "tickets": (POPULATION, 15.0, None), "payments": (POPULATION, 0.3, None),
    "certificates": (POPULATION, 0.05, None), "licences": (POPULATION, 0.01, None), "bills": (POPULATION, 0.005, None),
    "files": (POPULATION, 0.01, None), "services": (POPULATION, 0.05, None), "entries": (POPULATION, 0.01, None),
    "documents": (POPULATION, 0.02, None), "challans": (POPULATION, 0.1, None), "verifications": (POPULATION, 0.005, None),
    "approvals": (POPULATION, 0.0005, None), "instalments": (POPULATION, 0.005, None),
    "installations": (POPULATION, 0.005, None), "connections": (POPULATION, 0.01, None),
    "seedlings": (POPULATION, 1.0, None), "saplings": (POPULATION, 0.5, None), "incidents": (POPULATION, 0.0002, None),
    "reports": (POPULATION, 0.002, None), "dispatches": (POPULATION, 0.002, None), "potholes": (POPULATION, 0.0005, None),
    "trippings": (POPULATION, 0.02, None), "breakdowns": (POPULATION, 0.0002, None), "visitors": (POPULATION, 1.0, None),
    "samples": (POPULATION, 0.005, None), "tests": (POPULATION, 0.2, None), "inseminations": (POPULATION, 0.05, None),
    "meals": (POPULATION, 3.0, None), "medals": (POPULATION, 2e-6, None), "enterprises": (POPULATION, 0.005, None),
    "candidates": (POPULATION, 0.002, None), "accidents": (POPULATION, 1e-5, None), "extracts": (POPULATION, 0.1, None),
    "audits": (POPULATION, 1e-5, None), "inspections": (POPULATION, 0.0005, None), "meetings": (PER_UNIT, 2.0, None),
    "farmers": (POPULATION, 0.005, 0.1), "households": (HOUSEHOLDS, 0.05, 1.0), "persons": (POPULATION, 0.05, 0.6),
    "pensioners": (POPULATION, None, 0.03), "beneficiaries": (POPULATION, 0.03, 0.05), "posts": (POPULATION, None, 0.002),
    "teachers": (POPULATION, None, 0.005), "workers": (POPULATION, None, 0.05), "job seekers": (POPULATION, None, 0.01),
    "trainees": (POPULATION, None, 0.0005), "feeders": (POPULATION, None, 0.0004), "transformers": (POPULATION, 0.0003, 0.005),
    "schemes": (POPULATION, None, 0.0003), "sources": (POPULATION, None, 0.002), "institutions": (POPULATION, None, 0.0015),
    "lights": (POPULATION, None, 0.05), "toilets": (POPULATION, None, 0.0005), "cameras": (POPULATION, None, 0.0005),
    "stations": (POPULATION, None, 2e-5), "works": (POPULATION, 2e-5, 5e-5), "projects": (POPULATION, 5e-6, 1e-5),
    "bridges": (POPULATION, None, 0.0001), "ponds": (POPULATION, None, 0.0002), "check dams": (POPULATION, None, 0.0002),
    "seats": (POPULATION, None, 0.001), "units": (POPULATION, None, 0.001), "loans": (POPULATION, None, 0.01),
    "meters": (POPULATION, None, 0.05), "pumps": (POPULATION, None, 0.001), "plants": (POPULATION, None, 0.0005),
    "properties": (POPULATION, None, 0.05), "groups": (POPULATION, 0.002, 0.005), "houses": (POPULATION, None, 0.005),
    "assets": (POPULATION, None, 0.002), "animals": (POPULATION, None, 0.33), "cards": (HOUSEHOLDS, 0.05, 0.6),
    "items": (PER_UNIT, None, 300.0), "mous": (PER_UNIT, None, 3000.0), "paras": (POPULATION, None, 0.0005),
    "objections": (POPULATION, None, 0.001), "participants": (POPULATION, None, 0.05), "coaches": (POPULATION, None, 1e-5),
    "facilities": (POPULATION, None, 0.0002), "families": (POPULATION, None, 0.002), "sets": (POPULATION, None, 0.2),
    "beds": (POPULATION, None, 0.0015), "shops": (POPULATION, None, 0.0003), "titles": (POPULATION, None, 0.002),
    "vehicles": (POPULATION, 0.03, None), "centres": (PER_UNIT, None, 1.0), "villages": (PER_UNIT, None, 1.0),
    "panchayats": (PER_UNIT, None, 1.0), "schools": (PER_UNIT, None, 1.0), "ulbs": (PER_UNIT, None, 1.0),
    "person-days": (POPULATION, 1.0, None),
}  # fmt: skip

# "x-days" and "x-minutes" counts: things per person (or per unit) times days (or minutes) in the period.
DAILY_UNITS: dict[str, tuple[str, float]] = {
    "student-days": (POPULATION, 0.19), "teacher-days": (POPULATION, 0.006), "athlete-days": (POPULATION, 5e-5),
    "child-days": (CHILDREN_0_6, 0.4), "feeder-days": (POPULATION, 0.0004), "ward-days": (PER_UNIT, 1.0),
    "shop-days": (PER_UNIT, 1.0), "centre-days": (PER_UNIT, 1.0), "school-days": (PER_UNIT, 1.0),
    "station-days": (PER_UNIT, 1.0), "node-minutes": (POPULATION, 0.0002 * 1440), "feeder-hours": (POPULATION, 0.008),
    "ward-hours": (PER_UNIT, 2.0), "kilolitres per day": (POPULATION, 0.05),
}  # fmt: skip

# (pattern on the name, driver, amount, mode): names that say more than their unit.
NAMES: tuple[tuple[str, str, float, Mode], ...] = (
    (r"aged 30|30 years and above", POPULATION, 0.45, "stock"),
    (r"population served", POPULATION, 0.5, "stock"),
    (r"\bpopulation\b.*(projected|census)|^population", POPULATION, 1.08, "stock"),
    (r"eligible for pmjay|pmjay-ma.*eligible", POPULATION, 0.4, "stock"),
    (r"members on nfsa", POPULATION, 0.55, "stock"),
    (r"expected pregnancies|registered for anc", POPULATION, 0.02, "flow"),
    (r"kilometres operated", POPULATION, 18.0, "flow"),
    (r"solid waste", POPULATION, 0.146, "flow"),
    (r"peak demand", POPULATION, 0.0004, "stock"),
    (r"service-minutes|minutes in the period", POPULATION, 500 * 1440 / 6e7, "daily"),
    # Money, in Rs lakh a person a year (Gujarat: budget Rs 3 lakh crore, state GST Rs 50,000 crore, ...)
    (r"budget estimate|grants released|expenditure booked", POPULATION, 0.4, "flow"),
    (r"capital (outlay|expenditure)", POPULATION, 0.1, "flow"),
    (r"\bgst\b", POPULATION, 0.08, "flow"),
    (r"stamp duty", POPULATION, 0.02, "flow"),
    (r"property tax (demand|collected)", POPULATION, 0.006, "flow"),
    (r"portability", POPULATION, 0.03, "flow"),
)

# (pattern on the name and code, driver, factor): counts that follow another census driver than population.
DRIVERS: tuple[tuple[str, str, float], ...] = (
    (r"tribal|scheduled tribes?\b|\bst\b|ashram|eklavya|van bandhu|sickle", SCHEDULED_TRIBES, 6.7),
    (r"scheduled castes?\b|\bsc\b", SCHEDULED_CASTES, 15.0),
)

# A breakdown of a total ("Institutional deliveries (SC, girls) - PHC") holds a part of it: SC and ST parts
# follow their own census driver, other parts a typical share of the total.
BREAKDOWN_DRIVERS = {"sc": SCHEDULED_CASTES, "st": SCHEDULED_TRIBES}
BREAKDOWN_SHARES = {"obc": 0.4, "girls": 0.48, "women": 0.48, "boys": 0.52, "men": 0.52, "rural": 0.57,
                    "urban": 0.43}
DASHED_SHARE = 0.3  # "- PHC", "- primary (1-5)", "- state schemes": one of a few kinds
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_DASHED = re.compile(r" - .*$")

_SUMMED = (Combine.SUM, Combine.COUNT)


def scale_for(element: DataElement) -> Scale:
    """Driver, amount and mode of a count (module docstring)."""
    unit = element.unit.strip().lower()
    name = f"{element.name} {element.code.replace('_', ' ')}".lower()
    flows = element.aggregation_type.over_time in _SUMMED
    bare, parts, dashed = _breakdown(element.name)
    scale = _by_name(f"{bare.lower()} {element.code.replace('_', ' ')}", flows) or _by_unit(unit, flows)
    if parts or dashed:
        return _part_of(scale, parts, dashed)
    for pattern, driver, factor in DRIVERS:
        if scale.driver == POPULATION and re.search(pattern, name):
            return Scale(driver, scale.amount * factor, scale.mode)
    return scale


def _breakdown(name: str) -> tuple[str, list[str], bool]:
    """The name without its breakdown, the parenthesised members ("sc", "girls") and whether a dashed one
    follows ("- PHC")."""
    dashed = bool(_DASHED.search(name))
    bare = _DASHED.sub("", name)
    members: list[str] = []
    for found in _PARENTHESES.findall(bare):
        words = [w.strip().lower() for w in found.split(",")]
        if words and all(w in BREAKDOWN_DRIVERS or w in BREAKDOWN_SHARES for w in words):
            members += words
    bare = _PARENTHESES.sub(lambda m: "" if m.group(1).strip().lower().split(",")[0].strip() in
                            {**BREAKDOWN_DRIVERS, **BREAKDOWN_SHARES} else m.group(0), bare)
    return bare, members, dashed


def _part_of(scale: Scale, members: list[str], dashed: bool) -> Scale:
    driver, amount = scale.driver, scale.amount * (DASHED_SHARE if dashed else 1.0)
    for member in members:
        if member in BREAKDOWN_DRIVERS and driver == POPULATION:
            driver = BREAKDOWN_DRIVERS[member]
        else:
            amount *= BREAKDOWN_SHARES.get(member, 1.0)
    return Scale(driver, amount, scale.mode)


def _by_name(name: str, flows: bool) -> Scale | None:
    for pattern, driver, amount, mode in NAMES:
        if re.search(pattern, name):
            if mode == "flow" and not flows:  # a yearly demand or budget held as a level: one year's worth
                return Scale(driver, amount, "stock")
            return Scale(driver, amount, mode)
    return None


def _by_unit(unit: str, flows: bool) -> Scale:
    if unit in DAILY_UNITS:
        driver, amount = DAILY_UNITS[unit]
        return Scale(driver, amount, "daily")
    driver, per_year, per_person = UNITS.get(unit, (POPULATION, 0.1, 0.05))
    if flows:
        return Scale(driver, per_year if per_year is not None else per_person, "flow")
    return Scale(driver, per_person if per_person is not None else per_year * MONTH_OF_FLOW, "stock")
