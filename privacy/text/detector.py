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


_CAPITAL = re.compile(r"(?<![\w.])[A-ZÁÉÍÓÚÑ]")


def _known_name_spans(text: str) -> list[Span]:
    """Names the model misses in lists and registers, often in capitals (``FIDEL TORRES
    RIVAS``): a run of capitalised words opened by a known given name, with no institution
    word in it or before it (``JUAN VALDEZ S.A.S.`` stops at the dot, ``Hospital San José``
    never starts, nor does ``Avenida Jorge Eliécer Gaitán``)."""
    spans: list[Span] = []
    done = 0  # the end of the last run taken or refused
    for capital in _CAPITAL.finditer(text):
        if capital.start() < done:
            continue
        match = _NAME_RUN.match(text, capital.start())  # from every word: ``Nacional Carlos X``
        if match is None:
            continue
        words = match.group().split()
        first = _fold(words[0])
        if first not in first_names() or any(_fold(w) in _INSTITUTION_WORDS for w in words):
            continue
        before = text[max(0, match.start() - 30) : match.start()].split()
        if before and (
            _fold(before[-1]) in _INSTITUTION_WORDS or _fold(before[-1]) in _PLACE_BEFORE
        ):
            done = match.end()  # ``AVENIDA JORGE ELIECER GAITAN``, ``colegio Antonio Nariño``
            continue
        if len(words[0]) < 3 or (first in non_person_words() and not match.group().isupper()):
            continue
        spans.append(Span(match.start(), match.end(), "PERSON", GAZETTEER_SCORE))
        done = match.end()
    return spans


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words seen in CoNLL-2002 ``esp.train`` outside person names, and Colombian places
    (folded): a capitalised word not among them is likely a name. See ``data/SOURCE.md``."""
    return frozenset((DATA / "known_words.txt").read_text(encoding="utf-8").split())


#: Score of a capitalised word unknown to the vocabulary (``_unknown_word_spans``).
UNKNOWN_SCORE = 0.5
#: Words and single punctuation marks, for ``_unknown_word_spans``.
_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*|\S")
#: Words after which a capitalised word names a place, a saint or a brand, not a person.
_PLACE_BEFORE = frozenset(
    {
        "san", "santa", "santo", "saint", "barrio", "municipio", "ciudad", "provincia",
        "region", "rio", "estadio", "vereda", "grupo", "marca", "compania", "empresa",
        "sindrome", "enfermedad", "signo", "test", "escala", "metodo", "tecnica",
    }
)  # fmt: skip
_OPENERS = frozenset(".!?:;•—–-\"'«(¿¡")
#: After a name opening a sentence: a verb in the past (``Guirao confió``, ``ha señalado``).
_PAST_VERB = re.compile(
    r"\s+(?:(?:no|también|hoy|ya|se|le|lo)\s+)*(?:ha\s+[a-záéíóúñ]+(?:ado|ido)\b|[a-záéíóúñ]+ó\b)"
)


def _is_unknown(word: str) -> bool:
    if "-" in word:  # ``Castilla-León``, ``Krauss-Maffei``: every part unknown
        return all(_is_unknown(part) for part in word.split("-"))
    folded = _fold(word)
    return not (
        folded in known_words()
        or folded in common_words()
        or folded in non_person_words()
        or folded in _INSTITUTION_WORDS
    )


#: Endings of medical and scientific terms (``Amoxicilina``, ``Ecografía``, ``Staphylococcus``)
#: and of verb forms (``Aplicaron``, ``Revisando``), which the newswire vocabulary does not
#: know; folded.
_TERM_ENDING = re.compile(
    r"(?:itis|oma|omas|emia|osis|algia|patia|grafia|scopia|tomia|plasia|logia|logo|loga"
    r"|cilina|micina|ciclina|azol|prazol|olol|pril|sartan|mab|nib|tina|pina|pam|lam"
    r"|ico|ica|icos|icas|ina|inas|ol|ona|ide|ida|asa|osa|us|um|ae|ia|ias|ismo|iano|iana"
    r"|cito|citos|geno|gena|terapia|cardio|neuro|gastro|ptosis|stasis|trofia|ectasia"
    r"|aron|ieron|amos|emos|imos|ando|iendo|aban|aran|ieran|ase|iese|ado|ados|adas|idos)$"
)


def _name_word(word: str, *, lax: bool = False) -> bool:
    """Capitalised (not all capitals) and unknown, a person word or a given name; ``lax``:
    any capitalised word not mostly seen in places or institutions, nor a petition word
    (``Atentamente``: in ``common_words`` by hand, not in ``known_words``)."""
    if not word[:1].isupper() or word.isupper() or len(word) < 2 or not word[:1].isalpha():
        return False
    folded = _fold(word)
    if folded in person_words() or folded in first_names():
        return True
    if lax:
        return not (
            folded in non_person_words() or folded in _INSTITUTION_WORDS or folded in _PARTICLES
        ) and (folded not in common_words() or folded in known_words())
    return _is_unknown(word) and not _TERM_ENDING.search(folded)


_SURNAME_PARTICLES = _PARTICLES - {"y", "e"}


def _runs(tokens: list[tuple[int, int, str]], *, lax: bool) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of name words, up to two particles between two of them."""
    runs, i = [], 0
    while i < len(tokens):
        if not _name_word(tokens[i][2], lax=lax):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and j - i < 8:
            k = j
            while k < len(tokens) and k - j < 2 and tokens[k][2].lower() in _SURNAME_PARTICLES:
                k += 1
            if k < len(tokens) and _name_word(tokens[k][2], lax=lax):
                j = k + 1
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _unknown_word_spans(text: str) -> list[Span]:
    """Names the model misses, from the words around them and the vocabulary.

    * after a role or a nationality (``el técnico Camacho``, ``el italiano Petacchi``,
      ``según Solbes``): a run of capitalised words not seen mostly in places or institutions;
    * capitalised words unknown to the vocabulary (``known_words``, medical endings excluded):
      the small model calls many foreign surnames places. A run of them (with person words and
      given names) is a person before a verb in the past (``Guirao confió``); otherwise not
      when written in lower case elsewhere, before a dateline, a number or another capitalised
      word, alone in brackets (``( Castellón )``), and, inside a sentence, after a place word
      (``barrio Kennedy``, ``San Carlos``), a capitalised word (``Museo Reina Sofía``) or,
      alone, after ``de``/``en``.

    Forms and reports (a field label such as ``Nombre:``) are left alone: their names come
    labelled, and their capitalised words are headings and medical terms.
    """
    if _FIELD_LABEL.search(text):
        return []
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    spans = []
    for lax in (True, False):
        for i, j in _runs(tokens, lax=lax):
            words = [t[2] for t in tokens[i:j] if t[2][:1].isupper()]
            start, end = tokens[i][0], tokens[j - 1][1]
            gap = text[tokens[i - 1][1] : start] if i else "\n"
            previous = _fold(tokens[i - 1][2]) if "\n" not in gap else ""
            if end < len(text) and text[end] == ".":
                continue  # an abbreviation or an initial
            if lax:
                if previous in _ROLE_WORDS:
                    spans.append(Span(start, end, "PERSON", UNKNOWN_SCORE))
                continue
            if not any(_is_unknown(w) for w in words):
                continue
            if len(words) == 1 and regex_word(words[0].lower()).search(text):
                continue  # written in lower case elsewhere in the text: a word, not a name
            if _PAST_VERB.match(text, end):
                spans.append(Span(start, end, "PERSON", UNKNOWN_SCORE))
                continue
            if len(words) > 1 and (_TITLE_END.match(text, end) or previous in _QUOTES):
                continue  # ``Cultura Ciudadana para ...``, ``" Tierra Abierta "``: titles
            if _DATELINE.match(text, end) or _NOT_AFTER_NAME.match(text, end):
                continue  # ``Toledo , 23 may ( EFE )``, ``Sevilla 2``, ``Real Madrid``
            if previous == "(" and text[end:].lstrip()[:1] == ")":
                continue  # ``Villarreal ( Castellón )``: a province, a country, a team
            if not previous or previous in _OPENERS:
                if j < len(tokens) and "\n" not in text[end : tokens[j][0]]:
                    spans.append(Span(start, end, "PERSON", UNKNOWN_SCORE))
                continue  # at a sentence start, and not a whole value (``01 - Usaquén``)
            if previous in _PLACE_BEFORE or previous in _INSTITUTION_WORDS:
                continue
            if tokens[i - 1][2][:1].isupper():
                continue  # the end of a longer title: ``Museo Reina Sofía``, ``Premio Roig``
            if len(words) == 1 and previous in _PLACE_PREPOSITIONS:
                continue
            if (
                len(words) == 1
                and previous in {"y", "e", "o", "u"}
                and i >= 3
                and _fold(tokens[i - 3][2]) in _PLACE_PREPOSITIONS
            ):
                continue  # ``en Usaquén y Suba``, ``con Ecopetrol y Comfama``: the same kind
            if len(words) == 1 and tokens[i - 1][2].islower() and previous not in _BEFORE_PERSON:
                continue  # ``computadores Lenovo``: a brand, a model, a product
            spans.append(Span(start, end, "PERSON", UNKNOWN_SCORE))
    return spans


