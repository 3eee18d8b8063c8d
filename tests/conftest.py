"""Shared pytest configuration: real services (S3 server, Postgres) come from fixtures/."""

pytest_plugins = [
    "tests.fixtures.s3",
    "tests.fixtures.postgres",
    "tests.fixtures.env",
    "tests.fixtures.fake_apis",
    "tests.fixtures.faults",
]
