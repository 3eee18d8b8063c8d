"""An object in an S3 bucket, read with the lake's own S3 credentials (``ADA_S3_*``).

The object is checked first (so that a wrong bucket or key fails with a clear message before
anything is stored), then streamed through the same reader the lake uses (pyarrow's
``S3FileSystem``), so a large object never sits in memory.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from ada.settings import Settings, Zone
from catalog.specs import DatasetSpec, S3Source
from ingestion.sources.base import DeliveredFile, Delivery, SourceError
from ingestion.sources.http import with_partition
from lake.storage import S3Store

_MISSING = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "Forbidden"}


class _ObjectStream(io.RawIOBase):
    """The object's bytes; read failures become SourceErrors that name the dataset."""

    def __init__(self, stream: Any, spec: DatasetSpec, origin: str) -> None:
        self._stream = stream
        self._spec = spec
        self._origin = origin
        self.received = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._stream.read(len(buffer))
        except OSError as err:
            raise SourceError(
                f"{self._spec.key}: reading {self._origin} broke off after {self.received} "
                f"bytes ({err}); run again"
            ) from None
        n = len(data)
        buffer[:n] = data
        self.received += n
        return n

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def fetch_s3(spec: DatasetSpec, settings: Settings, partition: str | None) -> Iterator[Delivery]:
    source = spec.source
    assert isinstance(source, S3Source)
    key = with_partition(source.key, partition, spec, "'source.key'").lstrip("/")
    origin = f"s3://{source.bucket}/{key}"
    if settings.s3 is None:
        raise SourceError(
            f"{spec.key}: the source {origin} is read with the lake's S3 credentials, but no "
            "S3 server is configured; set ADA_S3_ENDPOINT, ADA_S3_ACCESS_KEY and "
            "ADA_S3_SECRET_KEY"
        )
    name = key.rsplit("/", 1)[-1]
    if not name:
        raise SourceError(
            f"{spec.key}: 'source.key' ({source.key}) names a folder, not an object; give the "
            "full key of one object"
        )
    # A store whose landing zone is the source bucket: the lake's client and reader, reused.
    s3 = dataclasses.replace(
        settings.s3, bucket=source.bucket, zone_buckets={Zone.LANDING: source.bucket}
    )
    store = S3Store(Zone.LANDING, s3)
    _check(store, spec, key, origin, partition, settings.s3.host)

    streams: list[_ObjectStream] = []

    def open_object() -> BinaryIO:
        try:
            raw = store.open_input(key)
        except OSError as err:
            raise SourceError(f"{spec.key}: cannot open {origin} ({err}); run again") from None
        stream = _ObjectStream(raw, spec, origin)
        streams.append(stream)
        return io.BufferedReader(stream, 1 << 20)

    try:
        yield Delivery(origin, [DeliveredFile(name, open_object, origin)])
    finally:
        for stream in streams:
            stream.close()


def _check(
    store: S3Store, spec: DatasetSpec, key: str, origin: str, partition: str | None, host: str
) -> None:
    """Fail early, and clearly, when the object cannot be read."""
    from minio.error import S3Error

    bucket = store.bucket
    try:
        store.client.stat_object(bucket, key)
    except S3Error as err:
        if err.code in _MISSING or err.code == "NoSuchBucket":
            try:
                bucket_exists = store.client.bucket_exists(bucket)
            except S3Error:
                bucket_exists = True
            if not bucket_exists:
                raise SourceError(
                    f"{spec.key}: the bucket '{bucket}' does not exist on {host}; check "
                    "'source.bucket' in the spec"
                ) from None
            raise SourceError(
                f"{spec.key}: {origin} does not exist; check 'source.key' in the spec"
                + (f" and that partition {partition} was delivered" if partition else "")
            ) from None
        if err.code in _DENIED:
            raise SourceError(
                f"{spec.key}: the lake's S3 credentials cannot read {origin} ({err.code}); "
                "grant them read access to the bucket or copy the object elsewhere"
            ) from None
        raise SourceError(
            f"{spec.key}: S3 refused to describe {origin} ({err.code}: {err.message}); check "
            "the source in the spec"
        ) from None
    except ValueError as err:  # the SDK validates bucket names and keys
        raise SourceError(
            f"{spec.key}: {origin} is not a valid S3 location ({err}); check 'source.bucket' "
            "and 'source.key'"
        ) from None
    except Exception as err:  # urllib3's connection errors, after the SDK's own retries
        raise SourceError(
            f"{spec.key}: cannot reach the S3 server at {host} to read {origin} "
            f"({type(err).__name__}); check ADA_S3_ENDPOINT and that the server is up"
        ) from None
