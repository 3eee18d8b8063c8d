"""Catalog feeds besides DCAT: Project Open Data ``data.json`` (:mod:`catalog.feeds.pod`) and
the Atom feed of new and updated datasets (:mod:`catalog.feeds.atom`)."""
