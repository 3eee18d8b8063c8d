"""Batch detection of personal data in Spanish text, without Presidio's per-text overhead.

Presidio runs the whole spaCy pipeline (tagger, parser, lemmatizer, NER) on every text and
then every recognizer, with context matched on lemmas: ~350 short texts/s. The work that
matters is much smaller, so this module does only that, reusing the recognizers' own
``PATTERNS``, ``CONTEXT`` and ``validate_result`` (``privacy.recognizers`` stays the single source
of truth):

* patterns are compiled once per process, with each recognizer's regex flags, and skipped on
  texts that cannot match (no digit, no ``@``);
* context is Presidio's rule on the raw text: a context word among the few words before the
  match adds 0.35 to the score, with 0.4 as the floor;
* spaCy runs only its ``ner`` component (in ``es_core_news_sm`` it has its own tok2vec, so
  tagger, parser and lemmatizer are excluded), through ``nlp.pipe``, and only on texts that can
  hold a name: a capitalised word that does not start a sentence, a sentence start that is a
  known first name, or a name cue (``Sr.``, ``señora``, ``me llamo``...);
* large batches are split over a process pool (one model per worker, loaded once).

Overlaps are resolved once: the higher score wins, then the longer span, then documents over
phones (a dotted cédula is never a phone).
"""

from __future__ import annotations

import atexit
import os
import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from presidio_analyzer import Pattern
    from spacy.language import Language

#: Presidio's defaults (LemmaContextAwareEnhancer): what a context word adds, and the floor.
CONTEXT_BOOST = 0.35
CONTEXT_MIN_SCORE = 0.4
#: How many words before a match are searched for context (Presidio: 5 tokens; a word here
#: keeps its punctuation, so ``C.C.`` is one word where spaCy sees two tokens).
CONTEXT_WORDS = 6
#: Score Presidio gives spaCy's entities.
NER_SCORE = 0.85
#: Score of a place/organisation entity read as a person from its words (below the model's
#: own persons and the cue-based ones, above the threshold).
RELABEL_SCORE = 0.6
#: Score of a run of capitalised words opened by a known given name (``_known_name_spans``).
GAZETTEER_SCORE = 0.7
#: Components of ``es_core_news_sm`` that ``ner`` does not need: the shared ``tok2vec`` only
#: feeds the morphologizer and parser (its listeners); ``ner`` embeds its own.
NOT_FOR_NER = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "senter")
#: Below this many texts the pool's start-up and transfer cost more than they save.
POOL_MIN_TEXTS = 2000
POOL_CHUNK = 500
#: Ties between types are broken in this order (documents before phones).
_PRIORITY = {
    "CO_NIT": 9,
    "CO_CEDULA": 8,
    "CO_CEDULA_EXTRANJERIA": 8,
    "CO_TARJETA_IDENTIDAD": 8,
    "CO_PEP_PPT": 7,
    "CO_PASAPORTE": 7,
    "ID_NUMBER": 7,
    "EMAIL_ADDRESS": 6,
    "PHONE_NUMBER": 5,
    "CO_ADDRESS": 4,
    "CO_PLACA": 4,
    "DATE_TIME": 3,
    "PERSON": 2,
    "LOCATION": 1,
}
ENTITIES: frozenset[str] = frozenset(_PRIORITY)
#: What ``detect`` looks for unless told: everything but places, which are not personal alone.
DEFAULT_ENTITIES: frozenset[str] = ENTITIES - {"LOCATION"}

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True, slots=True)
class Span:
    """A detected entity: character offsets into the text, its type and score."""

    start: int
    end: int
    type: str
    score: float


@dataclass(frozen=True, slots=True)
class _Rule:
    entity: str
    regex: Any  # regex.Pattern (the ``regex`` module, as Presidio: variable-width look-behind)
    score: float
    recognizer: Any  # the PatternRecognizer, for validate_result / invalidate_result
    context: Any  # compiled alternation of the context words, or None
    needs_digit: bool
    needs_at: bool


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    import regex

    from privacy.recognizers import colombian_recognizers

    rules = []
    for recognizer in colombian_recognizers():
        entity = recognizer.supported_entities[0]
        words = sorted({w.lower() for w in recognizer.context or []}, key=len, reverse=True)
        context = (
            regex.compile(r"(?<!\w)(?:" + "|".join(regex.escape(w) for w in words) + ")")
            if words
            else None
        )
        patterns = cast("list[Pattern]", recognizer.__dict__["patterns"])
        for pattern in patterns:
            rules.append(
                _Rule(
                    entity=entity,
                    regex=regex.compile(pattern.regex, flags=recognizer.global_regex_flags),
                    score=pattern.score,
                    recognizer=recognizer,
                    context=context,
                    needs_digit="@" not in pattern.regex and r"\d" in pattern.regex,
                    needs_at="@" in pattern.regex,
                )
            )
    return tuple(rules)


