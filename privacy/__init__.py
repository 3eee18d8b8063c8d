"""Digital trust: detecting and anonymising personal data before anything is curated or published.

Heavy libraries (Presidio, spaCy) are imported inside the functions that need them, never when
the Dagster definitions load.
"""
