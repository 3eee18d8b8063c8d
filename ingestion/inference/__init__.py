"""Draft a dataset spec from one file: format, dialect, header row, column names, types, keys.

``infer_spec`` looks at a bounded sample (the first bytes for the dialect, the first
``sample_rows`` rows for the columns), never at the whole file: a 10-GB CSV costs a few blocks.
Types are chosen with the same rules the loader applies (:func:`ingestion.coercion.coerce`): a
type is right for a column when (almost) all its non-null sample values coerce to it.

The result is a *draft*: publication metadata are placeholders, and the report lists what was
inferred and what a reviewer must check. ``render_spec_yaml`` writes it as a spec file with that
report as a comment header; the YAML parses back (``catalog.registry.parse_spec``) to the same spec.

The work is split by role: :mod:`.sampling` reads a bounded sample of the file (format, dialect,
header row), :mod:`.columns` infers each column (type, formats, number marks, null markers,
keys), :mod:`.spec` assembles the spec and the report, :mod:`.rendering` writes the YAML.
"""

from ingestion.inference.rendering import render_spec_yaml
from ingestion.inference.sampling import InferenceError
from ingestion.inference.spec import InferenceReport, infer_spec

__all__ = ["InferenceError", "InferenceReport", "infer_spec", "render_spec_yaml"]