_PLACE_PREPOSITIONS = frozenset({"de", "del", "con", "en", "por"})
_BEFORE_PERSON = frozenset(
    {
        "a",
        "al",
        "contra",
        "para",
        "que",
        "entre",
        "sobre",
        "ante",
        "como",
        "y",
        "e",
        "o",
        "u",
        "ni",
        "segun",
        "tras",
        "hasta",
        "desde",
        "sin",
        "junto",
        "hacia",
    }
)
#: A news dateline after a place: ``Toledo , 23 may``, ``Villarreal ( Castellón ) , 23 may``.
_DATELINE = re.compile(
    r"\s*(?:\([^)\n]{1,40}\)\s*)?,\s*\d{1,2}\s+"
    r"(?:ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic)\b"
)
#: After two or more unknown capitalised words, a lower-case word: a title more than a name.
_TITLE_END = re.compile(r"\s+[a-záéíóúñ]")
_QUOTES = frozenset("\"'«“")
#: After an unknown word, a number or another capitalised word: a score, a longer title.
_NOT_AFTER_NAME = re.compile(r"\s*(?:\d|[A-ZÁÉÍÓÚÑ])")
#: A field label (``Nombre:``, ``Médico:``, ``Remitido por:``): the text is a form or a report.
_FIELD_LABEL = re.compile(
    r"(?im:^[ \t]*(?:nombres?|apellidos?|m[ée]dico|remitid[oa] por|nhc|nass|dni|c[ée]dula)"
    r"[ \t]*:)"
)
#: Roles and nationalities written before a name (folded): ``el presidente X``.
_ROLE_WORDS = frozenset(
    {
        "presidente", "presidenta", "vicepresidente", "expresidente", "ministro", "ministra",
        "secretario", "secretaria", "portavoz", "director", "directora", "tecnico",
        "entrenador", "seleccionador", "delantero", "defensa", "centrocampista", "portero",
        "jugador", "jugadora", "tenista", "ciclista", "piloto", "atleta", "escritor",
        "escritora", "poeta", "novelista", "autor", "autora", "actor", "actriz", "cantante",
        "pintor", "escultor", "cineasta", "periodista", "cardenal", "obispo", "arzobispo",
        "papa", "rey", "principe", "princesa", "infanta", "juez", "jueza", "fiscal", "abogado",
        "abogada", "magistrado", "diputado", "diputada", "senador", "senadora", "alcalde",
        "alcaldesa", "concejal", "consejero", "consejera", "gobernador", "lider", "dirigente",
        "candidato", "candidata", "comandante", "general", "coronel", "capitan", "teniente",
        "profesor", "profesora", "doctor", "doctora", "investigador", "esposo", "esposa",
        "viuda", "acusado", "acusada", "opositor", "economista", "empresario", "empresaria",
        "sacerdote", "sindicalista", "dictador", "canciller", "embajador", "delegado",
        "mediocentro", "boxeador", "nadador", "golfista", "torero", "diestro", "novillero",
        "segun", "italiano", "italiana", "mexicano", "mexicana", "brasileno", "brasilena",
        "holandes", "ruso", "rusa", "israeli", "colombiano", "colombiana", "argentino",
        "argentina", "uruguayo", "portugues", "dominicano", "catalan", "frances", "francesa",
        "norteamericano", "estadounidense", "britanico", "britanica", "aleman", "alemana",
        "chileno", "chilena", "peruano", "peruana", "venezolano", "cubano", "cubana", "ingles",
        "inglesa", "belga", "suizo", "sueco", "noruego", "danes", "austriaco", "griego",
        "turco", "japones", "nigeriano", "camerunes", "croata", "serbio", "checo", "polaco",
        "rumano", "bulgaro", "hungaro", "ecuatoriano", "boliviano", "paraguayo", "canadiense",
        "australiano", "sudafricano", "marroqui", "argelino", "egipcio", "palestino", "irani",
        "iraqui", "vasco", "asturiano", "madrileno", "espanol", "espanola",
    }
)  # fmt: skip