def _window(text: str, start: int) -> str:
    """The last ``CONTEXT_WORDS`` words before ``start``, lower-cased."""
    before = text[max(0, start - 80) : start].split()
    return " ".join(before[-CONTEXT_WORDS:]).lower()


def _pattern_spans(text: str, wanted: frozenset[str]) -> list[Span]:
    has_digit = any(c.isdigit() for c in text)
    has_at = "@" in text
    spans = []
    for rule in _rules():
        if rule.entity not in wanted or (rule.needs_digit and not has_digit):
            continue
        if rule.needs_at and not has_at:
            continue
        for match in rule.regex.finditer(text):
            start, end = match.span()
            if start == end:
                continue
            matched = text[start:end]
            score = rule.score
            valid = rule.recognizer.validate_result(matched)
            if valid is False or rule.recognizer.invalidate_result(matched) is True:
                continue
            if valid is True:
                score = 1.0
            elif rule.context is not None and rule.context.search(_window(text, start)):
                score = max(min(score + CONTEXT_BOOST, 1.0), CONTEXT_MIN_SCORE)
            spans.append(Span(start, end, rule.entity, score))
    return spans


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names that may start a sentence (``Juan llamó``): see ``data/SOURCE.md``."""
    path = DATA / "first_names.txt"
    return frozenset(_fold(line) for line in path.read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words written in lower case in running text: see ``data/SOURCE.md``."""
    path = DATA / "common_words.txt"
    return frozenset(path.read_text(encoding="utf-8").split())


def _plausible_name(text: str, start: int, end: int) -> bool:
    """Drop what the small model often tags as a person: words mostly seen in other entities
    (``Perú``), ordinary words that start a sentence (``Según``), one-word spans written in lower
    case elsewhere in the same text, and spans with digits or symbols (``CD 117 +++``)."""
    name = text[start:end]
    if not name[:1].isupper() or any(not (c.isalpha() or c in " .'-") for c in name):
        return False
    if any(not (w[:1].isupper() or w.lower() in _PARTICLES) for w in name.split()):
        return False  # a name is capitalised words and particles (``Tampoco había`` is not)
    words = [_fold(w) for w in name.split() if w[:1].isupper()]
    if not words or (words[0] in non_person_words() and words[0] not in first_names()):
        return False
    if any(w in _INSTITUTION_WORDS for w in words):
        return False
    if len(words) == 1 and (len(name) <= 3 or name.isupper()) and words[0] not in first_names():
        return False  # acronyms and units (``IMC``, ``Gy``)
    if 2 * sum(w in non_person_words() for w in words) > len(words):
        return False
    if " " in name:
        return True
    if name.endswith("."):
        return False  # an initial alone
    known = (
        words[0] in first_names()
        or words[0] in person_words()
        or _SPEECH.match(text, end) is not None
    )
    before = text[:start].rstrip(" \t\"'«(¿¡")
    if not before or before[-1] in ".!?:;\n•—–-" or _AFTER_DE.search(before):
        return known  # one capitalised word opening a sentence
    return known or (
        name.lower() not in common_words() and not regex_word(name.lower()).search(text)
    )


