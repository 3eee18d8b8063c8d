"""EMAIL_ADDRESS: Presidio's own recognizer, configured for Spanish context words.

Its validation asks ``tldextract`` for the domain; ``privacy.engine`` pins ``tldextract`` to its
bundled public-suffix list first, so nothing downloads.
"""

from __future__ import annotations

from presidio_analyzer.predefined_recognizers import EmailRecognizer

#: Spanish words that raise an e-mail's score (Presidio's default is only ``email``).
CONTEXT = ["correo", "email", "e-mail", "mail", "electrónico"]


class SpanishEmailRecognizer(EmailRecognizer):
    def __init__(self) -> None:
        from privacy.engine import use_bundled_public_suffixes

        use_bundled_public_suffixes()
        super().__init__(supported_language="es", context=CONTEXT, name="SpanishEmailRecognizer")
