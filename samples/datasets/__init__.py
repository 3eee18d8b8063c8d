"""One module per sample dataset; each exposes ``DATASET`` (a :class:`samples.base.DatasetDef`)."""
