#!/bin/sh
# Entrypoint of ADA's image: for each secret below, when <NAME>_FILE names a file (a Compose or
# Kubernetes secret mounted read-only), export <NAME> with the file's content (without its
# trailing newline) and unset <NAME>_FILE; then exec the command.
#
# Dagster reads its Postgres URL from the environment only (`postgres_url: {env:
# ADA_DATABASE_URL}` in dagster.yaml), so the value must be in the environment of the Dagster
# processes; doing it here keeps the secret out of compose.yaml, .env and `docker inspect`.
# Setting both <NAME> and <NAME>_FILE is an error. Values are never printed.
set -eu

SECRETS="ADA_DATABASE_URL ADA_S3_ACCESS_KEY ADA_S3_SECRET_KEY ADA_S3_INGEST_ACCESS_KEY ADA_S3_INGEST_SECRET_KEY ADA_PSEUDONYM_KEY"

for name in $SECRETS; do
    eval "file=\${${name}_FILE:-}"
    [ -n "$file" ] || continue
    eval "value=\${${name}:-}"
    if [ -n "$value" ]; then
        echo "entrypoint: both ${name} and ${name}_FILE are set; set only one" >&2
        exit 64
    fi
    if [ ! -r "$file" ]; then
        echo "entrypoint: ${name}_FILE names ${file}, which cannot be read by uid $(id -u)" >&2
        exit 66
    fi
    value=$(cat "$file")
    if [ -z "$value" ]; then
        echo "entrypoint: ${name}_FILE names ${file}, which is empty" >&2
        exit 65
    fi
    export "${name}=${value}"
    unset "${name}_FILE"
done
unset file value

exec "$@"
