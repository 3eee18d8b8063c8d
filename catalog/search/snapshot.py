"""The index's arrays: one immutable snapshot of the catalog, and how a query is evaluated on it.

The catalog holds at most some ten thousand datasets, so the whole index is a few megabytes of
numpy arrays and a search is a handful of vectorised operations over them:

- datasets are numbered ``0..N-1`` and a query is evaluated to a boolean mask over them (``AND``
  is ``&``, ``OR`` is ``|``, ``NOT`` is ``~``);
- each term has a posting list (sorted dataset numbers) with its precomputed, field-weighted
  BM25 score in each dataset, so ranking is a scatter-add of the query terms' rows;
- each term also has its occurrences, ``(dataset, field, position)`` packed in one int64 and
  sorted, for phrases and for text restricted to a field;
- each keyword field (``tags``, ``organization``...) has a posting list per value for filters
  and a flat ``(dataset, value)`` array, so a facet is one ``np.bincount`` over the matches;
- each sort key has a rank array; each order asked for is computed once over the whole catalog
  and then filtered by the mask.

A snapshot is never changed once built: ``SearchIndex`` builds a new one from the per-dataset
analyses (``Analysed``, kept so that an upsert re-analyses one dataset only) and swaps it in.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from catalog.records import Package
from catalog.search import analysis
from catalog.search.fields import KEYWORD_FIELDS, RANGE_FIELDS, TEXT_WEIGHTS, display_names, texts
from catalog.search.query import (
    And,
    AtLeast,
    HasValue,
    Keyword,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Range,
    SearchQueryError,
    Text,
    date_number,
)

Mask = npt.NDArray[np.bool_]
Ids = npt.NDArray[np.int32]

#: BM25 parameters (Lucene's defaults): term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.75
#: Positions between two pieces of one field (two tags), so that a phrase never spans them.
PIECE_GAP = 100
#: Occurrences are packed as ``(dataset * len(TEXT_FIELDS) + field) * POSITIONS + position``.
POSITIONS = 1 << 20
#: The id of a stop word, and of a term no dataset has (its rows are empty).
MISSING = -1
#: How many sort orders a snapshot keeps (each is one int32 per dataset).
CACHED_ORDERS = 32
#: Pieces of text up to this length (titles, tags, entity names) have their analysis cached:
#: the same tag or entity name is on hundreds of datasets.
CACHED_PIECE = 120

TEXT_FIELDS = tuple(TEXT_WEIGHTS)
_PER_DATASET = POSITIONS * len(TEXT_FIELDS)
_WEIGHTS = np.array([TEXT_WEIGHTS[f] for f in TEXT_FIELDS], dtype=np.float64)
_KEYWORD_FIELDS = tuple(KEYWORD_FIELDS)
_RANGE_FIELDS = tuple(RANGE_FIELDS)


# --------------------------------------------------------------------------- vocabulary


class _Values:
    """The values a keyword field has had, numbered in order of first sight."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.displays: list[str] = []
        self.by_key: dict[str, list[int]] = {}  # folded value → ids (spellings that fold alike)

    def add(self, value: str, display: str | None) -> int:
        number = len(self.values)
        self.values.append(value)
        self.displays.append(display or value)
        self.by_key.setdefault(analysis.keyword(value), []).append(number)
        return number


