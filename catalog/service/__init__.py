"""The catalog's web service (CKAN Action API, metadata documents, downloads). See
``app.py``."""
