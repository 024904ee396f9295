"""The interface's words in English, Gujarati, Hindi and Malayalam, and which one each request gets.

Messages live in ``locales/<lang>.yaml``: nested keys, flattened to dots (``status.red``), with ``{name}``
placeholders. A message may have plural forms (``{one: ..., other: ...}``), chosen by the parameter ``n``.
Every language file has the same keys as English (a test checks); a key missing in one language still falls
back to English, and a key missing everywhere shows as the key itself, so a slip is visible, never silent.

The language of a request is, in order: ``?lang=`` in the URL, the ``lang`` cookie (set when ``?lang=`` was
used), the signed-in user's preference (``request.state.preferred_language``, once accounts carry one), the
browser's ``Accept-Language``, and English.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Formatter

import yaml
from starlette.requests import Request

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
LANG_PARAM = "lang"
LANG_COOKIE = "lang"
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})

Message = str | Mapping[str, str]


def _plural_form(lang: str, n: float) -> str:
    """CLDR's rule for "one": Gujarati and Hindi count 0 and 1 as one; English and Malayalam only 1."""
    if lang in ("gu", "hi"):
        return "one" if n in (0, 1) else "other"
    return "one" if n == 1 else "other"


class KeepMissing(dict):
    """Format parameters that leave an unknown ``{name}`` as it is rather than failing the whole page."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _flatten(tree: Mapping, prefix: str = "") -> dict[str, Message]:
    flat: dict[str, Message] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and set(value) <= PLURAL_FORMS and "other" in value:
            flat[name] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise ValueError(f"message {name!r} must be text or plural forms, not {type(value).__name__}")
    return flat


def placeholders(message: Message) -> frozenset[str]:
    """Names of the ``{placeholders}`` of a message (all its plural forms together)."""
    texts = message.values() if isinstance(message, Mapping) else [message]
    return frozenset(name for text in texts for _, name, _, _ in Formatter().parse(text) if name)


@dataclass(frozen=True)
class Catalogue:
    """Messages per language: ``messages[lang][key]``; ``names[lang]`` is each language's own name."""

    messages: Mapping[str, Mapping[str, Message]]

    @property
    def languages(self) -> tuple[str, ...]:
        """English first, then the others in code order."""
        return (DEFAULT_LANGUAGE, *sorted(code for code in self.messages if code != DEFAULT_LANGUAGE))

    @property
    def names(self) -> dict[str, str]:
        return {code: str(self.messages[code].get("language.name", code)) for code in self.languages}

    def lookup(self, lang: str, key: str, n: object = None) -> str:
        """The unformatted message ``key`` in ``lang`` (plural form for count ``n``), falling back to English
        and then to the key itself."""
        message = self.messages.get(lang, {}).get(key)
        if message is None:
            message = self.messages[DEFAULT_LANGUAGE].get(key)
            lang = DEFAULT_LANGUAGE
        if message is None:
            log.warning("no message %r in any language", key)
            return key
        if isinstance(message, Mapping):
            form = _plural_form(lang, n if isinstance(n, int | float) else 0)
            return message.get(form, message["other"])
        return message

    def translate(self, lang: str, key: str, **params: object) -> str:
        """The message ``key`` in ``lang`` with ``params`` filled in (``n`` also picks the plural form)."""
        message = self.lookup(lang, key, params.get("n"))
        return message.format_map(KeepMissing(params)) if params else message


def load_catalogue(directory: Path) -> Catalogue:
    """Read every ``<lang>.yaml`` of ``directory``; errors name the file."""
    messages: dict[str, dict[str, Message]] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            messages[path.stem] = _flatten(tree)
        except (yaml.YAMLError, ValueError) as error:
            raise ValueError(f"{path}: {error}") from error
    if DEFAULT_LANGUAGE not in messages:
        raise ValueError(f"{directory}: no {DEFAULT_LANGUAGE}.yaml, the language every other one falls back to")
    return Catalogue(messages)


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue shipped with govpulse (read once per process)."""
    return load_catalogue(Path(str(resources.files("govpulse.web.ui") / "locales")))


def translate(lang: str, key: str, **params: object) -> str:
    """``translate("gu", "status.red")`` -> the Gujarati for "Off track"."""
    return catalogue().translate(lang, key, **params)


def parse_accept_language(header: str | None) -> list[str]:
    """Language codes of an ``Accept-Language`` header, most wanted first (``gu-IN`` gives ``gu``)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, weight = part.strip().partition(";")
        code = tag.strip().split("-")[0].lower()
        try:
            quality = float(weight.strip().removeprefix("q=")) if weight.strip().startswith("q=") else 1.0
        except ValueError:
            quality = 0.0
        if code and code != "*" and quality > 0:
            ranked.append((-quality, position, code))
    return [code for _, _, code in sorted(ranked)]


def choose_language(supported: tuple[str, ...], *, asked: str | None = None, cookie: str | None = None,
                    preferred: str | None = None, accept_language: str | None = None) -> str:
    """The first supported language among: URL parameter, cookie, user preference, browser languages."""
    for candidate in (asked, cookie, preferred, *parse_accept_language(accept_language)):
        if candidate and candidate.lower() in supported:
            return candidate.lower()
    return DEFAULT_LANGUAGE


def request_language(request: Request) -> str:
    """The language of ``request`` (worked out once and kept on ``request.state``)."""
    known = getattr(request.state, "language", None)
    if known is not None:
        return known
    lang = choose_language(
        catalogue().languages,
        asked=request.query_params.get(LANG_PARAM),
        cookie=request.cookies.get(LANG_COOKIE),
        preferred=getattr(request.state, "preferred_language", None),
        accept_language=request.headers.get("accept-language"),
    )
    request.state.language = lang
    return lang


def asked_language(request: Request) -> str | None:
    """The supported language named by ``?lang=``, which the page then remembers in the cookie."""
    asked = (request.query_params.get(LANG_PARAM) or "").lower()
    return asked if asked in catalogue().languages else None
