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
NER_LABELS = {"PER": "PERSON", "LOC": "LOCATION"}
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
    """Drop what the small model often tags as a person: ordinary words that start a sentence
    (a one-word span written in lower case elsewhere in the same text, or a common word) and
    spans with digits or symbols (``CD 117 +++``)."""
    name = text[start:end]
    if not name[:1].isupper() or any(not (c.isalpha() or c in " .'-") for c in name):
        return False
    if " " in name:
        return True
    before = text[:start].rstrip(" \t\"'«(¿¡")
    if not before or before[-1] in ".!?:;\n•—–-":
        # One capitalised word opening a sentence: a name only if it is a known given name.
        return _fold(name) in first_names()
    lower = name.lower()
    if _fold(name) in first_names():
        return True
    return lower not in common_words() and not regex_word(lower).search(text)


@lru_cache(maxsize=4096)
def regex_word(word: str) -> Any:
    import regex

    return regex.compile(rf"(?<!\w){regex.escape(word)}(?!\w)")


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
    labels = {k: v for k, v in NER_LABELS.items() if v in wanted}
    found: list[list[Span]] = [[] for _ in texts]
    if not labels:
        return found
    todo = [i for i, text in enumerate(texts) if "LOCATION" in wanted or may_hold_name(text)]
    if not todo:
        return found
    docs = _nlp().pipe((texts[i] for i in todo), batch_size=256)
    for i, doc in zip(todo, docs, strict=True):
        for ent in doc.ents:
            entity = labels.get(ent.label_)
            if entity is None:
                continue
            start, end = ent.start_char, ent.end_char
            if entity == "PERSON":
                start, end = _trim_person(texts[i], start, end)
                if not _plausible_name(texts[i], start, end):
                    continue
            if end > start:
                found[i].append(Span(start, end, entity, NER_SCORE))
    return found


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
    ranked = sorted(spans, key=lambda s: (-s.score, s.start - s.end, -_PRIORITY.get(s.type, 0)))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _detect_local(
    texts: Sequence[str], wanted: frozenset[str], threshold: float
) -> list[list[Span]]:
    ner = _ner_spans(texts, wanted)
    out = []
    for text, ner_spans in zip(texts, ner, strict=True):
        spans = [s for s in _pattern_spans(text, wanted) + ner_spans if s.score >= threshold]
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
