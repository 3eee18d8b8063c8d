"""The bad-input corpus: every bad file gets a specific answer, and nothing is lost.

All the corpus's datasets (and one good control dataset) are delivered to one ADA home. A
representative set (one of each kind of answer, the quality rule that needs the Dagster asset,
the control) goes through one ``ada run`` of their raw and staging assets, as an operator runs
them, in a child process whose whole output is checked for tracebacks; the other cases go
through the same two functions those assets call (``receive_deliveries`` then
``load_staging``), in-process, because a Dagster run per dataset costs seconds and the corpus
must stay fast. Each case is then checked: a Spanish message naming the file (and the line,
where there is one) and what to change, or quarantine entries with line and reason; the raw
bytes byte-identical; and the control dataset loaded whatever the others did.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.badinput.corpus import CASES, CONTROL, SECTOR, Case, build_all, read_sample
from tests.helpers import REPO, make_spec, write_spec

ALL = [*CASES, CONTROL]
#: The cases that go through ``ada run`` (the others go through the functions its assets call).
THROUGH_CLI = {
    "control",
    "localidad_desconocida",
    "bomba_zip",
    "archivo_2gb_disperso",
    "xlsx_que_es_csv",
}


@dataclass
class Outcome:
    """What one ``ada run`` of the whole corpus left behind."""

    output: str
    lines: dict[str, str]
    quarantine: dict[str, list[tuple[Any, ...]]]
    staged: dict[str, int | None]
    totals: dict[str, float | None]
    raw: dict[str, dict[str, Path]]
    landed: dict[str, Path]
    digests: dict[str, str]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADA_")}
    env.update(
        ADA_HOME=str(home),
        ADA_DATASETS_DIR=str(home / "datasets"),
        ADA_SUITES_DIR=str(home / "suites"),
        DAGSTER_HOME=str(home / "dagster"),
        COLUMNS="2000",  # one line per dataset, however long its message
    )
    return env


def _prepare(home: Path) -> dict[str, Path]:
    for case in ALL:
        spec = make_spec(**case.spec())
        write_spec(home / "datasets", spec)
        if case.suite is not None:
            suites = home / "suites"
            suites.mkdir(parents=True, exist_ok=True)
            suite = {"dataset": case.dataset_id, **case.suite}
            (suites / f"{case.dataset_id}.yaml").write_text(yaml.safe_dump(suite), "utf-8")
    return build_all(home / "lake" / "landing", ALL)


def _ingest_in_process(home: Path, cases: list[Case]) -> dict[str, str]:
    """What the raw and staging assets do, without a Dagster run per dataset: the line
    ``ada run`` would print for each (its failure message is the exception's)."""
    from ada.settings import load_settings
    from ingestion.delivery import receive_deliveries
    from ingestion.sources.base import SourceError
    from ingestion.staging import StagingError, load_staging

    lines = {}
    with pytest.MonkeyPatch.context() as env:
        for name, value in _environment(home).items():
            env.setenv(name, value)
        settings = load_settings()
        for case in cases:
            spec = make_spec(**case.spec())
            label = f"{SECTOR}/{case.dataset_id}"
            try:
                receive_deliveries(settings, spec)
                load_staging(settings, spec)
            except (SourceError, StagingError) as err:
                lines[case.name] = f"✗ {label}: {str(err).removeprefix(f'{label}: ')}"
            else:
                lines[case.name] = f"✓ {label}"
    return lines


def _collect_lake(
    home: Path,
) -> tuple[dict[str, list[tuple[Any, ...]]], dict[str, int | None], dict[str, float | None]]:
    import duckdb

    from ada.settings import Zone, load_settings
    from lake import tables

    previous = os.environ.get("ADA_HOME")
    os.environ["ADA_HOME"] = str(home)
    try:
        con = tables.connect(load_settings(), [Zone.STAGING], read_only=True)
    finally:
        if previous is None:
            del os.environ["ADA_HOME"]
        else:
            os.environ["ADA_HOME"] = previous
    quarantine: dict[str, list[tuple[Any, ...]]] = {}
    staged: dict[str, int | None] = {}
    totals: dict[str, float | None] = {}
    try:
        for case in ALL:
            try:
                quarantine[case.name] = con.execute(
                    "SELECT source_file, line, column_name, reason, raw_record FROM "
                    f'staging.quarantine."{case.dataset_id}" ORDER BY line NULLS FIRST'
                ).fetchall()
            except duckdb.Error:
                quarantine[case.name] = []
            try:
                row = con.execute(
                    f'SELECT count(*) FROM staging."{SECTOR}"."{case.dataset_id}"'
                ).fetchone()
                staged[case.name] = int(row[0]) if row else None
                if case.total is not None:
                    total = con.execute(
                        f'SELECT sum(valor) FROM staging."{SECTOR}"."{case.dataset_id}"'
                    ).fetchone()
                    totals[case.name] = total[0] if total else None
            except duckdb.Error:
                staged[case.name] = None
    finally:
        con.close()
    return quarantine, staged, totals


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    home = tmp_path_factory.mktemp("badinput") / "home"
    landed = _prepare(home)
    digests = {c.name: _sha256(landed[c.name]) for c in ALL if not c.sparse}
    keys = " or ".join(
        f"key:{zone}/{SECTOR}/{c.dataset_id}"
        for c in ALL
        if c.name in THROUGH_CLI
        for zone in ("raw", "staging")
    )
    run = subprocess.run(
        [sys.executable, "-m", "ada", "run", "--select", keys],
        cwd=REPO,
        env=_environment(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    lines = _ingest_in_process(home, [c for c in ALL if c.name not in THROUGH_CLI])
    for case in (c for c in ALL if c.name in THROUGH_CLI):
        label = f"{SECTOR}/{case.dataset_id}"
        found = [ln for ln in output.splitlines() if re.search(rf"[✓✗] {label}(:|$)", ln)]
        lines[case.name] = found[-1] if found else ""
    quarantine, staged, totals = _collect_lake(home)
    raw_root = home / "lake" / "raw"
    raw = {
        c.name: {p.name: p for p in (raw_root / c.dataset_id).rglob("*") if p.is_file()}
        for c in ALL
    }
    return Outcome(output, lines, quarantine, staged, totals, raw, landed, digests)


def test_the_corpus_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.dataset_id for c in ALL}) == len(ALL)


def test_no_traceback_anywhere_in_the_run(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.output
    assert 'File "' not in outcome.output
    assert all(outcome.lines.values()), "every dataset reports one line"
    assert "Traceback" not in "".join(outcome.lines.values())


def test_other_datasets_go_on(outcome: Outcome) -> None:
    """The good dataset in the same run loads in full, whatever the bad ones did."""
    assert outcome.lines["control"].startswith("✓"), outcome.lines["control"]
    assert outcome.staged["control"] == 3


def _assert_raw_kept(outcome: Outcome, case: Case) -> None:
    kept = outcome.raw[case.name].get(case.file_name)
    assert kept is not None, f"{case.file_name} is not in the raw zone"
    assert _sha256(kept) == outcome.digests[case.name], "raw bytes differ from what was landed"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_a_specific_answer(outcome: Outcome, case: Case) -> None:
    line = outcome.lines[case.name]
    entries = outcome.quarantine[case.name]
    if case.expect == "refused":
        assert line.startswith("✗"), line
        for fragment in case.says:
            assert fragment in line, f"{fragment!r} not in {line!r}"
        assert outcome.raw[case.name] == {}, "an oversized file must not be copied"
        landed = outcome.landed[case.name]
        assert landed.stat().st_size == 2 * 2**30 and read_sample(landed).startswith(b"id,")
        return
    _assert_raw_kept(outcome, case)
    if case.expect == "file":
        assert line.startswith("✗"), line
        for fragment in case.says:
            assert fragment in line, f"{fragment!r} not in {line!r}"
        [(source, row, column, reason, _raw_record)] = entries
        assert source == case.file_name and row is None and column is None
        assert all(f in reason for f in case.says if f != case.file_name), reason
        assert outcome.staged[case.name] is None, "nothing is loaded from an unreadable file"
        return
    assert outcome.staged[case.name] == case.rows
    if case.expect == "loaded":
        assert line.startswith("✓"), line
        assert entries == []
        if case.total is not None:
            assert outcome.totals[case.name] == pytest.approx(case.total)
        return
    assert entries, "bad rows must be in quarantine"
    assert all(entry[0] == case.file_name for entry in entries)
    reasons = " | ".join(f"columna '{e[2]}': {e[3]}" if e[2] else e[3] for e in entries)
    for fragment in case.says:
        assert fragment in reasons, f"{fragment!r} not in {reasons!r}"
    if case.lines:
        assert sorted({entry[1] for entry in entries}) == list(case.lines)
    assert all(entry[4] for entry in entries), "the offending record is kept"


def test_the_size_limit_is_configurable(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """ADA_MAX_FILE_MB lowers (or raises) the limit; a file over it stays in landing."""
    from ada.settings import Zone
    from ingestion.delivery import DeliveryRefused, receive_deliveries
    from lake.storage import store_for

    spec = make_spec(**CONTROL.spec())
    landing = store_for(settings, Zone.LANDING)
    landing.put_bytes(f"{spec.id}/grande.csv", b"id\n" + b"1\n" * 600_000)
    landing.put_bytes(f"{spec.id}/chico.csv", b"id\n1\n")
    monkeypatch.setenv("ADA_MAX_FILE_MB", "1")
    with pytest.raises(DeliveryRefused, match=r"grande.csv: el archivo pesa 1 MB.*límite.*1 MB"):
        receive_deliveries(settings, spec)
    raw = [o.key for o in store_for(settings, Zone.RAW).list(f"{spec.id}/")]
    assert any(k.endswith("chico.csv") for k in raw), "the other delivery is still received"
    assert not any(k.endswith("grande.csv") for k in raw)
    monkeypatch.setenv("ADA_MAX_FILE_MB", "2")
    assert receive_deliveries(settings, spec).new
    monkeypatch.setenv("ADA_MAX_FILE_MB", "mucho")
    with pytest.raises(ValueError, match="ADA_MAX_FILE_MB debe ser un número entero"):
        receive_deliveries(settings, spec)


def test_a_stream_of_unknown_size_is_cut_at_the_limit(settings: Any) -> None:
    """When the source cannot say the size first (HTTP without Content-Length), the copy
    stops at the limit and leaves nothing behind in the raw zone."""
    import io

    from ada.settings import Zone
    from lake.raw import RawTooLarge, receive
    from lake.storage import store_for

    raw = store_for(settings, Zone.RAW)
    with pytest.raises(RawTooLarge):
        receive(
            raw,
            dataset_id="sin_tamano",
            spec_version=1,
            source="test",
            files=[("d.csv", io.BytesIO(b"x" * 3_000_000))],
            max_bytes=1_000_000,
        )
    assert raw.list("sin_tamano/") == []
