"""Breakdowns a state dashboard shows under an indicator: by social category, gender, area, facility, scheme...

``scale_catalog`` uses them to grow the shipped catalogue into the 4,000-5,000 indicators a real state watches:
"Institutional deliveries (SC) (%)" or "Average daily supply on agricultural feeders - UGVCL" are the kind of rows
Gujarat's dashboard holds thousands of. Each breakdown member becomes a new indicator over new data elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from govpulse.core.enums import OrgUnitKind


@dataclass(frozen=True)
class Member:
    """One value of a breakdown: ``suffix`` for codes, ``label`` / ``label_gu`` for names, ``phrase`` for text.

    ``style`` says how the label joins a name: ``paren`` gives "Dropout rate (girls)", ``dash`` gives
    "Bus trips - express".
    """

    suffix: str
    label: str
    label_gu: str
    phrase: str
    style: Literal["paren", "dash"] = "paren"


@dataclass(frozen=True)
class Family:
    """A set of members that split the same total (SC / ST / OBC, or rural / urban), and where it applies.

    ``units``: only for indicators whose numerator counts these (people families: girls and boys split
    students, not schools or rupees). ``themes``: only for indicators of these themes (crop seasons fit crop
    insurance, not PM-KISAN). ``aggregate_levels_only``: only where no data element comes from a single
    village, ward or school (a village is never urban). ``block_level_only``: only where every data element is
    reported by talukas or smaller units (a split by kind of block needs block-level data). ``unless_words``:
    not for indicators whose name already says what the split would (a "classes 1-8" ratio is not split by
    school stage).
    """

    name: str
    members: tuple[Member, ...]
    units: frozenset[str] | None = None
    themes: frozenset[str] | None = None
    aggregate_levels_only: bool = False
    block_level_only: bool = False
    unless_words: frozenset[str] = frozenset()

    @property
    def counts_people(self) -> bool:
        """True for splits of people (social category, gender, age), which combine well with other splits."""
        return self.units is not None and self.units <= PEOPLE_UNITS


# Units of data elements that count people, for the ``people_only`` families.
PEOPLE_UNITS = frozenset({
    "beneficiaries", "births", "candidates", "child-days", "children", "deaths", "deliveries", "farmers",
    "job seekers", "newborns", "participants", "patients", "pensioners", "person-days", "persons",
    "student-days", "students", "trainees", "women", "workers", "athlete-days", "artisans", "apprentices",
})

CHILD_UNITS = frozenset({"births", "child-days", "children", "newborns", "student-days", "students", "athlete-days",
                         "participants"})
ADULT_UNITS = PEOPLE_UNITS - CHILD_UNITS - {"deliveries", "women"}


def _dash(suffix: str, label: str, label_gu: str, phrase: str) -> Member:
    return Member(suffix, label, label_gu, phrase, "dash")


SOCIAL = Family("social category", (
    Member("sc", "SC", "અનુસૂચિત જાતિ", "Scheduled Castes"),
    Member("st", "ST", "અનુસૂચિત જનજાતિ", "Scheduled Tribes"),
    Member("obc", "OBC", "અન્ય પછાત વર્ગ", "Other Backward Classes (SEBC)"),
), units=PEOPLE_UNITS)

GENDER_CHILD = Family("gender", (
    Member("girls", "girls", "કન્યાઓ", "girls"),
    Member("boys", "boys", "કુમારો", "boys"),
), units=CHILD_UNITS, unless_words=frozenset({"ratio"}))

GENDER_ADULT = Family("gender", (
    Member("women", "women", "મહિલાઓ", "women"),
    Member("men", "men", "પુરુષો", "men"),
), units=ADULT_UNITS)

AREA = Family("area", (
    Member("rural", "rural", "ગ્રામ્ય", "rural areas"),
    Member("urban", "urban", "શહેરી", "urban areas"),
), aggregate_levels_only=True)

ASPIRATIONAL = Family("block type", (
    _dash("asp", "aspirational blocks", "આકાંક્ષી તાલુકાઓ", "aspirational blocks"),
    _dash("nonasp", "non-aspirational blocks", "બિન-આકાંક્ષી તાલુકાઓ",
          "blocks outside the aspirational blocks programme"),
), block_level_only=True)

SCHEME_TYPE = Family("scheme type", (
    _dash("state", "state schemes", "રાજ્ય યોજનાઓ", "state-funded schemes"),
    _dash("css", "centrally sponsored schemes", "કેન્દ્ર પ્રાયોજિત યોજનાઓ", "centrally sponsored schemes"),
), units=frozenset({"Rs lakh", "works", "projects", "houses", "km", "units", "loans"}))

FACILITY = Family("facility type", (
    _dash("phc", "PHC", "પ્રાથમિક આરોગ્ય કેન્દ્ર", "primary health centres"),
    _dash("chc", "CHC", "સામૂહિક આરોગ્ય કેન્દ્ર", "community health centres"),
    _dash("sdh", "sub-district hospitals", "પેટા જિલ્લા હોસ્પિટલ", "sub-district hospitals"),
    _dash("dh", "district hospitals", "જિલ્લા હોસ્પિટલ", "district hospitals"),
    _dash("mch", "medical college hospitals", "મેડિકલ કોલેજ હોસ્પિટલ", "medical college hospitals"),
), themes=frozenset({"Maternal health", "Child health", "Hospital services", "Disease control"}))

SCHOOL_STAGE = Family("school stage", (
    _dash("prim", "primary (1-5)", "પ્રાથમિક (1-5)", "classes 1-5"),
    _dash("uprim", "upper primary (6-8)", "ઉચ્ચ પ્રાથમિક (6-8)", "classes 6-8"),
    _dash("sec", "secondary (9-10)", "માધ્યમિક (9-10)", "classes 9-10"),
    _dash("hsec", "higher secondary (11-12)", "ઉચ્ચતર માધ્યમિક (11-12)", "classes 11-12"),
), unless_words=frozenset({"class", "classes", "ssc", "hsc"}))

SCHOOL_MANAGEMENT = Family("school management", (
    _dash("govt", "government schools", "સરકારી શાળાઓ", "government schools"),
    _dash("gia", "grant-in-aid schools", "અનુદાનિત શાળાઓ", "grant-in-aid schools"),
))

CHILD_AGE = Family("age group", (
    Member("m0_6", "0-6 months", "0-6 માસ", "children aged 0-6 months"),
    Member("m6_36", "6 months-3 years", "6 માસ-3 વર્ષ", "children aged 6 months to 3 years"),
    Member("y3_6", "3-6 years", "3-6 વર્ષ", "children aged 3-6 years"),
), units=frozenset({"children", "child-days", "beneficiaries"}))

DISCOM = Family("DISCOM", (
    _dash("dgvcl", "DGVCL", "દક્ષિણ ગુજરાત વીજ કંપની", "DGVCL (south)"),
    _dash("mgvcl", "MGVCL", "મધ્ય ગુજરાત વીજ કંપની", "MGVCL (central)"),
    _dash("pgvcl", "PGVCL", "પશ્ચિમ ગુજરાત વીજ કંપની", "PGVCL (west)"),
    _dash("ugvcl", "UGVCL", "ઉત્તર ગુજરાત વીજ કંપની", "UGVCL (north)"),
))

BUS_SERVICE = Family("bus service", (
    _dash("exp", "express", "એક્સપ્રેસ", "express services"),
    _dash("loc", "local", "લોકલ", "local (ordinary) services"),
    _dash("gnagar", "Gurjarnagari", "ગુર્જરનગરી", "Gurjarnagari city services"),
    _dash("sleeper", "sleeper coaches", "સ્લીપર કોચ", "sleeper coach services"),
), themes=frozenset({"Bus services"}))

ULB_CLASS = Family("ULB class", (
    _dash("mc", "municipal corporations", "મહાનગરપાલિકાઓ", "municipal corporations"),
    _dash("npa", "class A nagarpalikas", "અ વર્ગ નગરપાલિકાઓ", "class A nagarpalikas"),
    _dash("npb", "class B nagarpalikas", "બ વર્ગ નગરપાલિકાઓ", "class B nagarpalikas"),
    _dash("npcd", "class C and D nagarpalikas", "ક અને ડ વર્ગ નગરપાલિકાઓ", "class C and D nagarpalikas"),
))

SEASON = Family("season", (
    _dash("kharif", "kharif", "ખરીફ", "the kharif season"),
    _dash("rabi", "rabi", "રવી", "the rabi season"),
    _dash("summer", "summer", "ઉનાળુ", "the summer season"),
), themes=frozenset({"Crop insurance and relief", "Markets and procurement", "Farm inputs"}))

MUTATION_TYPE = Family("entry type", (
    _dash("inh", "inheritance", "વારસાઈ", "inheritance entries"),
    _dash("sale", "sale", "વેચાણ", "sale entries"),
    _dash("part", "partition", "વહેંચણી", "partition entries"),
    _dash("enc", "encumbrance", "બોજો", "mortgage and encumbrance entries"),
), themes=frozenset({"Land records"}))

COMMAND_AREA = Family("command area", (
    _dash("narmada", "Narmada command", "નર્મદા કમાન્ડ વિસ્તાર", "the Narmada canal command"),
    _dash("sauni", "SAUNI", "સૌની યોજના", "the SAUNI link pipelines"),
    _dash("sujalam", "Sujalam Sufalam", "સુજલામ સુફલામ", "the Sujalam Sufalam spreading canal"),
    _dash("other", "other reservoirs", "અન્ય જળાશયો", "other reservoir schemes"),
))

POLICE_UNIT = Family("police unit", (
    _dash("cp", "commissionerates", "પોલીસ કમિશનરેટ", "police commissionerates"),
    _dash("dp", "district police", "જિલ્લા પોલીસ", "district police"),
))

# Which breakdowns each department's dashboard shows; a department not listed gets DEFAULT_FAMILIES.
DEPARTMENT_FAMILIES: dict[str, tuple[Family, ...]] = {
    "HEALTH": (FACILITY, SOCIAL, AREA, ASPIRATIONAL),
    "EDUCATION": (GENDER_CHILD, SOCIAL, SCHOOL_STAGE, SCHOOL_MANAGEMENT, AREA, ASPIRATIONAL),
    "WCD": (CHILD_AGE, SOCIAL, GENDER_CHILD, ASPIRATIONAL, AREA),
    "REVENUE": (MUTATION_TYPE, AREA, ASPIRATIONAL),
    "AGRICULTURE": (SEASON, SOCIAL, GENDER_ADULT, ASPIRATIONAL),
    "ENERGY": (DISCOM, AREA, ASPIRATIONAL),
    "URBAN": (ULB_CLASS, SCHEME_TYPE),
    "HOME": (POLICE_UNIT, AREA),
    "TRANSPORT": (BUS_SERVICE, AREA),
    "SOCIAL_JUSTICE": (SOCIAL, GENDER_ADULT, AREA, SCHEME_TYPE),
    "TRIBAL": (GENDER_CHILD, ASPIRATIONAL, SCHEME_TYPE),
    "RURAL_DEV": (SOCIAL, GENDER_ADULT, ASPIRATIONAL),
    "WATER_RESOURCES": (COMMAND_AREA, ASPIRATIONAL, SCHEME_TYPE),
    "FOOD": (SOCIAL, AREA, ASPIRATIONAL),
    "LABOUR": (GENDER_ADULT, SOCIAL, AREA),
    "SPORTS": (GENDER_CHILD, AREA),
    "GAD": (AREA, ASPIRATIONAL),
    "IT": (AREA, ASPIRATIONAL),
}
DEFAULT_FAMILIES: tuple[Family, ...] = (ASPIRATIONAL, SCHEME_TYPE)

# Org-unit kinds that are one place, where a rural / urban split makes no sense.
SINGLE_PLACE_KINDS = frozenset({OrgUnitKind.VILLAGE, OrgUnitKind.WARD, OrgUnitKind.ULB, OrgUnitKind.SCHOOL,
                                OrgUnitKind.TOWN, OrgUnitKind.FACILITY})
# Org-unit kinds at block (taluka) level or below.
BLOCK_OR_BELOW_KINDS = SINGLE_PLACE_KINDS | {OrgUnitKind.TALUKA}


def families_for(department: str) -> tuple[Family, ...]:
    """The breakdown families shown for ``department``'s indicators."""
    return DEPARTMENT_FAMILIES.get(department, DEFAULT_FAMILIES)
