"""The controlled vocabularies DCAT-AP asks for, reduced to the terms ADA uses.

DCAT-AP's shapes check a controlled value by its type and its ``skos:inScheme`` *in the data
graph* (nobody can dereference every vocabulary while validating), so the graph states, for
each term it uses, that it is a ``skos:Concept`` of its scheme, with the vocabulary's own
label. This module holds those terms as plain data; :mod:`catalog.dcat.graph` turns them
into triples.

Sources (EU Vocabularies, Publications Office of the EU, https://op.europa.eu/en/web/eu-vocabularies;
ADMS, SEMIC; GeoNames, https://www.geonames.org, CC BY 4.0):

- data themes: the Data Theme authority table (Spanish and English labels as published in its
  SKOS release 20161225-1, read from the copy in berlinonline/ckanext-dcatde_berlin);
- frequencies, file types, languages, access rights, planned availability: the Frequency,
  File Type, Language, Access Right and Planned Availability authority tables (English
  labels; a file type's label is the format's name);
- publisher and licence types: the ADMS Publisher Type and Licence Type vocabularies
  (http://purl.org/adms/publishertype/1.0, http://purl.org/adms/licencetype/1.0);
- Bogotá: GeoNames feature 3688689 (its coordinates give the centroid).

Terms that are not listed here are left out of the graph rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.catalog_info import slug

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"


@dataclass(frozen=True)
class Scheme:
    """A concept scheme, with the title the DCAT-AP shapes require of one."""

    uri: str
    title: str
    title_language: str = "en"


@dataclass(frozen=True)
class Term:
    """One term of a controlled vocabulary: its URI, its scheme and its labels by language
    (``""`` for a label with no language, such as a file-format name)."""

    uri: str
    scheme: Scheme
    labels: dict[str, str] = field(default_factory=dict)


def _eu_scheme(table: str, title: str) -> Scheme:
    return Scheme(uri=f"{EU_AUTHORITY}{table}", title=title)


DATA_THEME = _eu_scheme("data-theme", "Data theme")
FREQUENCY = _eu_scheme("frequency", "Frequency")
FILE_TYPE = _eu_scheme("file-type", "File type")
LANGUAGE = _eu_scheme("language", "Language")
ACCESS_RIGHT = _eu_scheme("access-right", "Access right")
PLANNED_AVAILABILITY = _eu_scheme("planned-availability", "Planned availability")
PUBLISHER_TYPE = Scheme(uri="http://purl.org/adms/publishertype/1.0", title="Publisher type")


def _eu_term(scheme: Scheme, code: str, **labels: str) -> Term:
    return Term(uri=f"{scheme.uri}/{code}", scheme=scheme, labels=labels)


# --------------------------------------------------------------------------------------------
# Data themes: each district sector maps to the EU theme that covers it.

_THEMES: dict[str, Term] = {
    code: _eu_term(DATA_THEME, code, es=spanish, en=english)
    for code, spanish, english in [
        ("ECON", "Economía y finanzas", "Economy and finance"),
        ("EDUC", "Educación, cultura y deportes", "Education, culture and sport"),
        ("ENVI", "Medio ambiente", "Environment"),
        ("GOVE", "Gobierno y sector público", "Government and public sector"),
        ("HEAL", "Salud", "Health"),
        (
            "JUST",
            "Justicia, sistema judicial y seguridad pública",
            "Justice, legal system and public safety",
        ),
        ("REGI", "Regiones y ciudades", "Regions and cities"),
        ("SOCI", "Población y sociedad", "Population and society"),
        ("TRAN", "Transporte", "Transport"),
    ]
}

#: Sector slug (``catalog.specs.Sector``) → EU data theme.
SECTOR_THEMES: dict[str, Term] = {
    "gestion_publica": _THEMES["GOVE"],
    "gobierno": _THEMES["GOVE"],
    "hacienda": _THEMES["ECON"],
    "planeacion": _THEMES["REGI"],
    "desarrollo_economico": _THEMES["ECON"],
    "educacion": _THEMES["EDUC"],
    "salud": _THEMES["HEAL"],
    "integracion_social": _THEMES["SOCI"],
    "cultura": _THEMES["EDUC"],
    "ambiente": _THEMES["ENVI"],
    "movilidad": _THEMES["TRAN"],
    "habitat": _THEMES["REGI"],
    "mujer": _THEMES["SOCI"],
    "seguridad": _THEMES["JUST"],
    "gestion_juridica": _THEMES["JUST"],
}

# --------------------------------------------------------------------------------------------
# Frequencies, keyed by the record's ``frequency_eu`` (``catalog.specs.FREQUENCY_EU``).

FREQUENCIES: dict[str, Term] = {
    code: _eu_term(FREQUENCY, code, en=label)
    for code, label in [
        ("HOURLY", "hourly"),
        ("DAILY", "daily"),
        ("WEEKLY", "weekly"),
        ("MONTHLY", "monthly"),
        ("QUARTERLY", "quarterly"),
        ("ANNUAL_2", "semiannual"),
        ("ANNUAL", "annual"),
        ("IRREG", "irregular"),
    ]
}

# --------------------------------------------------------------------------------------------
# File types, keyed by the resource's ``format`` in upper case. A Frictionless Data Package is
# a JSON descriptor, so it is a JSON file to the EU vocabulary.


def _file_type(code: str, name: str) -> Term:
    """A format's name is the same in every language, so its label carries none."""
    return Term(uri=f"{FILE_TYPE.uri}/{code}", scheme=FILE_TYPE, labels={"": name})


