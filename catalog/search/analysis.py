"""Spanish text analysis: the one chain that both indexed text and query text go through.

Search finds a dataset when the query's terms and the dataset's terms are equal after this
chain, so it decides what "the same word" means:

1. **lower case and fold** (``fold``): Unicode NFKD, combining marks dropped. ``Bogotá`` and
   ``bogota`` become ``bogota``, ``Educación`` ``educacion``, and ``ñ`` becomes ``n``: people
   type ``ninos`` on keyboards without ``ñ``, and Spanish has next to no pairs that differ only
   in ``ñ`` that a data catalog would hold (``año``/``ano``). Folding happens *before* stemming
   so that the stemmer sees the same letters whatever the accents: Snowball stems ``economía``
   to ``econom`` but ``economia`` to ``economi``, which would break accent-insensitivity.
2. **tokenize** (``tokens``): runs of letters and digits; everything else separates.
   ``PM2.5`` gives ``pm2`` and ``5``, ``covid-19`` gives ``covid`` and ``19``.
3. **stop words**: Snowball's Spanish list (``stopwords_es.txt``, the list Lucene's and
   Elasticsearch's Spanish analyzers use), folded the same way. The word lists on PyPI mix in
   content words (``trabajo``, ``valor``, ``mayor``, ``tiempo``) that are search terms here.
4. **stem**: Snowball's Spanish stemmer (PyStemmer, the C implementation), so ``accidentes``
   and ``accidente`` are both ``accident`` and ``niños``/``niño`` both ``nin``.

Stop words keep their position (a term's ``position`` counts them), so the phrase
``"calidad del aire"`` is ``calidad`` then ``aire`` two positions later, as in Lucene.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import Stemmer

_WORD = re.compile(r"[^\W_]+")
#: Combining diacritical marks (accents, tilde, diaeresis), which NFKD splits off letters.
_COMBINING = re.compile("[\u0300-\u036f]+")


def _load_stop_words() -> frozenset[str]:
    """The Snowball list, one word per line, ``|`` starts a comment."""
    text = (Path(__file__).with_name("stopwords_es.txt")).read_text(encoding="utf-8")
    words = (line.split("|", 1)[0].strip() for line in text.splitlines())
    return frozenset(fold(word) for word in words if word)


def fold(text: str) -> str:
    """Lower case without diacritics: the form every comparison in search uses."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


STOP_WORDS = _load_stop_words()
_STEMMER = Stemmer.Stemmer("spanish")


class Token(NamedTuple):
    """One word of a text after analysis."""

    term: str  # the stem: what the index stores and queries look up
    position: int  # counts stop words too, so that phrases keep their gaps


@lru_cache(maxsize=200_000)
def stem(word: str) -> str | None:
    """The term for a folded word, or ``None`` for a stop word.

    Cached: a catalog's vocabulary is a few thousand words repeated in every description, and
    a dictionary hit is ten times cheaper than the stemmer call.
    """
    if word in STOP_WORDS:
        return None
    return str(_STEMMER.stemWord(word))


def words(text: str) -> list[str]:
    """The folded words of ``text``, stop words included."""
    return _WORD.findall(fold(text))


def tokens(text: str, start: int = 0) -> list[Token]:
    """The analyzed tokens of ``text``, positions from ``start``."""
    found = []
    for offset, word in enumerate(words(text)):
        term = stem(word)
        if term is not None:
            found.append(Token(term, start + offset))
    return found


def terms(text: str) -> list[str]:
    """Just the terms of ``text``, in order (what a query's free text looks up)."""
    return [token.term for token in tokens(text)]


def keyword(value: str) -> str:
    """The form a keyword value (a tag, an organization slug, a format) is compared in.

    Keywords are matched whole, not tokenized or stemmed (``tags:salud`` does not match the tag
    ``salud pública``), but case, accents and surrounding spaces do not matter:
    ``res_format:csv`` finds ``CSV`` and ``tags:"vigilancia epidemiologica"`` finds
    ``vigilancia epidemiológica``.
    """
    return " ".join(fold(value).split())
