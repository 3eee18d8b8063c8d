"""Data quality: rules as data (``rules.py``, ``suites/``), run by Great Expectations (issue 4)."""
