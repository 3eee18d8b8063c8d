"""Jinja2 templates rendered in the reader's language, as responses with the portal's headers.

There is one Jinja environment per language, each with its gettext catalog installed
(``jinja2.ext.i18n``, new-style gettext: translated strings are escaped and take named
placeholders). Templates are compiled once per environment and cached; nothing is read from
disk after the first render. ``StrictUndefined`` makes a misspelt variable an error in the
tests instead of an empty space on a page.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from catalog.portal import labels
from catalog.portal.formatting import formatter
from catalog.portal.i18n import (
    BABEL_LOCALES,
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_SECONDS,
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    Language,
    load_translations,
    requested_language,
)
from catalog.portal.web import PAGE_CACHE, SECURITY_HEADERS, StaticFiles

TEMPLATES_DIR = Path(__file__).parent / "templates"

#: The main navigation: path, Spanish label (translated in the template).
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/dataset", N_("Conjuntos de datos")),
    ("/organization", N_("Entidades")),
    ("/group", N_("Sectores")),
    ("/dimension", N_("Dimensiones")),
    ("/territorio", N_("Territorio")),
)


def make_environment(
    language: Language, translations: gettext.NullTranslations, static: StaticFiles
) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        auto_reload=False,
    )
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_translations(  # type: ignore[attr-defined]
        translations, newstyle=True
    )
    environment.globals.update(
        fmt=formatter(BABEL_LOCALES[language]),
        lang=language,
        static_url=static.url,
        navigation=NAVIGATION,
        labels=labels,
    )
    return environment


def switch_url(request: Request, language: Language) -> str:
    """The same page in ``language``: the current query with ``lang`` replaced."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return f"{request.url.path}?{urlencode([*kept, ('lang', language)])}"


class Renderer:
    """Renders a template for a request, in the request's language."""

    def __init__(self, static: StaticFiles, site_title: str) -> None:
        self.static = static
        self.site_title = site_title
        self.translations = {lang: load_translations(lang) for lang in LANGUAGES}
        self.environments = {
            lang: make_environment(lang, self.translations[lang], static) for lang in LANGUAGES
        }

    def gettext(self, language: Language, message: str) -> str:
        """A message used in Python (e.g. a chart's text built in code) in ``language``."""
        return self.translations[language].gettext(message)

    def page(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        status: int = 200,
    ) -> HTMLResponse:
        language, asked = requested_language(request)
        other: Language = "en" if language == "es" else "es"
        html = (
            self.environments[language]
            .get_template(template)
            .render(
                site_title=self.site_title,
                current_path=request.url.path,
                switch={
                    "language": other,
                    "name": LANGUAGE_NAMES[other],
                    "url": switch_url(request, other),
                },
                **context,
            )
        )
        response = HTMLResponse(html, status_code=status, headers=page_headers(language))
        if asked:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language,
                max_age=LANGUAGE_COOKIE_SECONDS,
                path="/",
                samesite="lax",
                httponly=True,
                secure=request.url.scheme == "https",
            )
        return response


def page_headers(language: Language) -> dict[str, str]:
    return {
        **SECURITY_HEADERS,
        "Cache-Control": PAGE_CACHE,
        "Vary": "Cookie",
        "Content-Language": language,
    }
