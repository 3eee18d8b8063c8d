"""Languages of the portal: Spanish by default, English on request.

Messages are written in Spanish in the templates (``{% trans %}``, ``_()``) and in Python
(:func:`N_`), and translated to English by ``locale/en/LC_MESSAGES/portal.po``, the standard
gettext catalog that translators and ``pybabel`` work with. The ``.po`` file is read once when
the portal starts and compiled in memory with Babel (no compiled ``.mo`` is kept in the
repository, so the two can never drift apart).

Only the portal's own text is translated: navigation, labels, headings and messages. What
the entities published (titles, descriptions, column descriptions, the reports' own sentences)
stays as published, in Spanish.

The language is chosen by ``?lang=es|en`` (which also sets a cookie so that the choice follows
the reader from page to page) or by that cookie; nothing else (no ``Accept-Language``): the
portal of a Spanish-speaking city speaks Spanish unless asked.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

Language = Literal["es", "en"]
LANGUAGES: tuple[Language, ...] = ("es", "en")
DEFAULT_LANGUAGE: Language = "es"
#: The cookie that remembers the reader's choice (a preference, not an identifier).
LANGUAGE_COOKIE = "ada_lang"
#: A year: the choice is a preference the reader should not have to repeat.
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
#: Babel locales for numbers and dates (Colombian Spanish: ``1.234,5``).
BABEL_LOCALES: dict[Language, str] = {"es": "es_CO", "en": "en"}
#: How each language names itself, for the switch in the page header.
LANGUAGE_NAMES: dict[Language, str] = {"es": "Español", "en": "English"}

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "portal"


def N_(message: str) -> str:
    """Mark a Spanish message in Python for extraction; it is translated where it is shown
    (``_(label)`` in a template), because the language is only known per request."""
    return message


def po_path(language: Language) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_translations(language: Language) -> gettext.NullTranslations:
    """The messages of ``language``: none for Spanish (the source language), the compiled
    ``.po`` file for the others."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def as_language(value: str | None) -> Language | None:
    """``"en"`` → ``"en"``; anything else (unknown, hostile, missing) → ``None``."""
    cleaned = (value or "").strip().lower()
    for language in LANGUAGES:
        if cleaned == language:
            return language
    return None


def requested_language(request: Request) -> tuple[Language, bool]:
    """The page's language and whether it was asked for in the URL (then the cookie is set)."""
    asked = as_language(request.query_params.get("lang"))
    if asked is not None:
        return asked, True
    remembered = as_language(request.cookies.get(LANGUAGE_COOKIE))
    return remembered or DEFAULT_LANGUAGE, False