_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "di", "van", "von"})
#: Words of institutions, services and places, which the small model reads as names
#: (``Complejo Hospitalario Universitario Juan Canalejo``, ``Medicina Interna``); folded.
_INSTITUTION_WORDS = frozenset(
    {
        "hospital", "hospitalario", "complejo", "servicio", "unidad", "centro", "clinica",
        "universitario", "universidad", "fundacion", "medicina", "terapia", "residencial",
        "college",
        "instituto", "departamento", "laboratorio", "seccion", "area", "secretaria", "alcaldia",
        "colegio", "corporacion", "ministerio", "empresa", "sociedad", "banco", "consejo",
        "comision", "juzgado", "fiscalia", "policia", "ejercito", "partido", "club", "asociacion",
        "federacion", "urbanizacion", "barrio", "localidad", "conjunto", "edificio", "torre",
        "avenida", "calle", "carrera", "plaza", "parque", "paseo",
    }
)  # fmt: skip
#: ``Egibar dijo``: a speech verb right after a word makes it a speaker.
_SPEECH = re.compile(
    r"\s*,?\s*(?:ha\s+)?(?:dijo|dicho|afirmó|afirmado|señaló|señalado|explicó|explicado|aseguró"
    r"|asegurado|indicó|indicado|declaró|declarado|manifestó|añadió|agregó|comentó|destacó"
    r"|subrayó|recordó|admitió|reconoció|insistió|precisó|anunció|advirtió|consideró|mantuvo"
    r"|sostuvo|expresó|opinó|respondió|resaltó)\b"
)
_ACCORDING = re.compile(r"(?<!\w)según\s*$", re.IGNORECASE)


def _speaker(text: str, start: int, end: int) -> bool:
    """``según Cabrera``, ``Delarts ha explicado``: whoever speaks is a person, whatever label
    the model gave the word."""
    if not _looks_like_name(text[start:end]):
        return False
    return bool(_SPEECH.match(text, end) or _ACCORDING.search(text, 0, start))


#: ``enfermedad de Crohn``, ``tinción de Ziehl``: after ``de`` an unknown word is an eponym or
#: a place more often than a person.
_AFTER_DE = re.compile(r"(?<!\w)(?:de|del|con|en|por)$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def regex_word(word: str) -> Any:
    import regex

    return regex.compile(rf"(?<!\w){regex.escape(word)}(?!\w)")


@lru_cache(maxsize=1)
def person_words() -> frozenset[str]:
    """Words seen mostly inside person names (folded): see ``data/SOURCE.md``."""
    return frozenset((DATA / "person_words.txt").read_text(encoding="utf-8").split())


@lru_cache(maxsize=1)
def non_person_words() -> frozenset[str]:
    """Words seen mostly inside places, organisations and other entities: ``data/SOURCE.md``."""
    return frozenset((DATA / "non_person_words.txt").read_text(encoding="utf-8").split())


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


@lru_cache(maxsize=1)
def _name_gate() -> Any:
    import regex

    cues = r"(?i:\b(?:sr|sra|srta|dr|dra|señor|señora|don|doña|me llamo|mi nombre|paciente))"
    inner = r"(?<=[^\s.!?¿¡:;\"'«(\-–—•\n]\s{1,3})\p{Lu}\p{Ll}"
    return regex.compile(f"{cues}|{inner}")


def may_hold_name(text: str) -> bool:
    """Whether running NER on ``text`` can find a person: cheap, errs towards yes."""
    if _name_gate().search(text):
        return True
    first = text.lstrip(" \t\"'¿¡«(-•").split(maxsplit=1)
    return bool(first) and first[0][:1].isupper() and _fold(first[0].strip(",.:;")) in first_names()


@lru_cache(maxsize=1)
def _nlp() -> Language:
    """spaCy's Spanish model with only ``ner`` (its own tok2vec) loaded."""
    import warnings

    import spacy

    from privacy.engine import SPANISH_MODEL

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W095\].*")
        return spacy.load(SPANISH_MODEL, exclude=list(NOT_FOR_NER))


def _ner_spans(texts: Sequence[str], wanted: frozenset[str]) -> list[list[Span]]:
    person, location = "PERSON" in wanted, "LOCATION" in wanted
    found: list[list[Span]] = [[] for _ in texts]
    if not (person or location):
        return found
    todo = [i for i, text in enumerate(texts) if location or may_hold_name(text)]
    if not todo:
        return found
    docs = _nlp().pipe((texts[i] for i in todo), batch_size=256)
    for i, doc in zip(todo, docs, strict=True):
        text = texts[i]
        people, others = [], []
        for ent in doc.ents:
            start, end = ent.start_char, ent.end_char
            if person and (
                ent.label_ == "PER" or _person_by_words(ent.text) or _speaker(text, start, end)
            ):
                start, end = _trim_person(text, start, end)
                if end > start and _plausible_name(text, start, end):
                    score = NER_SCORE if ent.label_ == "PER" else RELABEL_SCORE
                    people.append(Span(start, end, "PERSON", score))
                    continue
            if location and ent.label_ == "LOC":
                found[i].append(Span(start, end, "LOCATION", NER_SCORE))
            others.append((start, end))
        found[i].extend(people + _coordinated(text, people, others))
    return found