_JSON = _file_type("JSON", "JSON")
FILE_TYPES: dict[str, Term] = {
    "CSV": _file_type("CSV", "CSV"),
    "JSON": _JSON,
    "DATA PACKAGE": _JSON,
    "GEOJSON": _file_type("GEOJSON", "GeoJSON"),
    "PARQUET": _file_type("PARQUET", "Parquet"),
    "XLSX": _file_type("XLSX", "XLSX"),
}

# --------------------------------------------------------------------------------------------
# Languages (ISO 639-1 as records write them → EU language code), and the fixed terms.

LANGUAGES: dict[str, Term] = {
    "es": _eu_term(LANGUAGE, "SPA", es="español", en="Spanish"),
    "en": _eu_term(LANGUAGE, "ENG", es="inglés", en="English"),
}

PUBLIC_ACCESS = _eu_term(ACCESS_RIGHT, "PUBLIC", en="public")
STABLE_AVAILABILITY = _eu_term(PLANNED_AVAILABILITY, "STABLE", en="stable")
LOCAL_AUTHORITY = Term(
    uri="http://purl.org/adms/publishertype/LocalAuthority",
    scheme=PUBLISHER_TYPE,
    labels={"en": "Local Authority"},
)


# --------------------------------------------------------------------------------------------
# Licence types (ADMS), for the licences ADA publishes under, keyed by licence URL.

LICENCE_TYPE = Scheme(uri="http://purl.org/adms/licencetype/1.0", title="Licence type")


def _licence_type(code: str, label: str) -> Term:
    uri = f"http://purl.org/adms/licencetype/{code}"
    return Term(uri=uri, scheme=LICENCE_TYPE, labels={"en": label})


_ATTRIBUTION = _licence_type("Attribution", "Attribution")
_SHARE_ALIKE = _licence_type("ShareAlike", "Share-alike")
_PUBLIC_DOMAIN = _licence_type("PublicDomain", "Public domain")
_LICENCE_TYPES: dict[str, tuple[Term, ...]] = {
    "https://creativecommons.org/licenses/by/4.0": (_ATTRIBUTION,),
    "https://creativecommons.org/licenses/by-sa/4.0": (_ATTRIBUTION, _SHARE_ALIKE),
    "https://creativecommons.org/publicdomain/zero/1.0": (_PUBLIC_DOMAIN,),
    "https://opendatacommons.org/licenses/odbl/1-0": (_ATTRIBUTION, _SHARE_ALIKE),
}


def licence_types(url: str) -> tuple[Term, ...]:
    """What a licence lets people do, for the licences we know; none for any other."""
    return _LICENCE_TYPES.get(url.strip().rstrip("/"), ())


@dataclass(frozen=True)
class Place:
    uri: str
    name: str
    centroid_wkt: str


BOGOTA = Place(
    uri="https://sws.geonames.org/3688689/",
    name="Bogotá D.C.",
    centroid_wkt="POINT(-74.08175 4.60971)",
)

# --------------------------------------------------------------------------------------------
# ADA's own scheme: the six dimensions of MinTIC's smart-territory maturity model, which no
# published vocabulary has. Its URIs live under the catalog's base URL.

#: The same names as ``catalog.specs.Dimension`` (a test keeps them equal), repeated here so
#: that the serializers do not import pydantic.
MINTIC_DIMENSIONS = (
    "Personas",
    "Gobernanza",
    "Calidad de Vida",
    "Desarrollo Económico",
    "Medio Ambiente",
    "Hábitat",
)


def mintic_scheme(root: str) -> Scheme:
    return Scheme(
        uri=f"{root}/vocab/mintic-dimension",
        title="Dimensiones del modelo de madurez de territorios inteligentes (MinTIC)",
        title_language="es",
    )


def dimension_term(root: str, dimension: str) -> Term:
    """``Calidad de Vida`` → ``{root}/vocab/mintic-dimension/calidad-de-vida``."""
    scheme = mintic_scheme(root)
    return Term(uri=f"{scheme.uri}/{slug(dimension)}", scheme=scheme, labels={"es": dimension})


# --------------------------------------------------------------------------------------------
# Media types: IANA has no RDF vocabulary, so DCAT-AP identifies a media type by its page URL.

IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")


def media_type_uri(mimetype: str) -> str | None:
    """``text/csv`` → ``https://www.iana.org/assignments/media-types/text/csv``; ``None`` for
    a blank or malformed value, which is better left out than published wrong."""
    value = mimetype.strip().lower()
    return f"{IANA_MEDIA_TYPES}{value}" if _MEDIA_TYPE.match(value) else None
