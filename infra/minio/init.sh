#!/bin/sh
# One-shot initialisation of ADA's MinIO, run by the `minio-init` service (Compose) or the
# `ada-minio-init` Job (Kubernetes) with MinIO's client image (`mc`). Safe to run again: it
# creates what is missing and re-applies the policies, so rotating a key or changing a policy
# is "edit, then run it again".
#
# - one bucket per zone, named by ADA_S3_BUCKET_<ZONE> (the same variables the platform reads);
# - versioning on the raw bucket: nobody holds s3:DeleteObjectVersion, so a delete only adds a
#   delete marker and the bytes received stay recoverable (raw is immutable);
# - one MinIO user per role, its keys read from $SECRETS_DIR/s3_<role>_access_key and
#   s3_<role>_secret_key, with the policy ada-<role>:
#     ingestion  writes landing and raw (publishers' uploads, `ada ingest`, `ada samples`)
#     pipeline   reads raw, writes staging, curated and open (the Dagster code server; see the
#                note on its policy about the raw step)
#     catalog    reads curated and open (`ada serve`: datastore_search, reports, downloads)
#     analyst    reads curated (analysts' DuckDB, `ada sql`)
#   and the public reads open anonymously (download-only bucket policy).
# Secrets are read from files and never printed.
set -eu

SECRETS_DIR="${SECRETS_DIR:-/run/secrets}"
MINIO_URL="${MINIO_URL:-http://minio:9000}"
ROLES="ingestion pipeline catalog analyst"

secret() {
    if [ ! -r "$SECRETS_DIR/$1" ]; then
        echo "minio-init: the secret $SECRETS_DIR/$1 is missing" >&2
        exit 66
    fi
    cat "$SECRETS_DIR/$1"
}

for zone in LANDING RAW STAGING CURATED OPEN; do
    eval "bucket=\${ADA_S3_BUCKET_${zone}:-}"
    if [ -z "$bucket" ]; then
        echo "minio-init: ADA_S3_BUCKET_${zone} is not set; per-role access needs a bucket per zone" >&2
        exit 64
    fi
done
LANDING="$ADA_S3_BUCKET_LANDING"
RAW="$ADA_S3_BUCKET_RAW"
STAGING="$ADA_S3_BUCKET_STAGING"
CURATED="$ADA_S3_BUCKET_CURATED"
OPEN="$ADA_S3_BUCKET_OPEN"

# mc keeps its configuration in $HOME/.mc; the containers may run with a read-only home.
export MC_CONFIG_DIR="${MC_CONFIG_DIR:-/tmp/.mc}"
mc alias set ada "$MINIO_URL" "$(secret minio_root_user)" "$(secret minio_root_password)" >/dev/null

for bucket in "$LANDING" "$RAW" "$STAGING" "$CURATED" "$OPEN"; do
    mc mb --ignore-existing "ada/$bucket"
done
mc version enable "ada/$RAW"
mc anonymous set download "ada/$OPEN"

# Statements used by the policies below.
read_bucket() {  # list and get
    printf '{"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket"],"Resource":["arn:aws:s3:::%s"]},' "$1"
    printf '{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/*"]}' "$1"
}
write_bucket() {  # list, get, put and delete current objects (never object versions)
    printf '{"Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket","s3:ListBucketMultipartUploads"],"Resource":["arn:aws:s3:::%s"]},' "$1"
    printf '{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":["arn:aws:s3:::%s/*"]}' "$1"
}

policy() {
    case "$1" in
        ingestion)
            echo "$(write_bucket "$LANDING"),$(write_bucket "$RAW")" ;;
        pipeline)
            # Landing and raw are written with the ingestion role's key
            # (ADA_S3_INGEST_ACCESS_KEY): the pipeline only reads raw.
            echo "$(read_bucket "$RAW"),$(write_bucket "$STAGING"),$(write_bucket "$CURATED"),$(write_bucket "$OPEN")" ;;
        catalog)
            echo "$(read_bucket "$CURATED"),$(read_bucket "$OPEN")" ;;
        analyst)
            echo "$(read_bucket "$CURATED"),$(read_bucket "$OPEN")" ;;
    esac
}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
for role in $ROLES; do
    file="$workdir/ada-$role.json"
    printf '{"Version":"2012-10-17","Statement":[%s]}\n' "$(policy "$role")" >"$file"
    mc admin policy create ada "ada-$role" "$file" >/dev/null
    access_key=$(secret "s3_${role}_access_key")
    # `user add` on an existing user sets its secret key: this is how keys are rotated.
    mc admin user add ada "$access_key" "$(secret "s3_${role}_secret_key")" >/dev/null
    if ! out=$(mc admin policy attach ada "ada-$role" --user "$access_key" 2>&1); then
        case "$out" in
            *"already in effect"*) ;;  # attached by an earlier run
            *) echo "minio-init: attaching ada-$role failed: $out" >&2; exit 1 ;;
        esac
    fi
    echo "minio-init: role $role: user and policy ada-$role in place"
done
echo "minio-init: buckets $LANDING $RAW $STAGING $CURATED $OPEN ready"
