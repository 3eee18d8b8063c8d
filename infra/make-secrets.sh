#!/bin/sh
# Create infra/secrets/ for infra/compose.yaml: one file per secret listed in
# infra/secrets.example/, with a random value, for each one that does not exist yet (existing
# files are never changed). Values are never printed. ada_database_url is built from
# postgres_password and POSTGRES_USER / POSTGRES_DB of infra/.env, for the host
# $POSTGRES_HOST (default `postgres`, the Compose service; `ada-postgres` on Kubernetes).
#
# The folder is readable by its owner only; the files are world-readable inside it, because
# Compose bind-mounts them and ADA's containers run as uid 10001.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dir="$here/secrets"
setting() {  # a value of infra/.env, or the default
    value=$(sed -n "s/^$1=//p" "$here/.env" 2>/dev/null | tail -n 1)
    echo "${value:-$2}"
}
random() {  # random letters and digits: $1 characters from the set $2
    LC_ALL=C tr -dc "$2" </dev/urandom | head -c "$1"
}

mkdir -p "$dir"
chmod 0700 "$dir"
[ -e "$dir/postgres_password" ] || random 40 'A-Za-z0-9' >"$dir/postgres_password"
for example in "$here"/secrets.example/*; do
    name=$(basename "$example")
    target="$dir/$name"
    [ "$name" != README.md ] && [ ! -e "$target" ] || continue
    case "$name" in
        ada_database_url)
            printf 'postgresql://%s:%s@%s:5432/%s' "$(setting POSTGRES_USER ada)" \
                "$(cat "$dir/postgres_password")" "${POSTGRES_HOST:-postgres}" \
                "$(setting POSTGRES_DB ada)" ;;
        minio_root_user | *_access_key) random 20 'A-Z0-9' ;;
        *) random 40 'A-Za-z0-9' ;;
    esac >"$target"
    echo "created $target"
done
chmod 0444 "$dir"/*