#: ``, indicó Roig .``, ``declaró a EFE Gómez Sierra``: a name right after a speech verb.
_SPOKEN_BY = re.compile(
    r"(?<!\w)(?:dijo|afirmó|señaló|explicó|aseguró|indicó|declaró|manifestó|añadió|agregó"
    r"|comentó|destacó|subrayó|recordó|admitió|reconoció|insistió|precisó|anunció|advirtió"
    r"|sostuvo|expresó|opinó|respondió|resaltó|informó|apuntó|concluyó|puntualizó|aclaró"
    r"|ha (?:dicho|afirmado|señalado|explicado|asegurado|indicado|declarado|manifestado"
    r"|añadido|comentado|destacado|subrayado|recordado|precisado|anunciado|advertido))"
    rf"(?: a [A-Z]+)? ({_CAP_WORD}(?: (?:(?:de|del|la|los) ){{0,2}}{_CAP_WORD}){{0,2}})"
    r"(?= ?[,.;:\n)]| [a-záéíóúñ]|$)"
)
#: Initials standing for a name in court news (``E. I. C.``, ``J. L. Romero``).
_INITIALS = re.compile(rf"(?<![\w.])(?:[A-Z]\. ?){{2,4}}(?:{_CAP_WORD})?(?![\w.])")