class Vocabulary:
    """Ids for terms, words and keyword values, shared by every snapshot of one index.

    Ids are never reused nor renumbered, so the arrays of a snapshot being searched stay valid
    while the next snapshot is built; what a snapshot needs from here it copies.
    """

    def __init__(self) -> None:
        self.terms: dict[str, int] = {}
        self.words: dict[str, int] = {}  # folded word → term id (MISSING: stop word)
        self.pieces: dict[str, list[int]] = {}  # short text → its word ids
        self.keywords = {name: _Values() for name in _KEYWORD_FIELDS}
        # Keyword values of every field share one numbering ("global" ids), so that a
        # dataset's keywords are one array; each global id knows its field and local id.
        self.keyword_ids: list[dict[str, int]] = [{} for _ in _KEYWORD_FIELDS]
        self.keyword_fields: list[int] = []
        self.keyword_locals: list[int] = []

    def piece(self, text: str) -> list[int]:
        """The term id of each word of ``text``, ``MISSING`` for stop words."""
        cached = self.pieces.get(text)
        if cached is not None:
            return cached
        known = self.words
        ids = [known[w] if w in known else self._learn(w) for w in analysis.words(text)]
        if len(text) <= CACHED_PIECE:
            self.pieces[text] = ids
        return ids

    def _learn(self, word: str) -> int:
        term = analysis.stem(word)
        number = MISSING if term is None else self.terms.setdefault(term, len(self.terms))
        self.words[word] = number
        return number

    def keyword_id(self, field_number: int, value: str, display: str | None = None) -> int:
        """The global id of a field's value; ``display`` (a title) replaces the one known."""
        number = self.keyword_ids[field_number].get(value)
        if number is None:
            values = self.keywords[_KEYWORD_FIELDS[field_number]]
            number = self.keyword_ids[field_number][value] = len(self.keyword_fields)
            self.keyword_fields.append(field_number)
            self.keyword_locals.append(values.add(value, display))
        elif display:
            self.keywords[_KEYWORD_FIELDS[field_number]].displays[self.keyword_locals[number]] = (
                display
            )
        return number


# --------------------------------------------------------------------------- one dataset


@dataclass(frozen=True)
class Analysed:
    """What the index needs from one dataset."""

    package: Package
    terms: npt.NDArray[np.int32]  # token by token: field by field, in position order
    fields: npt.NDArray[np.int8]
    positions: npt.NDArray[np.int32]
    lengths: tuple[int, ...]  # tokens per text field (BM25's document length)
    keywords: npt.NDArray[np.int32]  # global keyword ids
    ranges: tuple[float, ...]  # per RANGE_FIELDS, NaN when missing
    title_key: str
    state: str
    private: bool


def analyse(package: Package, vocabulary: Vocabulary) -> Analysed:
    ids: list[int] = []
    positions: list[int] = []
    fields: list[int] = []
    for number, pieces in enumerate(texts(package).values()):
        start = 0
        for piece in pieces:
            piece_ids = vocabulary.piece(piece)
            ids += piece_ids
            positions += range(start, start + len(piece_ids))
            fields += [number] * len(piece_ids)
            start += len(piece_ids) + PIECE_GAP
    every = np.array(ids, dtype=np.int32)
    kept = every != MISSING
    kept_fields = np.array(fields, dtype=np.int8)[kept]
    return Analysed(
        package=package,
        terms=every[kept],
        fields=kept_fields,
        positions=np.minimum(np.array(positions, dtype=np.int32)[kept], POSITIONS - 1),
        lengths=tuple(np.bincount(kept_fields, minlength=len(TEXT_FIELDS)).tolist()),
        keywords=_keyword_ids(package, vocabulary),
        ranges=tuple(_range_number(package, name) for name in _RANGE_FIELDS),
        title_key=analysis.fold(package.get("title") or package.get("name", "")),
        state=package.get("state") or "active",
        private=bool(package.get("private")),
    )


_TITLED = {"organization", "groups"}


def _keyword_ids(package: Package, vocabulary: Vocabulary) -> npt.NDArray[np.int32]:
    ids = []
    for number, (name, values_of) in enumerate(KEYWORD_FIELDS.items()):
        if name in _TITLED:
            titles = display_names(name, package)
            ids += [vocabulary.keyword_id(number, v, titles.get(v)) for v in values_of(package)]
        else:
            ids += [vocabulary.keyword_id(number, v) for v in values_of(package)]
    return np.array(ids, dtype=np.int32)


