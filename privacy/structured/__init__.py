"""Structured tables: which columns are personal (``classification``) and the operators that
anonymise them (``operators``). Heavy libraries are imported inside the functions."""