def _coordinated(text: str, people: list[Span], others: list[tuple[int, int]]) -> list[Span]:
    """Entities listed with a person are persons (``Sartor, Thuram y Cannavaro``): the small
    model labels the foreign surnames of a list as places or organisations one by one."""
    added: list[Span] = []
    pending = [
        (s, e) for s, e in others if _looks_like_name(text[s:e]) and _plausible_name(text, s, e)
    ]
    changed = True
    while changed and pending:
        changed = False
        anchors = people + added
        for start, end in list(pending):
            if any(
                _LIST_GAP.fullmatch(text, a.end, start) or _LIST_GAP.fullmatch(text, end, a.start)
                for a in anchors
                if a.end <= start or end <= a.start
            ):
                added.append(Span(start, end, "PERSON", RELABEL_SCORE))
                pending.remove((start, end))
                changed = True
    return added


_LIST_GAP = re.compile(r"\s*(?:,|;|y|e)\s*")


def _looks_like_name(name: str) -> bool:
    """Capitalised alphabetic words, none mostly seen in places or organisations."""
    words = name.split()
    return (
        0 < len(words) <= 4
        and all(w.isalpha() and w[:1].isupper() and not w.isupper() for w in words)
        and not any(_fold(w) in non_person_words() for w in words)
    )


def _person_by_words(name: str) -> bool:
    """A place, organisation or misc. entity of the model whose words are names: the small
    model tags many surnames as places (``González``, ``Arias``). Given names and words seen
    mostly in person names (``data/person_words.txt``) decide, unless a word is mostly seen in
    other entities (``Perú``, ``Telefónica``)."""
    words = [_fold(w) for w in name.split() if w[:1].isupper()]
    if not words or any(w in non_person_words() for w in words):
        return False
    if words[0] in first_names() and len(words) > 1:
        return True
    return all(w in person_words() for w in words)


def _trim_person(text: str, start: int, end: int) -> tuple[int, int]:
    """The model often takes a title before a name (``Sr.``) or a label after it (``NºCol``)."""
    match = _title().match(text, start, end)
    if match:
        start = match.end()
    words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    while len(words) > 1 and not _is_name_word(text[words[-1][0] : words[-1][1]], last=True):
        words.pop()
    if words:
        end = words[-1][1]
    return start, end


def _is_name_word(word: str, *, last: bool = False) -> bool:
    if last and word.lower() in {"de", "del", "la", "las", "los", "y"}:
        return False  # a name does not end in a particle (``Mujer de``)
    return word[:1].isalpha() and (any(c.islower() for c in word) or len(word) >= 3)


_WORD = re.compile(r"\S+")


@lru_cache(maxsize=1)
def _title() -> Any:
    import regex

    return regex.compile(
        r"(?i:sr|sra|srta|dr|dra|don|doña|señor|señora|doctor|doctora|lic|ing)\.?\s+"
    )


def resolve(spans: list[Span]) -> list[Span]:
    """Keep non-overlapping spans: higher score, then longer, then by type priority.

    A person inside an address is the street's name (``Calle Dr. Joaquín Aznar Molina 2``)."""
    addresses = [s for s in spans if s.type == "CO_ADDRESS"]
    spans = [
        s
        for s in spans
        if s.type != "PERSON" or not any(a.start <= s.start and s.end <= a.end for a in addresses)
    ]
    spans = _merge_people(spans)
    ranked = sorted(spans, key=lambda s: (-s.score, s.start - s.end, -_PRIORITY.get(s.type, 0)))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _merge_people(spans: list[Span]) -> list[Span]:
    """Overlapping person spans are one person (the model's ``JUANA`` inside the listed
    ``EDILMA JUANA OSPINA BENAVIDES``): keep their union, with the best score."""
    people = sorted((s for s in spans if s.type == "PERSON"), key=lambda s: s.start)
    merged: list[Span] = []
    for span in people:
        last = merged[-1] if merged else None
        if last is not None and span.start < last.end:
            merged[-1] = Span(
                last.start, max(last.end, span.end), "PERSON", max(last.score, span.score)
            )
        else:
            merged.append(span)
    return [s for s in spans if s.type != "PERSON"] + merged


