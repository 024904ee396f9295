"""Names as the public data spells them, made readable, and names in local script where the data has them.

No name is translated here: a Gujarati or Malayalam name is used only when an LGD file carries it, and only
when it really is in that script (the LGD "local name" columns also hold English names and junk such as
"BJP Gujarati").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from govpulse.demo.geodata import Row
from govpulse.geo.names import name_key

SCRIPTS = {
    "gu": re.compile("[\u0a80-\u0aff]"),  # Gujarati block
    "ml": re.compile("[\u0d00-\u0d7f]"),  # Malayalam block
}
_SMALL_WORDS = {"and", "of", "the", "alias"}
_LETTERS = re.compile(r"[^\W\d_]+")


# Spelling variants of one taluka in LGD's sub-district and block lists ("Vaghodia" / "WAGHODIA") score at
# least 0.82 (difflib ratio of letters only) against the right block and at most 0.81 against a wrong one
# (measured on all 24 Gujarat sub-districts whose names do not match a block exactly).
_SIMILAR = 0.82
_MARGIN = 0.1


def readable(name: str) -> str:
    """ "PANCH MAHALS" -> "Panch Mahals", "savli" -> "Savli"; mixed-case words ("(CT)", "Nagar") are kept.

    All-capital names (LGD) are put in title case word by word; in other names only all-lowercase words are
    capitalised, so Census abbreviations such as "(M Corp.)" and "(CT)" survive.
    """
    name = " ".join(name.split())
    shouting = not any(c.islower() for c in name)
    words = []
    for index, word in enumerate(name.split(" ")):
        if shouting or word.islower():
            lower = word.lower()
            small = index and lower in _SMALL_WORDS
            word = lower if small else _LETTERS.sub(lambda m: m.group().capitalize(), lower)
        words.append(word)
    return " ".join(words)


def key(name: str) -> str:
    """Letters only, lower case, with known spelling differences folded: a join key for names (the maps' own,
    ``geo.names.name_key``, so that the demo and the dashboard's maps join names alike)."""
    return name_key(name)


def with_type(name: str, type_label: str | None) -> str:
    """ "Bhuj" + "Municipality" -> "Bhuj Municipality", unless the name already says so."""
    if not type_label or name.lower().endswith(type_label.lower()):
        return name
    return f"{name} {type_label}"


def in_script(text: str, language: str) -> dict[str, str]:
    """``{language: text}`` when ``text`` is written in that language's script, else ``{}``."""
    script = SCRIPTS.get(language)
    text = text.strip()
    return {language: text} if script and text and script.search(text) else {}


def local_taluka_names(
    blocks: Iterable[Row], subdistricts: Iterable[Row], language: str
) -> dict[str, dict[str, str]]:
    """Local-script taluka names by LGD sub-district code, taken from LGD blocks of the same district.

    In Gujarat a block (taluka panchayat) and the sub-district (taluka) it serves share a name, so the
    block's "Block Name (local)" names the taluka. The names are matched within each district: exactly (on
    ``key``) first, then, for the rest, a block not yet used whose spelling is close enough and clearly
    closer than any other (see ``_SIMILAR``). Unmatched talukas get no local name.
    """
    by_district: dict[str, list[Row]] = {}
    for block in blocks:
        if in_script(block["Block Name (local)"], language):
            by_district.setdefault(block["District Code"], []).append(block)
    names: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    pending: list[Row] = []
    for sub in subdistricts:
        wanted = key(sub["Sub-district Name"])
        exact = [b for b in by_district.get(sub["District Code"], []) if key(b["Block Name"]) == wanted]
        if len(exact) == 1:
            names[sub["Sub-district Code"]] = in_script(exact[0]["Block Name (local)"], language)
            used.add(exact[0]["Block Code"])
        else:
            pending.append(sub)
    for sub in pending:
        wanted = key(sub["Sub-district Name"])
        scored = sorted(
            ((difflib.SequenceMatcher(None, key(b["Block Name"]), wanted).ratio(), b)
             for b in by_district.get(sub["District Code"], []) if b["Block Code"] not in used),
            key=lambda pair: -pair[0],
        )  # fmt: skip
        if not scored or scored[0][0] < _SIMILAR:
            continue
        if len(scored) > 1 and scored[0][0] - scored[1][0] < _MARGIN:
            continue
        best = scored[0][1]
        names[sub["Sub-district Code"]] = in_script(best["Block Name (local)"], language)
        used.add(best["Block Code"])
    return names

