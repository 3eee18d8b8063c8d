"""Dagster orchestration: definitions generated from the dataset specs."""
