"""Everything Dagster loads, one module per kind of definition, all derived from the specs."""
