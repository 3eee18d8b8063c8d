"""CKAN/Solr-style ``q`` and ``fq`` parsed into a small tree the index evaluates.

The language is the part of Lucene's syntax that CKAN clients, harvesters and CKAN's own UI
send (see ``README.md`` in this folder for the full list):

- free text: ``movilidad bogota``, phrases ``"calidad del aire"``, prefixes ``educ*``;
- fields: ``tags:salud``, ``res_format:"CSV"``, ``title:dengue``, ``tags:(salud OR dengue)``,
  presence ``license_id:*``, ranges ``metadata_modified:[2024-01-01T00:00:00Z TO *]``;
- ``AND``/``&&``, ``OR``/``||``, ``NOT``/``!``, ``+``/``-`` prefixes, parentheses; clauses
  side by side are joined with AND (CKAN's facet filters ``tags:"a" res_format:"b"``);
- ``*:*`` (or an empty ``q``) is every dataset.

A query is only ever data: the parser builds frozen dataclasses from a fixed set of node types
and the index evaluates them with array operations. Nothing in a query is evaluated as code or
SQL, which is what makes ``' OR 1=1 --`` a search for the term ``1``.

Bad syntax and unknown fields raise :class:`SearchQueryError` with a Spanish message for the
person who typed the query (the API answers it as CKAN's 400 "Search Query Error").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np

from catalog.search import analysis
from catalog.search.fields import KEYWORD_FIELDS, RANGE_FIELDS, TEXT_FIELDS

#: Longest ``q`` or ``fq`` accepted (a search box, or a client's generated filter, is far less).
MAX_QUERY_LENGTH = 10_000
#: Deepest nesting of parentheses and operators (keeps the recursive parser bounded).
MAX_DEPTH = 50


class SearchQueryError(ValueError):
    """The query cannot be understood; the message, in Spanish, says why."""


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class MatchAll:
    """Every dataset (``*:*``)."""


@dataclass(frozen=True)
class MatchNone:
    """No dataset: a query whose words are all stop words or punctuation (``de la``, ``;``)."""


@dataclass(frozen=True)
class Text:
    """Analyzed words to find in text fields (all of them when ``fields`` is every field).

    ``terms`` must all occur; when ``phrase`` they must also be at ``positions`` relative to
    each other. ``prefix`` is a folded word that some word of the text must start with.
    """

    fields: tuple[str, ...]
    terms: tuple[str, ...]
    positions: tuple[int, ...] = ()
    phrase: bool = False
    prefix: str = ""


@dataclass(frozen=True)
class Keyword:
    """A keyword field equal to ``value`` (folded), or starting with it when ``prefix``."""

    field: str
    value: str
    prefix: bool = False


@dataclass(frozen=True)
class HasValue:
    """A field with any value (``license_id:*``)."""

    field: str


@dataclass(frozen=True)
class Range:
    """A date or number field between two bounds (``None``: open)."""

    field: str
    low: float | None
    high: float | None
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class AtLeast:
    """At least ``minimum`` of ``children``: free text under CKAN's minimum-should-match."""

    children: tuple[Node, ...]
    minimum: int


Node = MatchAll | MatchNone | Text | Keyword | HasValue | Range | And | Or | Not | AtLeast

# --------------------------------------------------------------------------- tokens

TokenKind = Literal[
    "(", ")", "AND", "OR", "NOT", "+", "-", "FIELD", "WORD", "PHRASE", "RANGE", "ALL"
]


@dataclass(frozen=True)
class _Token:
    kind: TokenKind
    text: str = ""
    at: int = 0  # where it starts in the query, for messages
    escaped: bool = False  # a WORD with backslash escapes: never an operator nor a wildcard


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_OPERATORS: dict[str, TokenKind] = {"AND": "AND", "OR": "OR", "NOT": "NOT", "&&": "AND", "||": "OR"}
_WORD_END = set(' \t\r\n\f\v()"')
_RANGE_CLOSE = {"[": "]", "{": "}"}
_PREFIXES: dict[str, TokenKind] = {"+": "+", "-": "-", "!": "NOT"}


def _starts_operand(text: str, i: int) -> bool:
    """Whether a clause starts at ``i``: ``-dengue`` negates, ``-`` alone or ``a - b`` is text."""
    return i < len(text) and not text[i].isspace() and text[i] != ")"


