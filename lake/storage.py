"""Object storage for one zone of the lake: a local folder or an S3 bucket (MinIO in production).

Both stores speak the same small interface so that the rest of the platform never branches on
the backend. Writes and listings on S3 go through the ``minio`` SDK; streamed reads go through
pyarrow's ``S3FileSystem`` so that parsers read large files in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import pyarrow as pa
import pyarrow.fs as pafs

from ada.settings import S3Settings, Settings, Zone

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: float
    etag: str


class ObjectExistsError(FileExistsError):
    """Raised when a write would overwrite an object in an immutable zone."""


class ObjectStore(Protocol):
    """The operations the platform needs from a zone's storage."""

    zone: Zone

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "", recursive: bool = True) -> list[ObjectInfo]: ...

    def put_stream(self, key: str, stream: BinaryIO, *, immutable: bool = False) -> str: ...

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> str: ...

    def get_bytes(self, key: str) -> bytes: ...

    def open_input(self, key: str) -> pa.NativeFile: ...

    def open_output(self, key: str) -> pa.NativeFile: ...

    def open_random_access(self, key: str) -> pa.NativeFile: ...

    def uri(self, key: str = "") -> str: ...

    def delete(self, key: str) -> None: ...


def _hash_copy(stream: BinaryIO, sink: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        sink.write(chunk)
    return digest.hexdigest()


class LocalStore:
    """A zone kept as a folder; the embedded default."""

    def __init__(self, zone: Zone, root: Path) -> None:
        self.zone = zone
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in (path, *path.parents):
            raise ValueError(f"key '{key}' escapes the {self.zone} zone")
        return path

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def list(self, prefix: str = "", recursive: bool = True) -> list[ObjectInfo]:
        base = self.root / os.path.dirname(prefix)
        if not base.is_dir():
            return []
        found: list[ObjectInfo] = []
        for path in base.rglob("*") if recursive else base.glob("*"):
            if not path.is_file() or path.name.startswith(".tmp-"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                st = path.stat()
                etag = f"{st.st_mtime_ns}-{st.st_size}"
                found.append(ObjectInfo(key, st.st_size, st.st_mtime, etag))
        return sorted(found, key=lambda o: o.key)

    def put_stream(self, key: str, stream: BinaryIO, *, immutable: bool = False) -> str:
        target = self._path(key)
        if immutable and target.exists():
            raise ObjectExistsError(f"{self.zone}/{key} already exists and is immutable")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{target.name}-{os.getpid()}")
        try:
            with tmp.open("wb") as sink:
                digest = _hash_copy(stream, sink)
        except OSError as err:
            # A full disk (ENOSPC, EFBIG) must not leave a partial file taking the space, and
            # the error names the file (a failed write() alone does not).
            tmp.unlink(missing_ok=True)
            if err.errno in (errno.ENOSPC, errno.EFBIG) and err.filename is None:
                raise OSError(err.errno, err.strerror, str(target)) from None
            raise
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, target)
        if immutable:
            target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return digest

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> str:
        return self.put_stream(key, io.BytesIO(data), immutable=immutable)

    def get_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open_input(self, key: str) -> pa.NativeFile:
        return pa.OSFile(str(self._path(key)), "rb")

    def open_random_access(self, key: str) -> pa.NativeFile:
        return pa.memory_map(str(self._path(key)), "r")

    def open_output(self, key: str) -> pa.NativeFile:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return pa.OSFile(str(path), "wb")

    def uri(self, key: str = "") -> str:
        path = self.root / key
        return path.as_posix() + ("/" if key == "" or key.endswith("/") else "")

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.chmod(stat.S_IWUSR | stat.S_IRUSR)
            path.unlink()


class S3Store:
    """A zone kept in an S3 bucket (with an optional key prefix)."""

    def __init__(self, zone: Zone, s3: S3Settings) -> None:
        self.zone = zone
        self._s3 = s3
        self.bucket, self.prefix = s3.location(zone)

    @cached_property
    def client(self):
        from minio import Minio

        return Minio(
            self._s3.host,
            access_key=self._s3.access_key.get_secret_value(),
            secret_key=self._s3.secret_key.get_secret_value(),
            secure=self._s3.secure,
            region=self._s3.region,
            http_client=http_client(self._s3),
        )

    @cached_property
    def filesystem(self) -> pafs.S3FileSystem:
        return pafs.S3FileSystem(
            access_key=self._s3.access_key.get_secret_value(),
            secret_key=self._s3.secret_key.get_secret_value(),
            endpoint_override=self._s3.host,
            scheme="https" if self._s3.secure else "http",
            region=self._s3.region,
            allow_bucket_creation=False,
            connect_timeout=CONNECT_TIMEOUT,
            # The AWS SDK's standard strategy: exponential backoff with jitter on throttling,
            # 5xx and network errors; 4xx (denied, missing bucket) are never retried.
            retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=self._s3.retries + 1),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def ensure_bucket(self) -> None:
        if not self.client.bucket_exists(self.bucket):
            self.client.make_bucket(self.bucket)

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, self._key(key))
        except S3Error as err:
            if err.code in ("NoSuchKey", "NoSuchObject", "NotFound", "NoSuchBucket"):
                return False
            raise
        return True

    def list(self, prefix: str = "", recursive: bool = True) -> list[ObjectInfo]:
        from minio.error import S3Error

        found = []
        try:
            for obj in self.client.list_objects(
                self.bucket, prefix=self._key(prefix), recursive=recursive
            ):
                if obj.is_dir:
                    continue
                key = obj.object_name[len(self.prefix) :]
                modified = obj.last_modified.timestamp() if obj.last_modified else 0.0
                found.append(ObjectInfo(key, obj.size or 0, modified, obj.etag or ""))
        except S3Error as err:
            if err.code == "NoSuchBucket":
                return []
            raise
        return sorted(found, key=lambda o: o.key)

    def put_stream(self, key: str, stream: BinaryIO, *, immutable: bool = False) -> str:
        if immutable and self.exists(key):
            raise ObjectExistsError(f"{self.zone}/{key} already exists and is immutable")
        reader = _HashingReader(stream)
        self.client.put_object(
            self.bucket, self._key(key), reader, length=-1, part_size=16 * _CHUNK
        )
        return reader.hexdigest()

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> str:
        if immutable and self.exists(key):
            raise ObjectExistsError(f"{self.zone}/{key} already exists and is immutable")
        self.client.put_object(self.bucket, self._key(key), io.BytesIO(data), length=len(data))
        return hashlib.sha256(data).hexdigest()

    def get_bytes(self, key: str) -> bytes:
        response = self.client.get_object(self.bucket, self._key(key))
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def open_input(self, key: str) -> pa.NativeFile:
        return self.filesystem.open_input_stream(f"{self.bucket}/{self._key(key)}")

    def open_random_access(self, key: str) -> pa.NativeFile:
        """Seekable reads (ranged GETs), for formats with a footer such as Parquet."""
        return self.filesystem.open_input_file(f"{self.bucket}/{self._key(key)}")

    def open_output(self, key: str) -> pa.NativeFile:
        return self.filesystem.open_output_stream(f"{self.bucket}/{self._key(key)}")

    def uri(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def presigned_get_url(self, key: str, expires: dt.timedelta) -> str:
        """A URL that lets anyone holding it GET ``key`` until it expires (at most 7 days),
        signed for the public endpoint. Signing is local: no request reaches the server."""
        from minio import Minio

        signer = Minio(
            self._s3.public_host,
            access_key=self._s3.access_key.get_secret_value(),
            secret_key=self._s3.secret_key.get_secret_value(),
            secure=self._s3.public_secure,
            region=self._s3.region,
        )
        url: str = signer.presigned_get_object(self.bucket, self._key(key), expires=expires)
        return url

    def delete(self, key: str) -> None:
        for obj in self.list(key):
            self.client.remove_object(self.bucket, self._key(obj.key))
        if self.exists(key):
            self.client.remove_object(self.bucket, self._key(key))


#: Seconds to wait for the S3 server to accept a connection, and for each read of an answer.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 120.0
#: What a healthy S3 server may answer when it is overloaded or restarting (503 is also
#: SlowDown); everything else in 4xx/5xx is a permanent answer, returned at once.
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})


