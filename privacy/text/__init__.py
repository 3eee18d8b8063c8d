"""Personal data in free text: a fast batch detector (``detector``) and typed redaction
(``redaction``), built on the recognizers of ``privacy.recognizers``."""