def _tokenize(text: str) -> list[_Token]:
    """The query's tokens; every character belongs to one (or is space) or it is an error."""
    found: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            found.append(_Token("(" if char == "(" else ")", char, i))
            i += 1
        elif char == '"':
            i = _phrase(text, i, found)
        elif char in _PREFIXES and _starts_operand(text, i + 1):
            found.append(_Token(_PREFIXES[char], char, i))
            i += 1
        elif char in _RANGE_CLOSE and found and found[-1].kind == "FIELD":
            i = _range(text, i, found)
        elif text.startswith("*:*", i) and (i + 3 == len(text) or text[i + 3] in _WORD_END):
            found.append(_Token("ALL", "*:*", i))
            i += 3
        else:
            i = _word(text, i, found)
    return found


def _phrase(text: str, start: int, found: list[_Token]) -> int:
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
        elif text[i] == '"':
            found.append(_Token("PHRASE", "".join(chars), start))
            return i + 1
        else:
            chars.append(text[i])
            i += 1
    raise SearchQueryError(f"Comillas sin cerrar: la frase que empieza en la posición {start + 1}.")


def _range(text: str, start: int, found: list[_Token]) -> int:
    close = text.find(_RANGE_CLOSE[text[start]], start)
    other = "}" if text[start] == "[" else "]"
    close_other = text.find(other, start)
    if close_other != -1 and (close == -1 or close_other < close):
        close = close_other
    if close == -1:
        raise SearchQueryError(
            f"Rango sin cerrar en la posición {start + 1}: "
            "use [desde TO hasta] o {desde TO hasta}."
        )
    found.append(_Token("RANGE", text[start : close + 1], start))
    return close + 1


def _word(text: str, start: int, found: list[_Token]) -> int:
    chars: list[str] = []
    escaped = False
    i = start
    while i < len(text) and text[i] not in _WORD_END:
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            escaped = True
            i += 2
            continue
        if char == "\\":  # a lone backslash at the very end: literal
            chars.append(char)
            i += 1
            continue
        if char == ":" and not escaped and _FIELD_NAME.fullmatch("".join(chars)):
            found.append(_Token("FIELD", "".join(chars), start))
            return i + 1
        chars.append(char)
        i += 1
    word = "".join(chars)
    kind = _OPERATORS.get(word) if not escaped else None
    found.append(_Token(kind or "WORD", word, start, escaped))
    return i


# --------------------------------------------------------------------------- parser


class _Required:
    """``+clause``: kept apart from plain free text, which minimum-should-match applies to."""

    def __init__(self, node: Node) -> None:
        self.node = node