def _range_number(package: Package, name: str) -> float:
    value: Any = package.get(name)
    if value is None and name == "num_resources":
        value = len(package.get("resources", []))
    if value is None and name == "num_tags":
        value = len(package.get("tags", []))
    if value is None or value == "":
        return math.nan
    if RANGE_FIELDS[name] == "date":
        try:
            return date_number(str(value), name)
        except SearchQueryError:
            return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# --------------------------------------------------------------------------- arrays


@dataclass(frozen=True)
class Rows:
    """Compressed sparse rows: row ``r`` is ``values[start[r]:start[r + 1]]``."""

    start: npt.NDArray[np.int64]
    values: npt.NDArray[Any]

    @classmethod
    def of(cls, keys: npt.NDArray[Any], values: npt.NDArray[Any], count: int) -> Rows:
        """Rows from entries already sorted by ``keys`` (row numbers ``0..count-1``)."""
        start = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=count), out=start[1:])
        return cls(start, values)

    def row(self, r: int) -> npt.NDArray[Any]:
        if r < 0 or r + 1 >= len(self.start):
            return self.values[:0]
        return self.values[self.start[r] : self.start[r + 1]]


def _joined(rows: list[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)


@dataclass
class KeywordField:
    """One keyword field in a snapshot: which datasets have which value."""

    values: list[str]  # value id → the value as written
    displays: list[str]  # value id → its facet display name
    by_key: dict[str, list[int]]  # folded value → value ids
    name_rank: npt.NDArray[np.int64]  # value id → its place in name order (facet ties)
    entry_docs: Ids  # flat (dataset, value) pairs, for facet counting
    entry_values: Ids
    docs_by_value: Rows
    has_value: Mask
    _sorted_keys: list[str] | None = None

    @classmethod
    def build(cls, values: _Values, entry_docs: Ids, entry_values: Ids, size: int) -> KeywordField:
        count = len(values.values)
        names = list(values.values)
        order = np.argsort(entry_values, kind="stable")
        has_value = np.zeros(size, dtype=bool)
        has_value[entry_docs] = True
        name_rank = np.empty(count, dtype=np.int64)
        name_rank[sorted(range(count), key=names.__getitem__)] = np.arange(count)
        return cls(
            values=names,
            displays=list(values.displays),
            by_key=dict(values.by_key),  # its lists only ever grow, by ids this snapshot lacks
            name_rank=name_rank,
            entry_docs=entry_docs,
            entry_values=entry_values,
            docs_by_value=Rows.of(entry_values[order], entry_docs[order], count),
            has_value=has_value,
        )

    def matching_ids(self, key: str, prefix: bool) -> list[int]:
        if not prefix:
            return self.by_key.get(key, [])
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.by_key)
        return [i for k in _prefixed(self._sorted_keys, key) for i in self.by_key[k]]

    def counts(self, mask: Mask) -> npt.NDArray[np.int64]:
        """How many matching datasets have each value."""
        return np.bincount(self.entry_values[mask[self.entry_docs]], minlength=len(self.values))


def _prefixed(sorted_keys: list[str], prefix: str) -> list[str]:
    first = bisect.bisect_left(sorted_keys, prefix)
    found = []
    for key in sorted_keys[first:]:
        if not key.startswith(prefix):
            break
        found.append(key)
    return found


