"""Spanish labels the portal shows for values of the catalog's records.

Each is marked with :func:`~catalog.portal.i18n.N_` so that extraction finds it, and is
translated in the template that shows it. Keys are the values the records and reports hold
(facet fields, seals, quality criteria, privacy operators and roles, lineage stages).
"""

from __future__ import annotations

from catalog.portal.i18n import N_
from catalog.specs import Dimension

#: Facet fields of the results page, in the order they are shown, with their titles.
FACET_TITLES: dict[str, str] = {
    "groups": N_("Sector"),
    "organization": N_("Entidad"),
    "dimension": N_("Dimensión MinTIC"),
    "tags": N_("Etiqueta"),
    "res_format": N_("Formato"),
    "license_id": N_("Licencia"),
    "frequency": N_("Frecuencia"),
    "quality_level": N_("Nivel de calidad"),
}

#: Quality seals (``quality_level``).
SEALS: dict[str, str] = {
    "oro": N_("Oro"),
    "plata": N_("Plata"),
    "bronce": N_("Bronce"),
    "sin sello": N_("Sin sello"),
}

#: Update frequencies (the specs' controlled vocabulary, ``catalog.specs.Frequency``).
FREQUENCIES: dict[str, str] = {
    "horaria": N_("horaria"),
    "diaria": N_("diaria"),
    "semanal": N_("semanal"),
    "mensual": N_("mensual"),
    "trimestral": N_("trimestral"),
    "semestral": N_("semestral"),
    "anual": N_("anual"),
    "eventual": N_("eventual"),
}

#: Languages a dataset may be published in (ISO 639-1).
CONTENT_LANGUAGES: dict[str, str] = {"es": N_("español"), "en": N_("inglés")}

#: The ISO 25012 criteria the quality score measures: a name and what it means for a reader.
CRITERIA: dict[str, tuple[str, str]] = {
    "completitud": (
        N_("Completitud"),
        N_("Qué parte de las celdas tiene un valor (no está vacía)."),
    ),
    "exactitud": (
        N_("Exactitud"),
        N_("Si los valores respetan los rangos, formatos y listas de valores permitidos."),
    ),
    "actualidad": (
        N_("Actualidad"),
        N_("Si los datos están al día según la frecuencia de actualización que se declaró."),
    ),
    "consistencia": (
        N_("Consistencia"),
        N_(
            "Si las columnas son coherentes entre sí y el número de filas es coherente con "
            "la entrega anterior."
        ),
    ),
    "unicidad": (
        N_("Unicidad"),
        N_("Si cada registro aparece una sola vez (su clave no se repite)."),
    ),
    "conformidad": (
        N_("Conformidad"),
        N_("Si el archivo recibido cumple la estructura y los tipos que declara su ficha."),
    ),
    "comprensibilidad": (
        N_("Comprensibilidad"),
        N_(
            "Si el conjunto está bien explicado: descripción, etiquetas, contacto, "
            "documentación y cada columna descrita."
        ),
    ),
    "trazabilidad": (
        N_("Trazabilidad"),
        N_("Si cada fila se puede rastrear hasta el archivo original en que llegó."),
    ),
}

#: The metadata checks of the quality report (data.gouv.fr style), as the report names them.
METADATA_CHECKS: dict[str, str] = {
    "licencia abierta": N_("Licencia abierta"),
    "cobertura temporal": N_("Cobertura temporal declarada"),
    "cobertura espacial": N_("Cobertura espacial declarada"),
    "frecuencia de actualización declarada": N_("Frecuencia de actualización declarada"),
    "actualizado según su frecuencia": N_("Actualizado según su frecuencia"),
    "descripción de más de 100 caracteres": N_("Descripción de más de 100 caracteres"),
    "formatos abiertos": N_("Formatos abiertos"),
    "recursos disponibles": N_("Archivos disponibles"),
    "documentación": N_("Documentación"),
}

#: Lineage stages (``lineage[].stage``): what each step is, in a few words.
STAGES: dict[str, str] = {
    "source": N_("Fuente"),
    "raw": N_("Zona cruda"),
    "staging": N_("Preparación y calidad"),
    "curated": N_("Protección de datos personales"),
    "model": N_("Modelo conformado"),
    "release": N_("Publicación"),
}

#: Generalisation targets of the privacy operators (``generalize → <to> [size]``).
GENERALIZATIONS: dict[str, str] = {
    "month": N_("fechas reducidas al mes"),
    "year": N_("fechas reducidas al año"),
    "decade": N_("años reducidos a la década"),
    "band": N_("valores agrupados en rangos"),
    "grid": N_("ubicación reducida a una cuadrícula"),
}

#: The six dimensions of MinTIC's smart cities and territories model: slug, name, summary.
DIMENSIONS: dict[str, tuple[Dimension, str]] = {
    "personas": (
        Dimension.PERSONAS,
        N_("Educación, inclusión social y capacidades de las personas."),
    ),
    "gobernanza": (
        Dimension.GOBERNANZA,
        N_("Gobierno abierto, participación ciudadana y gestión pública."),
    ),
    "calidad-de-vida": (
        Dimension.CALIDAD_DE_VIDA,
        N_("Salud, seguridad, cultura y bienestar de los habitantes."),
    ),
    "desarrollo-economico": (
        Dimension.DESARROLLO_ECONOMICO,
        N_("Empresas, empleo, productividad e innovación."),
    ),
    "medio-ambiente": (
        Dimension.MEDIO_AMBIENTE,
        N_("Calidad del aire y del agua, residuos y gestión del riesgo."),
    ),
    "habitat": (
        Dimension.HABITAT,
        N_("Movilidad, vivienda, espacio público y servicios urbanos."),
    ),
}


def dimension_slug(name: str) -> str | None:
    """``Calidad de Vida`` → ``calidad-de-vida``; ``None`` for a name that is not one of six."""
    return next((slug for slug, (dim, _) in DIMENSIONS.items() if dim.value == name), None)


#: Table Schema types of the data dictionary, in words.
TYPES: dict[str, str] = {
    "string": N_("texto"),
    "integer": N_("número entero"),
    "number": N_("número"),
    "boolean": N_("sí/no"),
    "date": N_("fecha"),
    "datetime": N_("fecha y hora"),
    "time": N_("hora"),
    "any": N_("otro"),
}
