"""The raw zone keeps bytes exactly as received, immutable, one version per distinct delivery."""

from __future__ import annotations

import hashlib
import io

import pytest

from ada.settings import Settings, Zone
from lake.raw import list_versions, receive
from lake.storage import ObjectExistsError, store_for


def _deliver(settings: Settings, content: bytes, name: str = "datos.csv"):  # type: ignore[no-untyped-def]
    return receive(
        store_for(settings, Zone.RAW),
        dataset_id="prueba",
        spec_version=3,
        source="landing/prueba/datos.csv",
        files=[(name, io.BytesIO(content))],
    )


def test_manifest_records_source_hash_size_time_and_spec_version(settings: Settings) -> None:
    receipt = _deliver(settings, b"a;b\n1;2\n")
    version = receipt.version
    assert receipt.is_new
    assert version.files[0].sha256 == hashlib.sha256(b"a;b\n1;2\n").hexdigest()
    assert version.files[0].size == 8
    assert version.spec_version == 3
    assert version.source == "landing/prueba/datos.csv"
    assert version.received_at.endswith("+00:00")
    stored = store_for(settings, Zone.RAW).get_bytes(version.key("datos.csv"))
    assert stored == b"a;b\n1;2\n"


def test_redelivery_with_new_bytes_keeps_both_versions(settings: Settings) -> None:
    first = _deliver(settings, b"v1").version
    second = _deliver(settings, b"v2").version
    versions = list_versions(store_for(settings, Zone.RAW), "prueba")
    assert [v.version for v in versions] == [first.version, second.version]
    raw = store_for(settings, Zone.RAW)
    assert raw.get_bytes(first.key("datos.csv")) == b"v1"
    assert raw.get_bytes(second.key("datos.csv")) == b"v2"


def test_identical_redelivery_is_not_stored_twice(settings: Settings) -> None:
    first = _deliver(settings, b"same")
    again = _deliver(settings, b"same")
    assert not again.is_new and again.version == first.version
    assert len(list_versions(store_for(settings, Zone.RAW), "prueba")) == 1
    assert len(store_for(settings, Zone.RAW).list("prueba/")) == 2  # file + manifest


def test_raw_objects_cannot_be_overwritten(settings: Settings) -> None:
    version = _deliver(settings, b"original").version
    raw = store_for(settings, Zone.RAW)
    with pytest.raises(ObjectExistsError):
        raw.put_bytes(version.key("datos.csv"), b"tampered", immutable=True)
    assert raw.get_bytes(version.key("datos.csv")) == b"original"


def test_a_failed_delivery_leaves_no_partial_version(settings: Settings) -> None:
    class Broken(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise ConnectionError("source went away")

    with pytest.raises(ConnectionError):
        receive(
            store_for(settings, Zone.RAW),
            dataset_id="prueba",
            spec_version=1,
            source="x",
            files=[("a.csv", io.BytesIO(b"ok")), ("b.csv", Broken())],  # type: ignore[list-item]
        )
    assert list_versions(store_for(settings, Zone.RAW), "prueba") == []
    assert store_for(settings, Zone.RAW).list("prueba/") == []
