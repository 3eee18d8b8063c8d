"""Benchmark: personal-data detection in Spanish text, ADA's batch detector against Presidio.

Evaluation (precision/recall per entity class) on three annotated sets:

* CoNLL-2002 Spanish ``esp.testa`` (newswire), ``PER`` only;
* MEDDOCAN dev (clinical reports from Spain, BRAT standoff), labels mapped to our classes;
* generated Colombian sentences (Faker ``es_CO``, seeded) holding every entity type.

Matching rule: a gold span is *found* if a predicted span of the same class overlaps it
(recall); a predicted span is *correct* if it overlaps a gold span of the same class
(precision). Classes: PERSON, DOCUMENT (every document type and labelled id), PHONE, EMAIL,
ADDRESS, BIRTH_DATE, PLATE.

Throughput: the same 20,000 short texts (CoNLL testa sentences and generated sentences,
repeated and shuffled with a fixed seed) through ``privacy.text.detector.detect`` and through
Presidio's ``BatchAnalyzerEngine`` over an ``AnalyzerEngine`` with the same spaCy model and its
default recognizers. Model loading is excluded for both (warm-up before timing).

    python bench/privacy_text.py [--quick] [--texts 20000]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

REALDATA = Path(os.environ.get("ADA_REALDATA", REPO.parent / "shared" / "realdata"))
CONLL = REALDATA / "ner_conll2002_es" / "esp.testa"
MEDDOCAN = REALDATA / "pii_meddocan_es" / "dev_brat"

Gold = list[tuple[int, int, str]]  # (start, end, class)

CLASS_OF = {
    "PERSON": "PERSON",
    "CO_CEDULA": "DOCUMENT",
    "CO_CEDULA_EXTRANJERIA": "DOCUMENT",
    "CO_TARJETA_IDENTIDAD": "DOCUMENT",
    "CO_PEP_PPT": "DOCUMENT",
    "CO_PASAPORTE": "DOCUMENT",
    "CO_NIT": "DOCUMENT",
    "ID_NUMBER": "DOCUMENT",
    # Presidio's own types, for the baseline.
    "ES_NIF": "DOCUMENT",
    "ES_NIE": "DOCUMENT",
    "MEDICAL_LICENSE": "DOCUMENT",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "CO_ADDRESS": "ADDRESS",
    "DATE_TIME": "BIRTH_DATE",
    "CO_PLACA": "PLATE",
}
MEDDOCAN_CLASS = {
    "NOMBRE_SUJETO_ASISTENCIA": "PERSON",
    "NOMBRE_PERSONAL_SANITARIO": "PERSON",
    "ID_SUJETO_ASISTENCIA": "DOCUMENT",
    "ID_TITULACION_PERSONAL_SANITARIO": "DOCUMENT",
    "ID_ASEGURAMIENTO": "DOCUMENT",
    "ID_CONTACTO_ASISTENCIAL": "DOCUMENT",
    "ID_EMPLEO_PERSONAL_SANITARIO": "DOCUMENT",
    "CORREO_ELECTRONICO": "EMAIL",
    "NUMERO_TELEFONO": "PHONE",
    "NUMERO_FAX": "PHONE",
    "CALLE": "ADDRESS",
}


# --- corpora ---------------------------------------------------------------------------------


def load_conll(path: Path = CONLL) -> list[tuple[str, Gold]]:
    """Sentences as text (tokens joined by spaces) with their PER spans."""
    out: list[tuple[str, Gold]] = []
    tokens: list[tuple[str, str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if len(parts) == 2:
            tokens.append((parts[0], parts[1]))
            continue
        if not tokens:
            continue
        text, gold, pos, open_start = "", [], 0, None
        for i, (token, tag) in enumerate(tokens):
            if open_start is not None and tag != "I-PER":
                gold.append((open_start, pos - 1, "PERSON"))
                open_start = None
            if tag == "B-PER":
                open_start = pos
            text += token + " "
            pos += len(token) + 1
            if i == len(tokens) - 1 and open_start is not None:
                gold.append((open_start, pos - 1, "PERSON"))
        out.append((text[:-1], gold))
        tokens = []
    return out


def load_meddocan(folder: Path = MEDDOCAN) -> list[tuple[str, Gold]]:
    out = []
    for txt in sorted(folder.glob("*.txt")):
        gold: Gold = []
        for line in txt.with_suffix(".ann").read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            info = line.split("\t")[1].split()
            cls = MEDDOCAN_CLASS.get(info[0])
            if cls:
                gold.append((int(info[1]), int(info[-1]), cls))
        out.append((txt.read_text(encoding="utf-8"), gold))
    return out


def generate_colombian(n: int, seed: int = 7) -> list[tuple[str, Gold]]:
    """Sentences in the style of district petitions, every entity type, with gold spans."""
    from faker import Faker

    from privacy.recognizers.co_nit import check_digit

    fake = Faker("es_CO")
    fake.seed_instance(seed)
    rng = random.Random(seed)

    def dotted(number: int) -> str:
        return f"{number:,}".replace(",", ".")

    def cedula() -> str:
        n = rng.choice(
            [rng.randint(10_000_000, 99_999_999), rng.randint(1_000_000_000, 1_099_999_999)]
        )
        return dotted(n) if rng.random() < 0.5 else str(n)

    def phone() -> str:
        d = f"3{rng.randint(0, 2)}{rng.randint(0, 9)}{rng.randint(0, 9_999_999):07d}"
        style = rng.randint(0, 3)
        if style == 0:
            return d
        if style == 1:
            return f"{d[:3]} {d[3:6]} {d[6:]}"
        if style == 2:
            return f"+57 {d[:3]}-{d[3:6]}-{d[6:]}"
        return f"601 {rng.randint(200, 799)} {rng.randint(0, 9999):04d}"

    def nit() -> str:
        base = str(rng.randint(800_000_000, 901_999_999))
        return f"{base[:3]}.{base[3:6]}.{base[6:]}-{check_digit(base)}"

    def address() -> str:
        kind = rng.choice(["Calle", "Carrera", "Cra.", "Cl", "AK", "Diagonal", "Transversal"])
        suffix = rng.choice(["", "", " Sur", " Bis", " A"])
        unit = rng.choice(["", "", " Apto 502", " Int 3", " Torre 2 Apto 1904"])
        plate_number = f"{rng.randint(1, 120)}-{rng.randint(1, 99)}"
        return f"{kind} {rng.randint(1, 180)}{suffix} # {plate_number}{unit}"

    def plate() -> str:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        if rng.random() < 0.7:
            return f"{letters}{rng.choice(['', '-', ' '])}{rng.randint(100, 999)}"
        return f"{letters}{rng.randint(10, 99)}{rng.choice('ABCDEFGH')}"

    def birth() -> str:
        d = fake.date_of_birth(minimum_age=1, maximum_age=90)
        months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto"]
        months += ["septiembre", "octubre", "noviembre", "diciembre"]
        return rng.choice(
            [d.strftime("%d/%m/%Y"), d.isoformat(), f"{d.day} de {months[d.month - 1]} de {d.year}"]
        )

    def name() -> str:
        return (
            fake.name()
            if rng.random() < 0.5
            else f"{fake.first_name()} {fake.last_name()} {fake.last_name()}"
        )

    templates = [
        ("Buenas tardes, mi nombre es {P} y mi cédula es {CC}.", None),
        ("Yo {P}, identificado con C.C. {CC}, solicito información sobre mi caso.", None),
        ("La señora {P} reporta que el vehículo de placa {PL} invadió el andén.", None),
        ("Favor comunicarse al celular {T} o al correo {E}.", None),
        ("Vivo en la {A} y nadie responde mis peticiones.", None),
        ("El menor con tarjeta de identidad {TI} no fue atendido.", None),
        ("Soy venezolana, PEP {PEP}, y necesito una cita.", None),
        ("Mi esposo tiene cédula de extranjería {CE} y trabaja aquí.", None),
        ("Presento pasaporte {PA} para el trámite.", None),
        ("Fecha de nacimiento: {F}. Teléfono: {T}.", None),
        ("La empresa con NIT {NIT} no ha pagado a {P}.", None),
        ("{P} llamó desde el {T} para pedir ayuda.", None),
        ("Atentamente, {P}\nCorreo: {E}\nDirección: {A}", None),
        ("El Sr. {P} nació el {F} y vive en la {A}.", None),
        ("Solicito la revisión del comparendo de la moto de placas {PL}.", None),
        ("Me llamo {P}, mi número es {T} y mi PPT es {PPT}.", None),
        ("Los vecinos del barrio Kennedy se quejan del ruido en el parque.", None),
        ("El contrato vale 52123456 pesos y se firmó en 2024.", None),
    ]
    makers = {
        "P": (name, "PERSON"),
        "CC": (cedula, "DOCUMENT"),
        "TI": (lambda: str(rng.randint(1_000_000_000, 1_099_999_999)), "DOCUMENT"),
        "PEP": (lambda: str(rng.randint(10**14, 10**15 - 1)), "DOCUMENT"),
        "CE": (lambda: str(rng.randint(100_000, 9_999_999)), "DOCUMENT"),
        "PPT": (lambda: str(rng.randint(1_000_000, 9_999_999)), "DOCUMENT"),
        "PA": (
            lambda: (
                "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2))
                + str(rng.randint(1_000_000, 9_999_999))
            ),
            "DOCUMENT",
        ),
        "NIT": (nit, "DOCUMENT"),
        "T": (phone, "PHONE"),
        "E": (lambda: fake.email(), "EMAIL"),
        "A": (address, "ADDRESS"),
        "PL": (plate, "PLATE"),
        "F": (birth, "BIRTH_DATE"),
    }
    import re

    out = []
    for i in range(n):
        template = templates[i % len(templates)][0]
        text, gold = "", []
        for piece in re.split(r"(\{[A-Z]+\})", template):
            if piece.startswith("{"):
                make, cls = makers[piece[1:-1]]
                value = make()
                gold.append((len(text), len(text) + len(value), cls))
                text += value
            else:
                text += piece
        out.append((text, gold))
    return out


# --- scoring ---------------------------------------------------------------------------------


def score(
    data: Sequence[tuple[str, Gold]], predicted: Sequence[Iterable[tuple[int, int, str]]]
) -> dict[str, dict[str, int]]:
    """Per class: gold, found (recall numerator), predicted, correct (precision numerator)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    gold_classes = {cls for _, gold in data for _, _, cls in gold}
    for (_, gold), preds in zip(data, predicted, strict=True):
        preds = [(s, e, CLASS_OF[t]) for s, e, t in preds if CLASS_OF.get(t) in gold_classes]
        for s, e, cls in gold:
            counts[cls]["gold"] += 1
            counts[cls]["found"] += any(ps < e and s < pe and pc == cls for ps, pe, pc in preds)
        for ps, pe, pc in preds:
            counts[pc]["predicted"] += 1
            counts[pc]["correct"] += any(ps < e and s < pe and c == pc for s, e, c in gold)
    return counts