@dataclass
class Snapshot:
    """Every array of one version of the catalog (never changed once built)."""

    docs: list[Analysed]
    postings: Rows  # term → datasets that contain it (sorted) ...
    scores: npt.NDArray[np.float32]  # ... and the term's weighted BM25 score in each (aligned)
    occurrences: Rows  # term → packed (dataset, field, position), sorted
    term_ids: dict[str, int]
    words: dict[str, int]  # folded word → term id, for prefix queries
    keywords: dict[str, KeywordField]
    ranges: dict[str, npt.NDArray[np.float64]]
    ranks: dict[str, npt.NDArray[np.int64]]  # sort key → dense rank (-1: no value)
    active: Mask  # state "active"
    draft: Mask  # state "draft"
    public: Mask  # not private
    _orders: dict[tuple[tuple[str, bool], ...], Ids] = field(default_factory=dict)
    _sorted_words: list[str] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def size(self) -> int:
        return len(self.docs)

    # ---- a query tree to a mask over the datasets

    def mask(self, node: Node) -> Mask:
        if isinstance(node, MatchAll):
            return np.ones(self.size, dtype=bool)
        if isinstance(node, MatchNone):
            return np.zeros(self.size, dtype=bool)
        if isinstance(node, Text):
            return self._text(node)
        if isinstance(node, Keyword):
            keyword = self.keywords[node.field]
            ids = keyword.matching_ids(node.value, node.prefix)
            return self._ids_mask(_joined([keyword.docs_by_value.row(i) for i in ids]))
        if isinstance(node, HasValue):
            return self.keywords[node.field].has_value.copy()
        if isinstance(node, Range):
            return self._range(node)
        if isinstance(node, Not):
            return ~self.mask(node.child)
        if isinstance(node, And):
            return np.logical_and.reduce([self.mask(c) for c in node.children])
        if isinstance(node, Or):
            return np.logical_or.reduce([self.mask(c) for c in node.children])
        counts = np.sum([self.mask(c) for c in node.children], axis=0, dtype=np.int32)
        return np.asarray(counts >= node.minimum)

    def _ids_mask(self, ids: npt.NDArray[Any]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[ids] = True
        return mask

    def _term(self, term: str) -> int:
        return self.term_ids.get(term, MISSING)

    def _text(self, node: Text) -> Mask:
        if node.prefix:
            terms = self.prefixed_terms(node.prefix)
            return self._ids_mask(_joined([self._containing(t, node.fields) for t in terms]))
        if node.phrase:
            return self._phrase(node)
        rows = [self._containing(self._term(t), node.fields) for t in node.terms]
        return np.logical_and.reduce([self._ids_mask(row) for row in rows])

    def prefixed_terms(self, prefix: str) -> list[int]:
        """The terms of the indexed words that start with ``prefix``."""
        if self._sorted_words is None:
            self._sorted_words = sorted(w for w, t in self.words.items() if t != MISSING)
        return sorted({self.words[w] for w in _prefixed(self._sorted_words, prefix)})

    def _containing(self, term: int, fields: tuple[str, ...]) -> npt.NDArray[Any]:
        """The datasets that have ``term`` in one of ``fields`` (maybe repeated)."""
        if fields == TEXT_FIELDS:
            return self.postings.row(term)
        return self._in_fields(self.occurrences.row(term), fields) // _PER_DATASET

    def _phrase(self, node: Text) -> Mask:
        """Datasets with the terms at the phrase's relative positions, in one of its fields."""
        first = self._in_fields(self.occurrences.row(self._term(node.terms[0])), node.fields)
        for term, offset in zip(node.terms[1:], node.positions[1:], strict=True):
            following = self.occurrences.row(self._term(term))
            first = first[np.isin(first + offset, following)]
        return self._ids_mask(first // _PER_DATASET)

    @staticmethod
    def _in_fields(codes: npt.NDArray[np.int64], fields: tuple[str, ...]) -> npt.NDArray[Any]:
        if fields == TEXT_FIELDS:
            return codes
        wanted = [TEXT_FIELDS.index(f) for f in fields]
        return codes[np.isin((codes // POSITIONS) % len(TEXT_FIELDS), wanted)]

    def _range(self, node: Range) -> Mask:
        values = self.ranges[node.field]
        mask = ~np.isnan(values)
        if node.low is not None:
            mask &= values >= node.low if node.include_low else values > node.low
        if node.high is not None:
            mask &= values <= node.high if node.include_high else values < node.high
        return mask

    # ---- ranking

    def relevance(self, node: Node) -> npt.NDArray[np.float32]:
        """Every dataset's score for the query's text (clauses under NOT do not rank)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for text in _positive_texts(node):
            if text.prefix:  # the best of the words it expands to, as one query word
                best = np.zeros(self.size, dtype=np.float32)
                for expanded in self.prefixed_terms(text.prefix):
                    docs = self.postings.row(expanded)
                    best[docs] = np.maximum(best[docs], self._scores(expanded))
                scores += best
                continue
            for term in text.terms:
                number = self._term(term)
                scores[self.postings.row(number)] += self._scores(number)
        return scores

    def _scores(self, term: int) -> npt.NDArray[np.float32]:
        if term < 0 or term + 1 >= len(self.postings.start):
            return self.scores[:0]
        return self.scores[self.postings.start[term] : self.postings.start[term + 1]]

    # ---- ordering

    def order(self, keys: tuple[tuple[str, bool], ...]) -> Ids:
        """Every dataset in the order of ``(key, descending)`` pairs.

        Kept for the ``CACHED_ORDERS`` orders asked for first (the portal's few sorts); the
        cache is bounded so that clients sending ever new sort strings cannot fill memory.
        """
        cached = self._orders.get(keys)
        if cached is not None:
            return cached
        columns = [self._sort_column(name, descending) for name, descending in reversed(keys)]
        order = (np.lexsort(columns) if columns else np.arange(self.size)).astype(np.int32)
        with self._lock:
            if len(self._orders) < CACHED_ORDERS:
                self._orders[keys] = order
        return order

    def _sort_column(self, name: str, descending: bool) -> npt.NDArray[np.int64]:
        """Datasets without a value sort last in both directions (Solr's ``sortMissingLast``)."""
        rank = self.ranks[name]
        return np.where(rank < 0, self.size + 1, -rank if descending else rank)


def _positive_texts(node: Node) -> Iterable[Text]:
    if isinstance(node, Text):
        yield node
    elif isinstance(node, And | Or | AtLeast):
        for child in node.children:
            yield from _positive_texts(child)


# --------------------------------------------------------------------------- assembly


def assemble(docs: list[Analysed], vocabulary: Vocabulary) -> Snapshot:
    """A snapshot from the per-dataset analyses."""
    size = len(docs)
    postings, scores, occurrences = _text_arrays(docs, len(vocabulary.terms))
    range_table = np.array([d.ranges for d in docs], dtype=np.float64).reshape(
        size, len(_RANGE_FIELDS)
    )
    ranges = {name: range_table[:, i] for i, name in enumerate(_RANGE_FIELDS)}
    return Snapshot(
        docs=docs,
        postings=postings,
        scores=scores,
        occurrences=occurrences,
        term_ids=dict(vocabulary.terms),
        words=dict(vocabulary.words),
        keywords=_keyword_fields(docs, vocabulary),
        ranges=ranges,
        ranks=_ranks(docs, ranges),
        active=np.array([d.state == "active" for d in docs], dtype=bool),
        draft=np.array([d.state == "draft" for d in docs], dtype=bool),
        public=np.array([not d.private for d in docs], dtype=bool),
    )


def _concatenated(arrays: Sequence[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)


def _text_arrays(docs: list[Analysed], terms_count: int) -> tuple[Rows, Any, Rows]:
    size = len(docs)
    counts = np.array([len(d.terms) for d in docs], dtype=np.int64)
    token_docs = np.repeat(np.arange(size, dtype=np.int64), counts)
    token_terms = _concatenated([d.terms for d in docs], np.int32)
    token_fields = _concatenated([d.fields for d in docs], np.int64)
    token_positions = _concatenated([d.positions for d in docs], np.int64)
    # Tokens come dataset by dataset, field by field, position by position: a stable sort by
    # term keeps that order inside each term, so each term's occurrences come out sorted.
    order = np.argsort(token_terms, kind="stable")
    terms, term_docs, term_fields = token_terms[order], token_docs[order], token_fields[order]
    packed = (term_docs * len(TEXT_FIELDS) + term_fields) * POSITIONS + token_positions[order]
    lengths = np.array([d.lengths for d in docs], dtype=np.float64).reshape(size, len(TEXT_FIELDS))
    postings, scores = _bm25(terms, term_docs, term_fields, lengths, terms_count)
    return postings, scores, Rows.of(terms, packed, terms_count)


def _bm25(
    terms: npt.NDArray[np.int32],
    docs: npt.NDArray[np.int64],
    fields: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.float64],
    terms_count: int,
) -> tuple[Rows, npt.NDArray[np.float32]]:
    """Per (term, dataset): ``idf * sum(weight * tf * (K1 + 1) / (tf + K1 * norm))`` over the
    text fields, with ``tf`` the term's count in the field and ``norm`` the field's length over
    its average (Lucene's BM25 per field, summed with weights as Elasticsearch's
    ``most_fields`` does).

    Saturating each field on its own bounds what a field can add, so the weights order the
    fields: a word repeated ten times in a description still ranks below one in a title.
    """
    size = len(lengths)
    if len(terms) == 0:
        empty = np.zeros(0, dtype=np.int32)
        return Rows.of(empty, empty, terms_count), np.zeros(0, dtype=np.float32)
    average = np.maximum(lengths.mean(axis=0), 1.0)
    norms = (1 - B) + B * lengths / average  # (dataset, field)
    # Occurrences come sorted by term, dataset, field: count each (term, dataset, field) ...
    triple = np.flatnonzero(
        np.r_[
            True, (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1]) | (fields[1:] != fields[:-1])
        ]
    )
    tf = np.diff(np.r_[triple, len(terms)]).astype(np.float64)
    t_docs, t_fields, t_terms = docs[triple], fields[triple], terms[triple]
    per_field = _WEIGHTS[t_fields] * tf * (K1 + 1) / (tf + K1 * norms[t_docs, t_fields])
    # ... then add the fields of each (term, dataset).
    pair = np.flatnonzero(np.r_[True, (t_terms[1:] != t_terms[:-1]) | (t_docs[1:] != t_docs[:-1])])
    pair_terms = t_terms[pair]
    df = np.bincount(pair_terms, minlength=terms_count)
    idf = np.log1p((size - df + 0.5) / (df + 0.5))
    scores = (idf[pair_terms] * np.add.reduceat(per_field, pair)).astype(np.float32)
    return Rows.of(pair_terms, t_docs[pair].astype(np.int32), terms_count), scores


def _keyword_fields(docs: list[Analysed], vocabulary: Vocabulary) -> dict[str, KeywordField]:
    counts = np.array([len(d.keywords) for d in docs], dtype=np.int64)
    owners = np.repeat(np.arange(len(docs), dtype=np.int32), counts)
    ids = _concatenated([d.keywords for d in docs], np.int64)
    field_of = np.array(vocabulary.keyword_fields, dtype=np.int64)[ids]
    local_of = np.array(vocabulary.keyword_locals, dtype=np.int32)[ids]
    order = np.argsort(field_of, kind="stable")
    bounds = np.searchsorted(field_of[order], np.arange(len(_KEYWORD_FIELDS) + 1))
    fields = {}
    for number, name in enumerate(_KEYWORD_FIELDS):
        part = order[bounds[number] : bounds[number + 1]]
        fields[name] = KeywordField.build(
            vocabulary.keywords[name], owners[part], local_of[part], len(docs)
        )
    return fields


def _dense_rank(values: npt.NDArray[Any], missing: Mask) -> npt.NDArray[np.int64]:
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    _, rank = np.unique(values, return_inverse=True)
    return np.where(missing, -1, rank.astype(np.int64).ravel())


def _ranks(docs: list[Analysed], ranges: dict[str, npt.NDArray[np.float64]]) -> dict[str, Any]:
    none = np.zeros(len(docs), dtype=bool)
    ranks = {
        "title_string": _dense_rank(np.array([d.title_key for d in docs], dtype=str), none),
        "name": _dense_rank(np.array([d.package["name"] for d in docs], dtype=str), none),
    }
    for name in ("metadata_modified", "metadata_created", "downloads", "quality_score"):
        values = ranges[name]
        missing = np.isnan(values)
        ranks[name] = _dense_rank(np.where(missing, 0.0, values), missing)
    return ranks