class _Parser:
    """Recursive descent: ``or := and (OR and)*``, ``and := unary (AND? unary)*``,
    ``unary := (NOT|-|+) unary | primary``, ``primary := ( or ) | field:value | word | phrase``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> list[Node | _Required]:
        """The top-level clauses (joined by AND unless there is an OR at the top)."""
        if self.peek() is None:
            return []
        clauses = self.disjunction(field=None)
        token = self.peek()
        if token is not None:
            raise SearchQueryError(
                f"Paréntesis de cierre sin apertura en la posición {token.at + 1}."
                if token.kind == ")"
                else f"No se esperaba «{token.text}» en la posición {token.at + 1}."
            )
        return clauses

    def disjunction(self, field: str | None) -> list[Node | _Required]:
        self.enter()
        groups = [self.conjunction(field)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            self.expect_operand(token)
            groups.append(self.conjunction(field))
        self.depth -= 1
        if len(groups) == 1:
            return groups[0]
        return [Or(tuple(_conjoin(group) for group in groups))]

    def conjunction(self, field: str | None) -> list[Node | _Required]:
        clauses = [self.unary(field)]
        while (token := self.peek()) is not None and token.kind not in (")", "OR"):
            if token.kind == "AND":
                self.take()
                self.expect_operand(token)
                clauses[-1] = _Required(_plain(clauses[-1]))
                clauses.append(_Required(_plain(self.unary(field))))
            else:
                clauses.append(self.unary(field))
        return clauses

    def unary(self, field: str | None) -> Node | _Required:
        token = self.peek()
        if token is None:
            raise SearchQueryError("La consulta termina donde se esperaba un término.")
        if token.kind in ("NOT", "-"):
            self.take()
            self.expect_operand(token)
            self.enter()
            child = _plain(self.unary(field))
            self.depth -= 1
            return _Required(Not(child))
        if token.kind == "+":
            self.take()
            self.expect_operand(token)
            self.enter()
            required = _plain(self.unary(field))
            self.depth -= 1
            return _Required(required)
        return self.primary(field)

    def primary(self, field: str | None) -> Node | _Required:
        token = self.take()
        if token.kind == "(":
            if (inner := self.peek()) is not None and inner.kind == ")":
                raise SearchQueryError(f"Paréntesis vacíos en la posición {token.at + 1}.")
            node = _conjoin(self.disjunction(field))
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise SearchQueryError(
                    f"Paréntesis sin cerrar: el que abre en la posición {token.at + 1}."
                )
            self.take()
            return _Required(node)
        if token.kind == "FIELD":
            return self.field_value(token)
        if token.kind == "ALL":
            return _Required(MatchAll())
        if token.kind in ("WORD", "PHRASE"):
            return _clause(field, token)
        raise SearchQueryError(f"No se esperaba «{token.text}» en la posición {token.at + 1}.")

    def field_value(self, field_token: _Token) -> Node | _Required:
        field = _known_field(field_token.text)
        value = self.peek()
        if value is None or value.kind not in ("WORD", "PHRASE", "RANGE", "(", "ALL"):
            raise SearchQueryError(
                f"Falta el valor después de «{field}:» (posición {field_token.at + 1})."
            )
        if value.kind == "(":
            return self.primary(field)
        self.take()
        if value.kind == "RANGE":
            return _Required(_range_clause(field, value.text))
        if value.kind == "ALL":
            raise SearchQueryError(
                f"«{field}:*:*» no es un valor; use {field}:* para «con algún valor»."
            )
        return _Required(_plain(_clause(field, value)))

    def expect_operand(self, operator: _Token) -> None:
        token = self.peek()
        if token is None or token.kind in (")", "AND", "OR"):
            raise SearchQueryError(
                f"Al operador «{operator.text}» (posición {operator.at + 1}) "
                "le falta un término a la derecha."
            )

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SearchQueryError(
                f"La consulta anida más de {MAX_DEPTH} niveles de paréntesis u operadores."
            )


def _known_field(name: str) -> str:
    if name in KEYWORD_FIELDS or name in TEXT_FIELDS or name in RANGE_FIELDS:
        return name
    known = ", ".join(sorted({*KEYWORD_FIELDS, *TEXT_FIELDS, *RANGE_FIELDS}))
    raise SearchQueryError(
        f"Campo desconocido «{name}». Los campos que se pueden usar son: {known}."
    )


def _plain(node: Node | _Required) -> Node:
    return node.node if isinstance(node, _Required) else node


def _conjoin(clauses: list[Node | _Required]) -> Node:
    nodes = [_plain(c) for c in clauses]
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _clause(field: str | None, token: _Token) -> Node | _Required:
    """A word or phrase, in free text or under ``field``."""
    if field is not None and field in KEYWORD_FIELDS:
        return _Required(_keyword_clause(field, token))
    if field is not None and field in RANGE_FIELDS:
        return _Required(_range_clause(field, f"[{token.text} TO {token.text}]"))
    fields = TEXT_FIELDS[field or "text"]
    if token.kind == "WORD" and token.text == "*" and not token.escaped:
        return _Required(MatchAll())
    if token.kind == "WORD" and token.text.endswith("*") and not token.escaped:
        words = analysis.words(token.text[:-1])
        if len(words) == 1 and analysis.stem(words[0]) is not None:
            return Text(fields, (), prefix=words[0])
    found = analysis.tokens(token.text)
    if not found:
        return MatchNone()  # only stop words or punctuation: dropped where it is joined
    terms = tuple(t.term for t in found)
    if token.kind == "PHRASE" and len(found) > 1:
        first = found[0].position
        return Text(fields, terms, tuple(t.position - first for t in found), phrase=True)
    return Text(fields, terms)


def _keyword_clause(field: str, token: _Token) -> Node:
    if token.kind == "WORD" and not token.escaped and token.text == "*":
        return HasValue(field)
    if token.kind == "WORD" and not token.escaped and token.text.endswith("*"):
        return Keyword(field, analysis.keyword(token.text[:-1]), prefix=True)
    return Keyword(field, analysis.keyword(token.text))


_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])")


def _range_clause(field: str, text: str) -> Node:
    if field not in RANGE_FIELDS:
        ranged = ", ".join(RANGE_FIELDS)
        raise SearchQueryError(f"El campo «{field}» no admite rangos; sí los admiten: {ranged}.")
    match = _RANGE.fullmatch(text)
    if match is None:
        raise SearchQueryError(
            f"Rango no válido «{text}»: use [desde TO hasta], con * para abierto."
        )
    opening, low, high, closing = match.groups()
    kind = RANGE_FIELDS[field]
    return Range(
        field,
        _bound(low, kind, field),
        _bound(high, kind, field),
        include_low=opening == "[",
        include_high=closing == "]",
    )


def _bound(text: str, kind: str, field: str) -> float | None:
    if text == "*":
        return None
    if kind == "number":
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if math.isnan(value):
            raise SearchQueryError(f"«{text}» no es un número para el campo «{field}».")
        return value
    return date_number(text, field)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?Z?")


def date_number(text: str, field: str = "metadata_modified") -> float:
    """A timestamp as microseconds since 1970 (UTC), the unit range filters compare in.

    Accepts what CKAN stores and Solr clients send: ``2024-06-01``, ``2024-06-01T12:00:00``,
    with fractions and a final ``Z``, and ``NOW``. Solr's date math (``NOW-1DAY``) is not
    supported and says so.
    """
    if text == "NOW":
        return float(np.datetime64("now", "us").astype(np.int64))
    if not _DATE.fullmatch(text):
        raise SearchQueryError(
            f"Fecha no válida «{text}» para «{field}»: "
            "use AAAA-MM-DD o AAAA-MM-DDTHH:MM:SSZ, NOW o *."
        )
    try:
        moment = np.datetime64(text.removesuffix("Z"), "us")
    except ValueError:
        raise SearchQueryError(f"Fecha no válida «{text}» para «{field}».") from None
    return float(moment.astype(np.int64))


# --------------------------------------------------------------------------- public entry points


def minimum_should_match(count: int) -> int:
    """CKAN's ``mm`` for free text, ``2<-1 5<80%``: how many of ``count`` words must match.

    Up to two words, all; three to five, all but one; more, 80% (rounded down, as Solr does).
    """
    if count <= 2:
        return count
    if count <= 5:
        return count - 1
    return max(1, math.floor(count * 0.8))


def _check(text: str, parameter: str) -> str:
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"El parámetro {parameter} supera los {MAX_QUERY_LENGTH} caracteres."
        )
    return text


@lru_cache(maxsize=1024)
def parse_q(q: str) -> Node:
    """The tree for ``q``: free text ranks, fields filter.

    Free-text words side by side follow CKAN's minimum-should-match (``minimum_should_match``);
    ``+word``, fielded clauses, parenthesised groups and explicit ``AND``/``OR``/``NOT`` are
    boolean, as in Solr's dismax/edismax.
    """
    text = _check(q, "q").strip()
    if text in ("", '""', "''"):
        return MatchAll()
    clauses = _Parser(text).parse()
    free = [c for c in clauses if isinstance(c, Text)]
    required = [_plain(c) for c in clauses if not isinstance(c, Text)]
    nodes = [n for n in required if not isinstance(n, MatchNone)]
    if free:
        nodes.append(
            free[0] if len(free) == 1 else AtLeast(tuple(free), minimum_should_match(len(free)))
        )
    return simplify(And(tuple(nodes))) if nodes else MatchNone()


@lru_cache(maxsize=1024)
def parse_fq(fq: str) -> Node:
    """The tree for ``fq``: every clause must hold (AND), ``-clause`` must not."""
    text = _check(fq, "fq").strip()
    if not text:
        return MatchAll()
    clauses = _Parser(text).parse()
    nodes = [_plain(c) for c in clauses]
    kept = [n for n in nodes if not isinstance(n, MatchNone)]
    return simplify(And(tuple(kept))) if kept else MatchNone()


def simplify(node: Node) -> Node:
    """Flatten nested AND/OR and drop clauses that were only stop words (``MatchNone``).

    A word that analyses to nothing is left out where it is joined, as Lucene leaves out a
    stop word: ``de -dengue`` is ``-dengue``. ``NOT`` of nothing is nothing.
    """
    if isinstance(node, And | Or):
        children = [simplify(c) for c in node.children]
        kept = [c for c in children if not isinstance(c, MatchNone)]
        if not kept:
            return MatchNone()
        if isinstance(node, And):
            kept = [c for c in kept if not isinstance(c, MatchAll)] or [MatchAll()]
            flat = [g for c in kept for g in (c.children if isinstance(c, And) else (c,))]
            return flat[0] if len(flat) == 1 else And(tuple(flat))
        if any(isinstance(c, MatchAll) for c in kept):
            return MatchAll()
        flat = [g for c in kept for g in (c.children if isinstance(c, Or) else (c,))]
        return flat[0] if len(flat) == 1 else Or(tuple(flat))
    if isinstance(node, Not):
        child = simplify(node.child)
        return MatchNone() if isinstance(child, MatchNone) else Not(child)
    if isinstance(node, AtLeast):
        texts = tuple(simplify(c) for c in node.children)
        return AtLeast(texts, node.minimum) if len(texts) > 1 else texts[0]
    return node