_NOT_INITIALS = frozenset({"S.A.", "S.L.", "C.C.", "T.I.", "C.E.", "N.I.T.", "EE.UU.", "P.D."})


def _cue_spans(text: str) -> list[Span]:
    """Speakers after their verb and names written as initials (not in forms and reports)."""
    spans: list[Span] = []
    if _FIELD_LABEL.search(text):
        return spans
    for match in _SPOKEN_BY.finditer(text):
        words = [_fold(w) for w in match.group(1).split()]
        if any(w in non_person_words() or w in _INSTITUTION_WORDS for w in words):
            continue
        spans.append(Span(match.start(1), match.end(1), "PERSON", UNKNOWN_SCORE))
    for match in _INITIALS.finditer(text):
        after = text[match.end() : match.end() + 2].strip()
        if not after[:1].isdigit() and match.group().replace(" ", "") not in _NOT_INITIALS:
            spans.append(Span(match.start(), match.end(), "PERSON", UNKNOWN_SCORE))
    return spans


def _detect_local(
    texts: Sequence[str], wanted: frozenset[str], threshold: float
) -> list[list[Span]]:
    ner = _ner_spans(texts, wanted)
    out = []
    for text, ner_spans in zip(texts, ner, strict=True):
        found = _pattern_spans(text, wanted) + ner_spans
        if "PERSON" in wanted:
            found += _known_name_spans(text) + _unknown_word_spans(text) + _cue_spans(text)
        spans = resolve([s for s in found if s.score >= threshold])
        if "PERSON" in wanted and threshold <= UNKNOWN_SCORE and not _FIELD_LABEL.search(text):
            spans = resolve(spans + _listed_with(text, spans))
        out.append(spans)
    return out


_LIST_NEXT = re.compile(
    rf"\s*(?:,|y|e)\s+({_CAP_WORD}(?: (?:de |del )?{_CAP_WORD}){{0,2}})(?![\w.])"
)
_LIST_PREV = re.compile(
    rf"(?<![\w.])({_CAP_WORD}(?: (?:de |del )?{_CAP_WORD}){{0,2}})\s*(?:,|y|e)\s*$"
)


def _listed_with(text: str, spans: list[Span]) -> list[Span]:
    """Capitalised words listed right before or after a person (``Irureta , Rojo o Del
    Bosque``, ``Sartor y Thuram``) are persons too, unless seen mostly in places."""
    added: list[Span] = []
    queue = [s for s in spans if s.type == "PERSON"]
    taken = [(s.start, s.end) for s in spans]
    while queue:
        person = queue.pop()
        found = []
        nxt = _LIST_NEXT.match(text, person.end)
        if nxt:
            found.append(nxt.span(1))
        prev = _LIST_PREV.search(text, max(0, person.start - 60), person.start)
        if prev:
            found.append(prev.span(1))
        for start, end in found:
            if any(start < e and s < end for s, e in taken):
                continue
            if not all(_name_word(w, lax=True) for w in text[start:end].split() if w[:1].isupper()):
                continue
            span = Span(start, end, "PERSON", UNKNOWN_SCORE)
            added.append(span)
            queue.append(span)
            taken.append((start, end))
    return added


def _warm() -> None:
    """Pool initializer: pay the imports and the model load once per worker."""
    from privacy.engine import use_bundled_public_suffixes

    use_bundled_public_suffixes()
    _rules()
    _nlp()


_POOL: ProcessPoolExecutor | None = None


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, kept for later calls (spawned: safe under threads).

    It is shut down when the process exits. ``atexit`` alone is not enough: a process that is
    itself a multiprocessing child (each step of Dagster's multiprocess executor) never runs
    ``atexit`` handlers, and on its way out joins its children, so the idle workers would keep
    it, and its run, waiting forever. A multiprocessing finalizer runs before that join; its
    priority puts it before the finalizers that close the pool's own queues (which would drop
    the workers' stop signals)."""
    global _POOL
    if _POOL is None or _POOL._max_workers != workers:  # type: ignore[attr-defined]
        import multiprocessing
        from multiprocessing import util

        if _POOL is not None:
            _POOL.shutdown()
        context = multiprocessing.get_context("spawn")
        _POOL = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
        atexit.register(_POOL.shutdown)
        util.Finalize(_POOL, _POOL.shutdown, exitpriority=100)
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
