"""``pqrs_peticiones``: citizens' petitions, complaints and claims (Bogotá Te Escucha-like).

The free-text dataset: citizens write their own name, cédula, address, phone and e-mail into
the ``descripcion`` they submit, in every style (formal letters, one-line complaints in capitals,
no accents). That is what the privacy engineer's detectors must find. Written as a JSON array of
records (UTF-8); blanks are ``null``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from samples import dirt
from samples.base import Context, DatasetDef, GeneratedFile, chunks
from samples.pools import (
    addresses,
    ages,
    birth_dates,
    document_numbers,
    dotted,
    localidad_index,
    names,
    phones,
    pick,
    pick_index,
    ymd,
)
from samples.reference import LOCALIDADES, strip_accents
from samples.writers import JsonArrayWriter

DATASET_ID = "pqrs_peticiones"
SECTOR = "gestion_publica"
START = dt.date(2024, 7, 1)
END = dt.date(2025, 6, 7)

KEYS = (
    "radicado",
    "fecha_radicacion",
    "canal",
    "tipo",
    "tema",
    "entidad_destino",
    "localidad",
    "tipo_peticionario",
    "asunto",
    "descripcion",
    "estado",
    "fecha_cierre",
    "dias_respuesta",
)

CANALES = (
    "Web",
    "E-mail",
    "Telefónico",
    "Presencial",
    "Escrito",
    "Redes sociales",
    "Buzón",
    "App móvil",
)
_CANAL_P = (45, 20, 12, 12, 6, 3, 1, 1)
TIPOS = ("Petición", "Queja", "Reclamo", "Sugerencia", "Denuncia", "Felicitación")
_TIPO_P = (46, 18, 18, 5, 11, 2)
ESTADOS_ABIERTOS = ("Registrado", "Asignado", "En trámite")
ESTADOS_CERRADOS = (
    "Solucionado - por respuesta definitiva",
    "Cerrado",
    "Trasladado por no competencia",
)
ESTADOS = ESTADOS_ABIERTOS + ESTADOS_CERRADOS

# tema, entidad, weight, asuntos, cuerpos ({barrio}, {n}, {ruta} and {via} are filled in)
TEMAS: tuple[tuple[str, str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "Malla vial",
        "Unidad Administrativa Especial de Rehabilitación y Mantenimiento Vial",
        12,
        ("Hueco en la vía", "Arreglo de malla vial"),
        (
            "quiero informar que hay un hueco enorme en la vía frente a mi casa en el barrio "
            "{barrio}, ya van {n} meses y nadie lo arregla, los carros se dañan y es un peligro "
            "para los niños.",
            "solicito el arreglo de la malla vial de la {via}, está totalmente destruida y cuando "
            "llueve se inunda.",
        ),
    ),
    (
        "Alumbrado público",
        "Unidad Administrativa Especial de Servicios Públicos - UAESP",
        7,
        ("Luminarias apagadas",),
        (
            "las luminarias del parque del barrio {barrio} llevan {n} semanas apagadas y de noche "
            "roban a la gente que sale del TransMilenio.",
        ),
    ),
    (
        "Recolección de residuos",
        "Unidad Administrativa Especial de Servicios Públicos - UAESP",
        9,
        ("Basuras acumuladas", "No pasa el camión de la basura"),
        (
            "el camión de la basura no pasa hace {n} días por el barrio {barrio} y hay "
            "acumulación de residuos y ratas en la esquina de la {via}.",
            "en la {via} botan escombros y colchones todos los fines de semana, se volvió un "
            "botadero.",
        ),
    ),
    (
        "Ruido",
        "Secretaría Distrital de Ambiente",
        6,
        ("Ruido de establecimiento",),
        (
            "un establecimiento nocturno cerca de mi vivienda pone música a todo volumen hasta "
            "las 3 de la mañana, no dejan dormir a nadie en el barrio {barrio}.",
        ),
    ),
    (
        "Arbolado urbano",
        "Jardín Botánico de Bogotá José Celestino Mutis",
        4,
        ("Solicitud de poda", "Árbol en riesgo de caída"),
        (
            "un árbol frente a mi casa está a punto de caerse sobre las cuerdas de la luz, "
            "solicito la poda o tala urgente.",
        ),
    ),
    (
        "Atención en salud",
        "Secretaría Distrital de Salud",
        10,
        ("Demora en citas", "Negación de servicio"),
        (
            "llevo {n} semanas esperando la autorización de una cita con especialista y la EPS no "
            "me da respuesta.",
            "en la unidad de servicios de salud me negaron la atención a mi mamá que tiene {edad} "
            "años y estaba con fiebre.",
        ),
    ),
    (
        "Cupos escolares",
        "Secretaría de Educación del Distrito",
        7,
        ("Solicitud de cupo escolar",),
        (
            "solicito un cupo escolar para mi hijo en un colegio cercano al barrio {barrio}, el "
            "que nos asignaron queda a más de una hora.",
        ),
    ),
    (
        "Subsidios y apoyos sociales",
        "Secretaría Distrital de Integración Social",
        9,
        ("Pago de Ingreso Mínimo Garantizado", "Inscripción a bono canasta"),
        (
            "no he recibido el pago del Ingreso Mínimo Garantizado desde hace {n} meses y soy "
            "madre cabeza de hogar.",
            "solicito que me inscriban en el programa de bono canasta, estoy desempleado y tengo "
            "{n} hijos.",
        ),
    ),
    (
        "Seguridad y convivencia",
        "Secretaría Distrital de Seguridad, Convivencia y Justicia",
        8,
        ("Inseguridad en el barrio", "Consumo en parque"),
        (
            "en el parque del barrio {barrio} hay consumo y venta de estupefacientes todos los "
            "días, pedimos presencia de la policía.",
            "en la {via} atracan a las personas en las mañanas, ya van {n} robos esta semana.",
        ),
    ),
    (
        "TransMilenio y SITP",
        "TransMilenio S.A.",
        8,
        ("Frecuencia de ruta",),
        ("la ruta {ruta} del SITP pasa cada {n} minutos y siempre va llena, solicito más buses.",),
    ),
    (
        "Impuestos",
        "Secretaría Distrital de Hacienda",
        5,
        ("Cobro de impuesto predial",),
        (
            "me llegó el cobro del impuesto predial con un valor que no corresponde al avalúo de "
            "mi casa.",
        ),
    ),
    (
        "Espacio público",
        "Departamento Administrativo de la Defensoría del Espacio Público",
        5,
        ("Invasión del espacio público",),
        ("los vendedores informales invaden el andén de la {via} y no se puede caminar.",),
    ),
    (
        "Parques y recreación",
        "Instituto Distrital de Recreación y Deporte",
        3,
        ("Parque en mal estado",),
        ("el parque del barrio {barrio} tiene los juegos infantiles dañados hace {n} meses.",),
    ),
    (
        "Movilidad y comparendos",
        "Secretaría Distrital de Movilidad",
        5,
        ("Fotomulta",),
        (
            "me impusieron un comparendo por fotomulta pero el vehículo ya no es mío desde hace "
            "{n} años.",
        ),
    ),
    (
        "Violencias contra las mujeres",
        "Secretaría Distrital de la Mujer",
        2,
        ("Posible caso de violencia",),
        (
            "mi vecina es víctima de violencia por parte de su pareja, se escuchan gritos todas "
            "las noches.",
        ),
    ),
    (
        "Bienestar animal",
        "Instituto Distrital de Protección y Bienestar Animal",
        3,
        ("Animal en abandono",),
        ("hay un perro abandonado y maltratado en la {via}, necesita atención veterinaria.",),
    ),
)

_GREETINGS = (
    "Buenas tardes",
    "Buenos días",
    "Señores",
    "Cordial saludo",
    "Respetados señores",
    "Hola",
    "Buen día",
    "Señores Alcaldía Mayor de Bogotá",
    "",
)
_CLOSINGS = (
    "Agradezco su pronta respuesta.",
    "Quedo atent{o} a su respuesta.",
    "Gracias.",
    "Espero una solución pronto.",
    "Atentamente,",
    "Por favor ayúdennos.",
    "",
)
_RUTAS = ("K86", "T25", "C17", "G47", "P500", "18-3", "SE14", "730", "H604", "Z7")


def size(rows: int) -> int:
    return max(1, rows // 4)


def _texts(
    rng: np.random.Generator,
    n: int,
    tema: np.ndarray,
    tipo: np.ndarray,
    anonimo: np.ndarray,
    person: dict[str, np.ndarray],
    barrio: np.ndarray,
) -> np.ndarray:
    """Assemble each citizen's text from a greeting, a self-identification that may carry name,
    document, address, phone and e-mail, the body of the complaint and a closing."""
    body_pick = rng.integers(0, 1 << 20, n).tolist()
    num = rng.integers(2, 13, n).tolist()
    greet = pick(rng, _GREETINGS, n).tolist()
    close = pick(rng, _CLOSINGS, n).tolist()
    ruta = pick(rng, _RUTAS, n).tolist()
    intro_style = rng.integers(0, 4, n).tolist()
    doc_style = rng.integers(0, 5, n).tolist()
    contact_style = rng.integers(0, 4, n).tolist()
    has_doc = (rng.random(n) < 0.6).tolist()
    has_addr = (rng.random(n) < 0.45).tolist()
    has_phone = (rng.random(n) < 0.55).tolist()
    has_mail = (rng.random(n) < 0.4).tolist()
    shouting = (rng.random(n) < 0.08).tolist()
    no_accents = (rng.random(n) < 0.15).tolist()
    rows = zip(
        tema.tolist(),
        tipo.tolist(),
        anonimo.tolist(),
        person["nombre"].tolist(),
        person["female"].tolist(),
        person["doc"].tolist(),
        person["dir"].tolist(),
        person["tel"].tolist(),
        person["mail"].tolist(),
        person["via"].tolist(),
        person["edad_madre"].tolist(),
        barrio.tolist(),
        strict=True,
    )
    out = []
    for i, (t, tp, anon, nombre, fem, doc, direc, tel, mail, via, edad, bar) in enumerate(rows):
        o = "a" if fem else "o"
        parts = []
        if greet[i]:
            parts.append(greet[i] + ",")
        if not anon:
            st = intro_style[i]
            if st == 0:
                intro = f"mi nombre es {nombre}"
            elif st == 1:
                intro = f"yo, {nombre},"
            elif st == 2:
                intro = f"me dirijo a ustedes como ciudadan{o}, soy {nombre}"
            else:
                intro = f"{nombre}"
            if has_doc[i]:
                ds = doc_style[i]
                intro += (
                    f", identificad{o} con CC {doc}",
                    f" con cédula {doc}",
                    f", C.C. {doc} de Bogotá",
                    f" con documento de identidad No. {doc}",
                    f" cc {doc}",
                )[ds]
            if has_addr[i]:
                intro += (
                    f", vivo en la {direc}",
                    f", residente en la {direc} barrio {bar}",
                    f", mi dirección es {direc}",
                    f", en el barrio {bar} ({direc})",
                )[contact_style[i]]
            parts.append(intro[0].upper() + intro[1:] + ".")
        if tp == "Felicitación":
            body = (
                f"Quiero felicitar a los funcionarios de la {TEMAS[t][1]} por la atención tan "
                "amable y rápida que me dieron."
            )
        else:
            bodies = TEMAS[t][4]
            body = bodies[body_pick[i] % len(bodies)].format(
                barrio=bar, n=num[i], ruta=ruta[i], via=via, edad=edad
            )
            body = ("Les escribo porque " if anon or body_pick[i] % 2 else "") + body
            body = body[0].upper() + body[1:]
        parts.append(body)
        if not anon:
            contact = []
            if has_phone[i]:
                contact.append(
                    (
                        f"Mi celular es {tel}",
                        f"Pueden contactarme al {tel}",
                        f"Tel: {tel}",
                        f"cel {tel}",
                    )[contact_style[i]]
                )
            if has_mail[i]:
                contact.append(
                    (
                        f"mi correo es {mail}",
                        f"correo electrónico: {mail}",
                        f"respuesta al correo {mail}",
                        mail,
                    )[doc_style[i] % 4]
                )
            if contact:
                parts.append(", ".join(contact) + ".")
        if close[i]:
            parts.append(close[i].format(o=o))
            if close[i].endswith(",") and not anon:
                parts.append(nombre)
        text = " ".join(parts)
        if no_accents[i]:
            text = strip_accents(text)
        if shouting[i]:
            text = text.upper()
        out.append(text)
    return np.array(out, dtype=object)


def _chunk(ctx: Context, rng: np.random.Generator, offset: int, n: int) -> list[np.ndarray]:
    tema = pick_index(rng, n, [t[2] for t in TEMAS])
    tipo = pick(rng, TIPOS, n, _TIPO_P)
    anon_p = np.where(tipo == "Denuncia", 0.35, 0.06)
    anonimo = rng.random(n) < anon_p
    juridica = (~anonimo) & (rng.random(n) < 0.04)
    tipo_pet = np.where(anonimo, "Anónimo", np.where(juridica, "Jurídica", "Natural"))

    span = (END - START).days + 1
    day = np.datetime64(START) + rng.integers(0, span, n).astype("timedelta64[D]")
    secs = rng.integers(7 * 3600, 19 * 3600, n)
    web = rng.random(n) < 0.3  # the web form takes petitions at any hour
    secs = np.where(web, rng.integers(0, 86400, n), secs)
    stamp = day.astype("datetime64[s]") + secs.astype("timedelta64[s]")
    fecha = np.array([str(s).replace("T", " ") for s in stamp], dtype=object)

    age_days = (np.datetime64(END) - day).astype(np.int64)
    closed = rng.random(n) < np.clip(age_days / 30, 0.1, 0.95)
    estado = np.where(
        closed,
        pick(rng, ESTADOS_CERRADOS, n, [70, 20, 10]),
        pick(rng, ESTADOS_ABIERTOS, n, [20, 30, 50]),
    ).astype(object)
    dias = np.minimum(np.round(rng.lognormal(2.2, 0.55, n)).astype(np.int64) + 1, age_days)
    dias_col = np.empty(n, dtype=object)
    dias_col[:] = None
    dias_col[closed] = dias[closed].tolist()
    cierre_day = day + np.minimum(dias, age_days).astype("timedelta64[D]")
    cierre = np.empty(n, dtype=object)
    cierre[:] = None
    cierre[closed] = [str(d) for d in cierre_day[closed]]

    loc = localidad_index(rng, n)
    female = rng.random(n) < 0.56
    who = names(rng, ctx.pools, female)
    age = ages(rng, n, [0, 0, 0, 0.5, 8, 11, 11, 10, 9, 9, 8, 8, 7, 6, 5, 3, 2, 1, 0.5, 0])
    born = birth_dates(rng, age, day)
    by, _, _ = ymd(born)
    tipos_doc = np.where(rng.random(n) < 0.04, "CE", "CC").astype(object)
    doc = document_numbers(rng, tipos_doc, by, female)
    doc = dotted(doc, rng.random(n) < 0.5)
    nombre = who.full()
    barrio_pool = [LOCALIDADES[i].barrios for i in range(len(LOCALIDADES))]
    bpick = rng.integers(0, 1 << 20, n)
    barrio = np.array(
        [
            barrio_pool[i][j % len(barrio_pool[i])]
            for i, j in zip(loc.tolist(), bpick.tolist(), strict=True)
        ],
        dtype=object,
    )
    person = {
        "nombre": nombre,
        "female": female,
        "doc": doc,
        "dir": addresses(rng, loc),
        "tel": phones(rng, n, landline_rate=0.08),
        "mail": who.emails(rng),
        "via": addresses(rng, loc),
        "edad_madre": np.clip(age + 25, 50, 95),
    }
    descripcion = _texts(rng, n, tema, tipo, anonimo, person, barrio)
    asunto = np.array(
        [
            TEMAS[t][3][j % len(TEMAS[t][3])] if tp != "Felicitación" else "Felicitación"
            for t, tp, j in zip(tema.tolist(), tipo.tolist(), bpick.tolist(), strict=True)
        ],
        dtype=object,
    )
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    seq = 1_000_000 + (offset + np.arange(n)) * 3 + rng.integers(0, 3, n)
    radicado = np.array(
        [f"{s}{y}" for s, y in zip(seq.tolist(), year.tolist(), strict=True)], dtype=object
    )
    localidad = dirt.localidades(rng, loc, "title", rate=0.03)
    cols: list[np.ndarray] = [
        radicado,
        fecha,
        pick(rng, CANALES, n, _CANAL_P),
        tipo,
        np.array([t[0] for t in TEMAS], dtype=object)[tema],
        np.array([t[1] for t in TEMAS], dtype=object)[tema],
        localidad,
        tipo_pet.astype(object),
        asunto,
        descripcion,
        estado,
        cierre,
        dias_col,
    ]
    ix = {k: i for i, k in enumerate(KEYS)}
    dirt.blanks(rng, cols[ix["localidad"]], 0.05, value=None)
    dirt.blanks(rng, cols[ix["canal"]], 0.005, value=None)
    dirt.inject(rng, cols[ix["dias_respuesta"]], ["n/a", "quince", "15 días"], 0.001)
    dirt.inject(rng, cols[ix["fecha_radicacion"]], ["2025-02-30 09:15:00", "31/04/2025"], 0.0005)
    dirt.mixed_case(rng, cols[ix["asunto"]], 0.02)
    dirt.duplicate_rows(rng, cols, 0.002)
    return cols


def write(ctx: Context, rows: int) -> list[GeneratedFile]:
    rng = ctx.rng(DATASET_ID)
    rel = f"{DATASET_ID}/{DATASET_ID}.json"
    with JsonArrayWriter(ctx.out_dir / rel, KEYS) as out:
        for offset, n in chunks(rows):
            out.write(_chunk(ctx, rng, offset, n))
    return [GeneratedFile(DATASET_ID, rel, out.rows)]


DATASET = DatasetDef(DATASET_ID, SECTOR, size, write)