def retry_policy(s3: S3Settings) -> Any:
    """urllib3's retry policy for the minio SDK, which replaces the SDK's default (5 attempts,
    no jitter) with the configured bound: connection refused or reset, timeouts and the
    transient statuses are retried with exponential backoff (``retry_backoff``, doubled at each
    attempt, at most 30 s) plus up to one backoff of random jitter, so that many workers
    retrying together do not hammer a recovering server in step. Minio reads a part into memory
    before sending it, so a retried PUT resends the same bytes."""
    from urllib3 import Retry

    return Retry(
        total=s3.retries,
        connect=s3.retries,
        read=s3.retries,
        status=s3.retries,
        other=0,
        backoff_factor=s3.retry_backoff,
        backoff_jitter=s3.retry_backoff,
        backoff_max=30.0,
        status_forcelist=TRANSIENT_STATUS,
        respect_retry_after_header=True,
        raise_on_status=True,
    )


def http_client(s3: S3Settings) -> Any:
    """The connection pool the minio SDK uses: its defaults, with our timeouts and retries."""
    import certifi
    import urllib3

    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=retry_policy(s3),
    )


class _HashingReader(io.RawIOBase):
    """Wraps a stream so that uploading it also computes its sha256 in one pass."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._digest.update(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def store_for(settings: Settings, zone: Zone) -> ObjectStore:
    """The store that holds ``zone`` under the given settings."""
    if settings.s3 is not None:
        return S3Store(zone, settings.s3)
    return LocalStore(zone, settings.local_zone_dir(zone))


def ensure_buckets(settings: Settings, zones: Iterable[Zone] = tuple(Zone)) -> None:
    """Create the buckets of ``zones`` (every zone by default) where they do not exist yet.

    A role that may touch only some zones names them: the object store refuses even to say
    whether another zone's bucket exists (403), and creating buckets is the admin's job where
    roles are split (``ada stack up`` does it)."""
    if settings.s3 is None:
        return
    seen: set[str] = set()
    for zone in zones:
        store = S3Store(zone, settings.s3)
        if store.bucket not in seen:
            store.ensure_bucket()
            seen.add(store.bucket)
