"""The connectors (url, s3, socrata, ckan) against fake API servers and a real S3 server.

What matters: every record arrives exactly once, the raw zone keeps exactly the bytes the
server sent, transient failures are retried, and errors name the dataset and say what to do
without ever showing a token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import tracemalloc
from collections.abc import Generator, Iterator
from typing import Any

import httpx
import pytest

from ada.settings import Settings, Zone, load_settings
from catalog.specs import DatasetSpec
from ingestion.delivery import store_delivery
from ingestion.sources import Delivery, SourceError, connector_for
from ingestion.sources import http as http_source
from ingestion.sources.http import redact_url
from lake.raw import RawVersion, receive
from lake.storage import store_for
from tests.fixtures.fake_apis import (
    CKAN_DATASTORE,
    CKAN_EXTERNAL,
    CKAN_FILE_ONLY,
    CKAN_NO_URL,
    CKAN_PRIVATE,
    CKAN_PRIVATE_KEY,
    CONTENT_DISPOSITION_NAME,
    SOCRATA_DATASET,
    SOCRATA_ERROR_200,
    UTF8_NAME,
    FakeApis,
    big_bytes,
    siniestros_csv_bytes,
    siniestros_records,
)

ALL_ROWS = len(siniestros_records())  # 2,358 crashes


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture
def apis() -> Iterator[FakeApis]:
    with FakeApis() as servers:
        yield servers


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_source, "BACKOFF_SECONDS", 0.01)


def make_spec(source: dict[str, Any], *, fmt: str = "csv", **extra: Any) -> DatasetSpec:
    return DatasetSpec.model_validate(
        {
            "id": "siniestros_viales",
            "sector": "movilidad",
            "publication": {
                "title": "Siniestros viales en Bogotá",
                "description": "Siniestros de tránsito registrados por la Secretaría de Movilidad.",
                "entidad": "Secretaría Distrital de Movilidad",
                "dimension": "Calidad de Vida",
                "contact": {"name": "Datos Movilidad", "email": "datos@movilidad.gov.co"},
            },
            "source": source,
            "format": {"type": fmt},
            "schema": {"columns": [{"name": "codigo_accidente"}]},
            "update_frequency": "diaria",
            **extra,
        }
    )


PARTITIONING: dict[str, Any] = {"partitioning": {"start": "2015-01-01"}}


def deliveries(
    spec: DatasetSpec, settings: Settings, partition: str | None = None
) -> Generator[Delivery, None, None]:
    return connector_for(spec)(spec, settings, partition)  # type: ignore[return-value]


def fetch_into_raw(
    spec: DatasetSpec, settings: Settings, partition: str | None = None
) -> list[tuple[Delivery, RawVersion, dict[str, bytes]]]:
    """Run the connector and store every delivery in the raw zone, as the raw asset does."""
    store = store_for(settings, Zone.RAW)
    stored = []
    for delivery in deliveries(spec, settings, partition):
        version = store_delivery(store, spec, delivery, partition).version
        contents = {f.name: store.get_bytes(version.key(f.name)) for f in version.files}
        stored.append((delivery, version, contents))
    return stored


def fetch_error(spec: DatasetSpec, settings: Settings, partition: str | None = None) -> str:
    with pytest.raises(SourceError) as caught:
        fetch_into_raw(spec, settings, partition)
    message = str(caught.value)
    assert "\n" not in message, "errors are one line"
    assert message.startswith(f"{spec.key}: "), "errors name the dataset first"
    return message


def served(url: str, params: dict[str, Any] | None = None) -> bytes:
    """The bytes the fake server sends for a request, fetched independently."""
    return httpx.get(url, params=params).content


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------------------------
# url


def test_url_file_is_stored_byte_for_byte_under_its_content_disposition_name(
    apis: FakeApis, settings: Settings
) -> None:
    url = f"{apis.url}/files/siniestros.csv"
    spec = make_spec({"kind": "url", "url": url})

    [(delivery, version, contents)] = fetch_into_raw(spec, settings)

    assert delivery.origin == url
    assert [f.name for f in delivery.files] == [CONTENT_DISPOSITION_NAME]
    assert contents == {CONTENT_DISPOSITION_NAME: siniestros_csv_bytes()}
    assert version.files[0].sha256 == hashlib.sha256(siniestros_csv_bytes()).hexdigest()
    assert version.source == url


def test_url_file_name_in_rfc5987_form_is_decoded(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/nombre-utf8"})
    [(delivery, _, contents)] = fetch_into_raw(spec, settings)
    assert delivery.files[0].name == UTF8_NAME
    assert contents[UTF8_NAME] == siniestros_csv_bytes()


def test_url_partition_is_substituted_and_name_comes_from_the_path(
    apis: FakeApis, settings: Settings
) -> None:
    spec = make_spec(
        {"kind": "url", "url": f"{apis.url}/files/by-date/{{partition}}.csv"}, **PARTITIONING
    )

    [(delivery, version, contents)] = fetch_into_raw(spec, settings, "2022-09-21")

    assert delivery.origin == f"{apis.url}/files/by-date/2022-09-21.csv"
    assert version.partition == "2022-09-21"
    assert list(contents) == ["2022-09-21.csv"]
    lines = contents["2022-09-21.csv"].decode().splitlines()
    expected = [
        r for r in siniestros_records() if r["fecha_ocurrencia_acc"].startswith("2022-09-21")
    ]
    assert len(lines) - 1 == len(expected) > 0
    assert [r.path for r in apis.requests] == ["/files/by-date/2022-09-21.csv"]


def test_url_with_partition_placeholder_needs_a_partition(
    apis: FakeApis, settings: Settings
) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/by-date/{{partition}}.csv"})
    message = fetch_error(spec, settings)
    assert "{partition}" in message and "partition" in message


def test_url_missing_partition_is_a_clear_404(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec(
        {"kind": "url", "url": f"{apis.url}/files/by-date/{{partition}}.csv"}, **PARTITIONING
    )
    message = fetch_error(spec, settings, "1999-01-01")
    assert "HTTP 404" in message
    assert "/files/by-date/1999-01-01.csv" in message
    assert "1999-01-01 has been published" in message


def test_url_503_twice_then_success_is_retried(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/flaky.csv"})

    [(_, _, contents)] = fetch_into_raw(spec, settings)

    assert contents == {CONTENT_DISPOSITION_NAME: siniestros_csv_bytes()}
    assert len(apis.requests_to("/files/flaky.csv")) == 3


def test_url_500_gives_up_after_three_tries(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/broken.csv"})
    message = fetch_error(spec, settings)
    assert "HTTP 500" in message and "after 3 tries" in message
    assert "500 Internal Server Error" in message  # the page's title, not its HTML
    assert "run again later" in message
    assert len(apis.requests_to("/files/broken.csv")) == 3
    assert store_for(settings, Zone.RAW).list() == []


def test_url_404_names_dataset_and_url_but_not_query_secrets(
    apis: FakeApis, settings: Settings
) -> None:
    url = f"{apis.url}/files/missing.csv?format=csv&api_key=k3y-in-the-query-string"
    spec = make_spec({"kind": "url", "url": url})

    message = fetch_error(spec, settings)

    assert "HTTP 404" in message
    assert f"{apis.url}/files/missing.csv?format=csv&api_key=***" in message
    assert "k3y-in-the-query-string" not in message
    assert "check 'source.url'" in message
    assert len(apis.requests_to("/files/missing.csv")) == 1, "a 404 is not retried"


def test_url_header_token_comes_from_the_environment_and_stays_secret(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVILIDAD_FILE_TOKEN", apis.file_token)
    url = f"{apis.url}/files/private.csv"
    spec = make_spec(
        {"kind": "url", "url": url, "headers": {"Authorization": "Bearer ${MOVILIDAD_FILE_TOKEN}"}}
    )

    [(delivery, version, contents)] = fetch_into_raw(spec, settings)

    assert contents == {"private.csv": siniestros_csv_bytes()}
    [request] = apis.requests_to("/files/private.csv")
    assert request.headers["authorization"] == f"Bearer {apis.file_token}"
    assert apis.file_token not in repr(delivery) + version.to_json()


def test_url_rejected_token_error_does_not_show_it(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVILIDAD_FILE_TOKEN", "wrong-token-0987654321")
    spec = make_spec(
        {
            "kind": "url",
            "url": f"{apis.url}/files/private.csv",
            "headers": {"Authorization": "Bearer ${MOVILIDAD_FILE_TOKEN}"},
        }
    )
    message = fetch_error(spec, settings)
    assert "HTTP 401" in message and "missing or bad token" in message
    assert "check the token" in message
    assert "wrong-token-0987654321" not in message


def test_url_header_variable_must_be_set(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec(
        {
            "kind": "url",
            "url": f"{apis.url}/files/private.csv",
            "headers": {"Authorization": "Bearer ${UNSET_TOKEN_FOR_ADA_TESTS}"},
        }
    )
    message = fetch_error(spec, settings)
    assert "${UNSET_TOKEN_FOR_ADA_TESTS}" in message and "not set" in message
    assert apis.requests == []


def test_url_redirects_are_followed(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/redirect"})
    [(delivery, _, contents)] = fetch_into_raw(spec, settings)
    assert contents == {CONTENT_DISPOSITION_NAME: siniestros_csv_bytes()}
    assert delivery.origin == f"{apis.url}/files/redirect"


def test_url_large_file_streams_in_bounded_memory(apis: FakeApis, settings: Settings) -> None:
    size = 64 * 1024 * 1024
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/big.bin?size={size}"})
    expected = hashlib.sha256()
    for block in big_bytes(size):
        expected.update(block)

    store = store_for(settings, Zone.RAW)
    connector = deliveries(spec, settings)
    delivery = next(connector)
    tracemalloc.start()
    try:
        with delivery.files[0].open() as stream:
            receipt = receive(
                store,
                dataset_id=spec.id,
                spec_version=1,
                source=delivery.origin,
                files=[("big.bin", stream)],
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        connector.close()

    [stored] = receipt.version.files
    assert (stored.size, stored.sha256) == (size, expected.hexdigest())
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.1f} MiB for a {size / 2**20:.0f} MiB file"


def test_url_download_cut_short_fails_clearly_and_stores_nothing(
    apis: FakeApis, settings: Settings
) -> None:
    spec = make_spec({"kind": "url", "url": f"{apis.url}/files/truncated.csv"})
    message = fetch_error(spec, settings)
    assert "/files/truncated.csv" in message and "downloading" in message
    assert store_for(settings, Zone.RAW).list() == []


def test_url_unreachable_server_is_retried_then_explained(settings: Settings) -> None:
    spec = make_spec({"kind": "url", "url": f"http://127.0.0.1:{closed_port()}/datos.csv"})
    message = fetch_error(spec, settings)
    assert "after 3 tries" in message and "ConnectError" in message
    assert "check the network" in message


def test_redact_url_masks_credentials_and_secret_parameters() -> None:
    shown = redact_url("https://user:pa55@host/x.csv?token=abc&$where=a>1&X-Amz-Signature=zz#f")
    assert shown == "https://host/x.csv?token=***&$where=a>1&X-Amz-Signature=***"


# --------------------------------------------------------------------------------------------
# socrata


def socrata_spec(apis: FakeApis, **source: Any) -> DatasetSpec:
    return make_spec(
        {"kind": "socrata", "domain": apis.url, "dataset_id": SOCRATA_DATASET, **source},
        fmt="json",
        **({"partitioning": PARTITIONING["partitioning"]} if "where" in source else {}),
    )


def socrata_rows(contents: dict[str, bytes]) -> list[dict[str, str]]:
    return [row for name in sorted(contents) for row in json.loads(contents[name])]


def test_socrata_pages_deliver_every_row_exactly_once(apis: FakeApis, settings: Settings) -> None:
    spec = socrata_spec(apis, page_size=500)

    [(delivery, _, contents)] = fetch_into_raw(spec, settings)

    names = [f"part-{i:05d}.json" for i in range(5)]  # 4 x 500 + 358
    assert [f.name for f in delivery.files] == names
    assert socrata_rows(contents) == list(siniestros_records())
    requests = apis.requests_to(f"/resource/{SOCRATA_DATASET}.json")
    assert [(r.query["$limit"], r.query["$offset"], r.query["$order"]) for r in requests] == [
        ("500", str(offset), ":id") for offset in range(0, 2500, 500)
    ]
    resource = f"{apis.url}/resource/{SOCRATA_DATASET}.json"
    for index, name in enumerate(names):
        page = served(resource, {"$limit": 500, "$offset": index * 500, "$order": ":id"})
        assert contents[name] == page, f"{name} differs from the bytes served"
    assert delivery.origin == resource
    assert delivery.files[1].origin == f"{resource}?$limit=500&$offset=500&$order=:id"


def test_socrata_exact_multiple_of_page_size_ends_on_an_empty_page(
    apis: FakeApis, settings: Settings
) -> None:
    spec = socrata_spec(apis, page_size=ALL_ROWS // 2)
    [(delivery, _, contents)] = fetch_into_raw(spec, settings)
    assert len(delivery.files) == 3
    assert json.loads(contents["part-00002.json"]) == []
    assert socrata_rows(contents) == list(siniestros_records())


def test_socrata_where_uses_the_partition(apis: FakeApis, settings: Settings) -> None:
    where = (
        "fecha_ocurrencia_acc >= '{partition}T00:00:00' AND "
        "fecha_ocurrencia_acc <= '{partition}T23:59:59'"
    )
    spec = socrata_spec(apis, where=where, page_size=1000)

    [(delivery, version, contents)] = fetch_into_raw(spec, settings, "2022-09-21")

    expected = [
        r for r in siniestros_records() if r["fecha_ocurrencia_acc"].startswith("2022-09-21")
    ]
    assert socrata_rows(contents) == expected and expected
    sent = apis.requests_to(f"/resource/{SOCRATA_DATASET}.json")[0].query["$where"]
    assert sent == where.replace("{partition}", "2022-09-21")
    assert "2022-09-21T00:00:00" in delivery.origin and version.partition == "2022-09-21"


def test_socrata_app_token_is_sent_as_header_and_never_shown(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "soda-app-token-" + secrets.token_hex(8)
    apis.socrata_token = token
    monkeypatch.setenv("DATOS_GOV_CO_TOKEN", token)
    spec = socrata_spec(apis, page_size=1000, app_token_env="DATOS_GOV_CO_TOKEN")

    [(delivery, version, contents)] = fetch_into_raw(spec, settings)

    assert socrata_rows(contents) == list(siniestros_records())
    requests = apis.requests_to(f"/resource/{SOCRATA_DATASET}.json")
    assert len(requests) == 3
    assert all(r.headers.get("x-app-token") == token for r in requests)
    assert all(token not in str(r.query) for r in requests), "the token goes in a header only"
    shown = delivery.origin + "".join(f.origin for f in delivery.files) + version.to_json()
    assert token not in shown


def test_socrata_rejected_token_error_is_clear_and_secret(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    apis.socrata_token = "the-right-token-1234"
    monkeypatch.setenv("DATOS_GOV_CO_TOKEN", "a-wrong-token-5678")
    spec = socrata_spec(apis, app_token_env="DATOS_GOV_CO_TOKEN")

    message = fetch_error(spec, settings)

    assert "HTTP 403" in message and "Invalid app_token specified" in message
    assert "$DATOS_GOV_CO_TOKEN" in message
    assert "a-wrong-token-5678" not in message and "the-right-token-1234" not in message


def test_socrata_unknown_dataset(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec({"kind": "socrata", "domain": apis.url, "dataset_id": "xxxx-0000"}, fmt="json")
    message = fetch_error(spec, settings)
    assert "HTTP 404" in message and "(Not found)" in message
    assert "/resource/xxxx-0000.json" in message and "'source.dataset_id'" in message


def test_socrata_bad_where_reports_socrata_message(apis: FakeApis, settings: Settings) -> None:
    spec = socrata_spec(apis, where="fecha_ocurrencia_acc LIKE '{partition}%'")
    message = fetch_error(spec, settings, "2022-09-21")
    assert "HTTP 400" in message and "query.compiler.malformed" in message
    assert "Could not parse SoQL query" in message and "'source.where'" in message


def test_socrata_error_object_with_200(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec(
        {"kind": "socrata", "domain": apis.url, "dataset_id": SOCRATA_ERROR_200}, fmt="json"
    )
    message = fetch_error(spec, settings)
    assert "Internal error: query timed out" in message


def test_socrata_failing_page_is_retried_without_duplicates(
    apis: FakeApis, settings: Settings
) -> None:
    apis.fail(f"/resource/{SOCRATA_DATASET}.json", 503, 502)
    spec = socrata_spec(apis, page_size=1000)
    [(_, _, contents)] = fetch_into_raw(spec, settings)
    assert socrata_rows(contents) == list(siniestros_records())
    assert len(apis.requests_to(f"/resource/{SOCRATA_DATASET}.json")) == 5


def test_socrata_failing_server_gives_up(apis: FakeApis, settings: Settings) -> None:
    apis.fail(f"/resource/{SOCRATA_DATASET}.json", 500, 500, 500)
    message = fetch_error(socrata_spec(apis), settings)
    assert "HTTP 500" in message and "after 3 tries" in message


def test_socrata_spooled_pages_are_removed_afterwards(apis: FakeApis, settings: Settings) -> None:
    fetch_into_raw(socrata_spec(apis, page_size=1000), settings)
    assert list((settings.home / "tmp").iterdir()) == []


# --------------------------------------------------------------------------------------------
# ckan


def ckan_spec(apis: FakeApis, resource_id: str, fmt: str = "json", **source: Any) -> DatasetSpec:
    return make_spec(
        {"kind": "ckan", "base_url": apis.url, "resource_id": resource_id, **source}, fmt=fmt
    )


def test_ckan_datastore_pages_deliver_every_record_exactly_once(
    apis: FakeApis, settings: Settings
) -> None:
    spec = ckan_spec(apis, CKAN_DATASTORE, page_size=1000)

    [(delivery, _, contents)] = fetch_into_raw(spec, settings)

    assert [f.name for f in delivery.files] == [
        "part-00000.json",
        "part-00001.json",
        "part-00002.json",
    ]
    records = [
        record
        for name in sorted(contents)
        for record in json.loads(contents[name])["result"]["records"]
    ]
    assert [r["_id"] for r in records] == list(range(1, ALL_ROWS + 1))
    assert [{k: v for k, v in r.items() if k != "_id"} for r in records] == list(
        siniestros_records()
    )
    searches = apis.requests_to("/api/3/action/datastore_search")
    assert [(r.query["offset"], r.query["limit"], r.query["sort"]) for r in searches] == [
        ("0", "1000", "_id"),
        ("1000", "1000", "_id"),
        ("2000", "1000", "_id"),
    ]
    search = f"{apis.url}/api/3/action/datastore_search"
    for index in range(3):
        params = {
            "resource_id": CKAN_DATASTORE,
            "limit": 1000,
            "offset": index * 1000,
            "sort": "_id",
        }
        assert contents[f"part-{index:05d}.json"] == served(search, params)
    assert delivery.origin == f"{search}?resource_id={CKAN_DATASTORE}"


def test_ckan_resource_without_datastore_downloads_its_file(
    apis: FakeApis, settings: Settings
) -> None:
    spec = ckan_spec(apis, CKAN_FILE_ONLY)
    [(delivery, _, contents)] = fetch_into_raw(spec, settings)
    assert contents == {"siniestros.csv": siniestros_csv_bytes()}
    assert "/resource/0d4f7c21-siniestros-archivo/download/" in delivery.origin
    assert apis.requests_to("/api/3/action/datastore_search") == []


def test_ckan_csv_spec_downloads_the_file_even_with_datastore(
    apis: FakeApis, settings: Settings
) -> None:
    spec = ckan_spec(apis, CKAN_DATASTORE, fmt="csv")
    [(_, _, contents)] = fetch_into_raw(spec, settings)
    assert contents == {"siniestros.csv": siniestros_csv_bytes()}
    assert apis.requests_to("/api/3/action/datastore_search") == []


def test_ckan_not_found_envelope(apis: FakeApis, settings: Settings) -> None:
    message = fetch_error(ckan_spec(apis, "no-existe"), settings)
    assert "HTTP 404" in message and "Not Found Error: Not found" in message
    assert "resource_show?id=no-existe" in message and "'source.resource_id'" in message


def test_ckan_private_resource_needs_the_api_key(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKAN_API_KEY_FOR_TESTS", "not-the-key-111222333")
    spec = ckan_spec(apis, CKAN_PRIVATE, api_key_env="CKAN_API_KEY_FOR_TESTS")
    message = fetch_error(spec, settings)
    assert "HTTP 403" in message and "Authorization Error: Access denied" in message
    assert "$CKAN_API_KEY_FOR_TESTS" in message
    assert "not-the-key-111222333" not in message


def test_ckan_private_resource_with_the_api_key(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKAN_API_KEY_FOR_TESTS", CKAN_PRIVATE_KEY)
    spec = ckan_spec(apis, CKAN_PRIVATE, page_size=2000, api_key_env="CKAN_API_KEY_FOR_TESTS")

    [(delivery, version, contents)] = fetch_into_raw(spec, settings)

    assert len(contents) == 2
    assert all(r.headers["authorization"] == CKAN_PRIVATE_KEY for r in apis.requests)
    shown = delivery.origin + "".join(f.origin for f in delivery.files) + version.to_json()
    assert CKAN_PRIVATE_KEY not in shown


def test_ckan_api_key_is_not_sent_to_another_site(
    apis: FakeApis, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKAN_API_KEY_FOR_TESTS", CKAN_PRIVATE_KEY)
    spec = ckan_spec(apis, CKAN_EXTERNAL, fmt="csv", api_key_env="CKAN_API_KEY_FOR_TESTS")

    [(_, _, contents)] = fetch_into_raw(spec, settings)

    assert contents == {CONTENT_DISPOSITION_NAME: siniestros_csv_bytes()}
    [show] = apis.requests_to("/api/3/action/resource_show")
    [download] = apis.requests_to("/files/siniestros.csv")
    assert show.headers["authorization"] == CKAN_PRIVATE_KEY
    assert "authorization" not in download.headers


def test_ckan_resource_without_url(apis: FakeApis, settings: Settings) -> None:
    message = fetch_error(ckan_spec(apis, CKAN_NO_URL, fmt="csv"), settings)
    assert "without a file URL" in message


def test_ckan_base_url_that_is_not_ckan(apis: FakeApis, settings: Settings) -> None:
    spec = make_spec(
        {"kind": "ckan", "base_url": f"{apis.url}/files", "resource_id": CKAN_DATASTORE}
    )
    message = fetch_error(spec, settings)
    assert "HTTP 404" in message and "'source.base_url'" in message


def test_ckan_datastore_503_is_retried(apis: FakeApis, settings: Settings) -> None:
    apis.fail("/api/3/action/datastore_search", 503, 503)
    spec = ckan_spec(apis, CKAN_DATASTORE, page_size=32_000)
    [(delivery, _, contents)] = fetch_into_raw(spec, settings)
    assert len(delivery.files) == 1
    assert len(json.loads(contents["part-00000.json"])["result"]["records"]) == ALL_ROWS


# --------------------------------------------------------------------------------------------
# s3 (a real S3 server)


@pytest.fixture
def source_bucket(s3_env: Any) -> str:
    bucket = f"ada-src-{secrets.token_hex(4)}"
    s3_env.client().make_bucket(bucket)
    return bucket


def put_object(s3_server: Any, bucket: str, key: str, data: bytes) -> None:
    import io

    s3_server.client().put_object(bucket, key, io.BytesIO(data), length=len(data))


@pytest.mark.s3
def test_s3_object_is_stored_byte_for_byte(s3_env: Any, source_bucket: str) -> None:
    key = "movilidad/2022-09-21/siniestros.csv"
    put_object(s3_env, source_bucket, key, siniestros_csv_bytes())
    spec = make_spec(
        {"kind": "s3", "bucket": source_bucket, "key": "movilidad/{partition}/siniestros.csv"},
        **PARTITIONING,
    )
    settings = load_settings()

    [(delivery, version, contents)] = fetch_into_raw(spec, settings, "2022-09-21")

    assert delivery.origin == f"s3://{source_bucket}/{key}"
    assert contents == {"siniestros.csv": siniestros_csv_bytes()}
    assert settings.s3 is not None
    assert store_for(settings, Zone.RAW).uri().startswith(f"s3://{settings.s3.bucket}/")
    assert version.files[0].sha256 == hashlib.sha256(siniestros_csv_bytes()).hexdigest()


@pytest.mark.s3
def test_s3_large_object_streams(s3_env: Any, source_bucket: str) -> None:
    data = b"".join(big_bytes(12 * 1024 * 1024))
    put_object(s3_env, source_bucket, "exports/big.bin", data)
    spec = make_spec({"kind": "s3", "bucket": source_bucket, "key": "exports/big.bin"})
    [(_, version, _)] = fetch_into_raw(spec, load_settings())
    assert version.files[0].sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.s3
def test_s3_missing_object_and_bucket(s3_env: Any, source_bucket: str) -> None:
    settings = load_settings()
    spec = make_spec({"kind": "s3", "bucket": source_bucket, "key": "no/existe.csv"})
    message = fetch_error(spec, settings)
    assert f"s3://{source_bucket}/no/existe.csv does not exist" in message
    assert "'source.key'" in message

    spec = make_spec({"kind": "s3", "bucket": "ada-no-such-bucket-9f8e", "key": "x.csv"})
    message = fetch_error(spec, settings)
    assert "the bucket 'ada-no-such-bucket-9f8e' does not exist" in message
    assert s3_env.secret_key not in message


def test_s3_source_needs_the_lake_on_s3(settings: Settings) -> None:
    spec = make_spec({"kind": "s3", "bucket": "exports", "key": "siniestros.csv"})
    message = fetch_error(spec, settings)
    assert "ADA_S3_ENDPOINT" in message and "s3://exports/siniestros.csv" in message


# --------------------------------------------------------------------------------------------
# dispatch


@pytest.mark.parametrize(
    ("source", "function"),
    [
        ({"kind": "url", "url": "https://x/y.csv"}, "fetch_url"),
        ({"kind": "s3", "bucket": "b", "key": "k"}, "fetch_s3"),
        (
            {"kind": "socrata", "domain": "https://www.datos.gov.co", "dataset_id": "abcd-1234"},
            "fetch_socrata",
        ),
        ({"kind": "ckan", "base_url": "https://x", "resource_id": "r"}, "fetch_ckan"),
    ],
)
def test_connector_for_every_remote_kind(source: dict[str, Any], function: str) -> None:
    assert getattr(connector_for(make_spec(source)), "__name__", None) == function
