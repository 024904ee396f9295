"""Message catalogues: complete in every language, really translated, and the language each request gets."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from govpulse.core.enums import OrgUnitKind, Rag, Severity
from govpulse.web.ui.i18n import (
    Catalogue,
    catalogue,
    choose_language,
    load_catalogue,
    parse_accept_language,
    placeholders,
    translate,
)

TEMPLATES = Path(str(resources.files("govpulse.web.ui") / "templates"))
# Unicode block of each language's script: a translated message uses it.
SCRIPTS = {"gu": ("\u0a80", "\u0aff"), "hi": ("\u0900", "\u097f"), "ml": ("\u0d00", "\u0d7f")}
SAME_IN_EVERY_LANGUAGE = {"app.name", "home.api"}  # the product's name and "JSON API"


def test_the_four_languages_with_their_own_names():
    assert catalogue().languages == ("en", "gu", "hi", "ml")
    assert catalogue().names == {"en": "English", "gu": "ગુજરાતી", "hi": "हिन्दी", "ml": "മലയാളം"}
    # A cap that makes a runaway catalogue visible; raised from 400 to 500 when the sources pages (issue #4)
    # brought their ~70 messages (schedules in words, batch counts, the replay and its outcomes).
    assert 100 <= len(catalogue().messages["en"]) <= 500


@pytest.mark.parametrize("lang", ["gu", "hi", "ml"])
def test_every_language_has_every_key_with_the_same_placeholders(lang):
    english, other = catalogue().messages["en"], catalogue().messages[lang]
    assert set(other) == set(english), f"{lang}.yaml differs from en.yaml: {sorted(set(other) ^ set(english))}"
    for key, message in english.items():
        assert placeholders(other[key]) == placeholders(message), f"{lang}.yaml {key}: placeholders differ"
        assert isinstance(other[key], str) == isinstance(message, str), f"{lang}.yaml {key}: plural forms differ"


@pytest.mark.parametrize("lang", ["gu", "hi", "ml"])
def test_messages_are_written_in_the_language_script(lang):
    low, high = SCRIPTS[lang]
    for key, message in catalogue().messages[lang].items():
        texts = message.values() if isinstance(message, dict) else [message]
        for text in texts:
            assert text.strip(), f"{lang}.yaml {key} is empty"
            if key not in SAME_IN_EVERY_LANGUAGE:
                assert any(low <= ch <= high for ch in text), f"{lang}.yaml {key} is not translated: {text!r}"


def test_every_status_severity_and_org_unit_kind_has_a_label():
    english = catalogue().messages["en"]
    for rag in Rag:
        assert f"status.{rag.value}" in english
    for severity in Severity:
        assert f"severity.{severity.value}" in english
    for kind in OrgUnitKind:
        assert f"kind.{kind.value}" in english and f"kinds.{kind.value}" in english


def test_every_key_a_template_asks_for_exists():
    literal_key = re.compile(r"""\bt\(\s*['"]([a-z0-9_]+(?:\.[a-z0-9_]+)+)['"]\s*[,)]""")
    used = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(literal_key.findall(template.read_text(encoding="utf-8")))
    assert {"home.title", "nav.skip_to_content", "assets.missing_body"} <= used
    assert sorted(used - set(catalogue().messages["en"])) == []


def test_translate_fills_parameters_plurals_and_falls_back():
    assert translate("en", "home.summary", org_units="7", departments="2", indicators="0", data_elements="0") == (
        "7 areas, 2 departments, 0 indicators over 0 data elements.")
    assert translate("gu", "time.data_as_of_value", when="24 નવેમ્બર") == "24 નવેમ્બર સુધીની માહિતી"
    assert translate("en", "flag.count", n=1) == "1 red flag"
    assert translate("en", "flag.count", n=0) == "0 red flags"
    assert translate("ml", "flag.count", n=1) == "1 റെഡ് ഫ്ലാഗ്"
    assert translate("ml", "flag.count", n=2) == "2 റെഡ് ഫ്ലാഗുകൾ"
    assert translate("en", "time.fy") == "FY {start}-{end}"  # without parameters the text is left as it is
    assert translate("en", "time.fy", start=2026) == "FY 2026-{end}"  # a forgotten one stays visible
    assert translate("ta", "nav.home") == "Home"  # an unknown language reads English
    assert translate("gu", "no.such.key") == "no.such.key"


def test_plural_rules_follow_cldr(tmp_path):
    for lang in ("en", "gu", "hi", "ml"):
        (tmp_path / f"{lang}.yaml").write_text("things:\n  one: 'one {n}'\n  other: 'many {n}'\n", encoding="utf-8")
    loaded = load_catalogue(tmp_path)
    assert [loaded.translate(lang, "things", n=0) for lang in ("en", "gu", "hi", "ml")] == [
        "many 0", "one 0", "one 0", "many 0"]
    assert {loaded.translate(lang, "things", n=1) for lang in ("en", "gu", "hi", "ml")} == {"one 1"}


def test_a_broken_catalogue_names_its_file(tmp_path):
    (tmp_path / "en.yaml").write_text("nav:\n  home: [not, text]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"en\.yaml.*nav\.home"):
        load_catalogue(tmp_path)
    (tmp_path / "en.yaml").unlink()
    (tmp_path / "gu.yaml").write_text("a: b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no en.yaml"):
        load_catalogue(tmp_path)


def test_accept_language_is_ranked_by_quality():
    assert parse_accept_language("en-GB;q=0.5, gu-IN, hi;q=0.8, *;q=0.1") == ["gu", "hi", "en"]
    assert parse_accept_language("ml;q=0, en") == ["en"]
    assert parse_accept_language("fr;q=abc, hi") == ["hi"]
    assert parse_accept_language(None) == []


def test_language_choice_order():
    supported = catalogue().languages
    assert choose_language(supported) == "en"
    assert choose_language(supported, accept_language="fr, ml;q=0.9") == "ml"
    assert choose_language(supported, preferred="hi", accept_language="ml") == "hi"
    assert choose_language(supported, cookie="gu", preferred="hi", accept_language="ml") == "gu"
    assert choose_language(supported, asked="ML", cookie="gu") == "ml"
    assert choose_language(supported, asked="xx", cookie="yy", accept_language="zz") == "en"


def test_catalogue_is_plain_data():
    assert isinstance(catalogue(), Catalogue)
    assert catalogue() is catalogue()  # read once per process
