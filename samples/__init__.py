"""Deterministic, realistic sample datasets of Bogotá's district sectors (see ``generator``)."""