#: Two to five capitalised or upper-case words on one line, particles allowed between them.
_CAP_WORD = r"[A-ZÁÉÍÓÚÑ][A-Za-zÁÉÍÓÚÑáéíóúñü]+"
_NAME_RUN = re.compile(
    rf"(?<![\w.]){_CAP_WORD}"
    rf"(?:[ ](?:(?i:de|del|la|las|los)[ ]){{0,2}}{_CAP_WORD}){{1,4}}"
    r"(?![\w.])"
)


def _known_name_spans(text: str) -> list[Span]:
    """Names the model misses in lists and registers, often in capitals (``FIDEL TORRES
    RIVAS``): a run of capitalised words opened by a known given name, with no institution
    word in it (``JUAN VALDEZ S.A.S.`` stops at the dot, ``Hospital San José`` never starts)."""
    spans = []
    for match in _NAME_RUN.finditer(text):
        words = match.group().split()
        first = _fold(words[0])
        if first not in first_names() or any(_fold(w) in _INSTITUTION_WORDS for w in words):
            continue
        if len(words[0]) < 3 or (first in non_person_words() and not match.group().isupper()):
            continue
        spans.append(Span(match.start(), match.end(), "PERSON", GAZETTEER_SCORE))
    return spans


def _detect_local(
    texts: Sequence[str], wanted: frozenset[str], threshold: float
) -> list[list[Span]]:
    ner = _ner_spans(texts, wanted)
    out = []
    for text, ner_spans in zip(texts, ner, strict=True):
        found = _pattern_spans(text, wanted) + ner_spans
        if "PERSON" in wanted:
            found += _known_name_spans(text)
        spans = [s for s in found if s.score >= threshold]
        out.append(resolve(spans))
    return out


def _warm() -> None:
    """Pool initializer: pay the imports and the model load once per worker."""
    from privacy.engine import use_bundled_public_suffixes

    use_bundled_public_suffixes()
    _rules()
    _nlp()


_POOL: ProcessPoolExecutor | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, kept for later calls (spawned: safe under threads)."""
    global _POOL
    if _POOL is None or _POOL._max_workers != workers:  # type: ignore[attr-defined]
        import multiprocessing

        if _POOL is not None:
            _POOL.shutdown()
        context = multiprocessing.get_context("spawn")
        _POOL = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
        atexit.register(_POOL.shutdown)
    return _POOL


def _detect_chunk(args: tuple[list[str], frozenset[str], float]) -> list[list[Span]]:
    return _detect_local(*args)


def detect(
    texts: Sequence[str],
    *,
    entities: Sequence[str] | None = None,
    threshold: float = 0.4,
    workers: int | None = None,
) -> list[list[Span]]:
    """The personal-data spans of each text, sorted by offset, overlaps resolved.

    ``entities`` defaults to ``DEFAULT_ENTITIES`` (``LOCATION`` only on request). ``workers``:
    processes to use; by default one for fewer than ``POOL_MIN_TEXTS`` texts, else every core.
    """
    wanted = DEFAULT_ENTITIES if entities is None else frozenset(entities)
    unknown = wanted - ENTITIES
    if unknown:
        raise ValueError(f"unknown entity types: {sorted(unknown)}")
    if workers is None:
        workers = (os.cpu_count() or 1) if len(texts) >= POOL_MIN_TEXTS else 1
    if workers <= 1:
        return _detect_local(texts, wanted, threshold)
    from privacy.engine import use_bundled_public_suffixes

    use_bundled_public_suffixes()
    chunks = [
        (list(texts[i : i + POOL_CHUNK]), wanted, threshold)
        for i in range(0, len(texts), POOL_CHUNK)
    ]
    out: list[list[Span]] = []
    for part in _pool(workers).map(_detect_chunk, chunks):
        out.extend(part)
    return out


def warm_up(workers: int | None = None) -> None:
    """Load the model here (and start the pool's workers) before timing-sensitive work."""
    _warm()
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count > 1:
        list(_pool(count).map(_detect_chunk, [(["Sr. Juan"], DEFAULT_ENTITIES, 0.4)] * count))