def ours(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    from privacy.text.detector import detect

    return [[(s.start, s.end, s.type) for s in spans] for spans in detect(texts)]


def presidio_engine():  # type: ignore[no-untyped-def]
    """Presidio's analyzer, default recognizers, the same Spanish spaCy model (offline)."""
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from privacy.engine import SPANISH_MODEL, use_bundled_public_suffixes

    use_bundled_public_suffixes()
    config = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "es", "model_name": SPANISH_MODEL}],
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["es"])
    return BatchAnalyzerEngine(analyzer_engine=analyzer)


def presidio(engine, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:  # type: ignore[no-untyped-def]
    results = engine.analyze_iterator(list(texts), language="es", score_threshold=0.4)
    return [[(r.start, r.end, r.entity_type) for r in rs] for rs in results]


def _is_id(text: str, gold: tuple[int, int, str]) -> bool:
    return gold[2] == "DOCUMENT" and any(c.isdigit() for c in text[gold[0] : gold[1]])


def _row(corpus: str, counts: dict[str, dict[str, int]]) -> list[str]:
    rows = []
    for cls in sorted(counts):
        c = counts[cls]
        if not c["gold"]:
            continue
        p = c["correct"] / c["predicted"] if c["predicted"] else 0.0
        r = c["found"] / c["gold"]
        rows.append(
            f"| {corpus} | {cls} | {c['gold']:,} | {c['predicted']:,} | {p:.3f} | {r:.3f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 texts, no MEDDOCAN")
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    n_texts = 2_000 if args.quick else args.texts

    conll = load_conll()
    generated = generate_colombian(400 if args.quick else 2_000)
    corpora = {"CoNLL-2002 testa": conll, "Colombian (generated)": generated}
    if not args.quick:
        corpora["MEDDOCAN dev"] = load_meddocan()

    print(
        "## Detection quality (ours): a gold span is found if a predicted span of the same "
        "class overlaps it\n"
    )
    print(
        "| corpus | class | gold | predicted | precision | recall |\n|---|---|---:|---:|---:|---:|"
    )
    for corpus, data in corpora.items():
        predicted = ours([t for t, _ in data])
        for line in _row(corpus, score(data, predicted)):
            print(line)
        if corpus == "MEDDOCAN dev":
            # MEDDOCAN also files descriptors under ID_SUJETO_ASISTENCIA (``lactante``,
            # ``ecuatoriana``): the same rule on the document spans that hold a digit.
            ids = [
                (
                    text,
                    [
                        g
                        for g in gold
                        if g[2] == "DOCUMENT" and any(c.isdigit() for c in text[g[0] : g[1]])
                    ],
                )
                for text, gold in data
            ]
            counts = {"DOCUMENT (with a digit)": score(ids, predicted)["DOCUMENT"]}
            for line in _row(corpus, counts):
                print(line)

    # Throughput: the same short texts for both.
    pool = conll + generated
    rng = random.Random(11)
    indices = [rng.randrange(len(pool)) for _ in range(n_texts)]
    texts = [pool[i][0] for i in indices]
    from privacy.text.detector import warm_up

    warm_up()
    start = time.perf_counter()
    our_preds = ours(texts)
    our_seconds = time.perf_counter() - start
    engine = presidio_engine()
    presidio(engine, ["Juan Pérez vive en Bogotá."])
    start = time.perf_counter()
    their_preds = presidio(engine, texts)
    their_seconds = time.perf_counter() - start

    data = [pool[i] for i in indices]
    print("\n## Throughput on the same texts, and recall on them\n")
    print(
        f"{n_texts:,} short texts (CoNLL testa sentences and generated Colombian sentences), "
        f"{os.cpu_count()} cores\n"
    )
    print(
        "| detector | seconds | texts/s | PERSON R | DOCUMENT R | PHONE R | EMAIL R | ADDRESS R |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, preds, seconds in (
        ("Presidio BatchAnalyzerEngine (defaults)", their_preds, their_seconds),
        ("ADA privacy.text.detect", our_preds, our_seconds),
    ):
        counts = score(data, preds)
        recalls = [
            f"{counts[c]['found'] / counts[c]['gold']:.3f}" if counts[c]["gold"] else "-"
            for c in ("PERSON", "DOCUMENT", "PHONE", "EMAIL", "ADDRESS")
        ]
        print(
            f"| {label} | {seconds:.1f} | {n_texts / seconds:,.0f} | " + " | ".join(recalls) + " |"
        )
    print(f"\nratio: {their_seconds / our_seconds:.1f}x (target >= 5x)")


if __name__ == "__main__":
    main()
