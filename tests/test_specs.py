"""Dataset specs: every shipped spec loads, and bad specs fail naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.registry import SpecLoadError, load_registry, parse_spec
from catalog.specs import Dimension, Sector
from tests.helpers import REPO, make_spec, write_spec


def test_every_shipped_spec_is_valid() -> None:
    registry = load_registry(REPO / "catalog" / "datasets")
    assert registry.errors == ()
    assert len(registry.specs) >= 10, [s.id for s in registry.specs]


def test_shipped_specs_cover_the_six_dimensions_and_seven_sectors() -> None:
    specs = load_registry(REPO / "catalog" / "datasets").specs
    assert {s.publication.dimension for s in specs} == set(Dimension)
    assert len({s.sector for s in specs}) >= 7


def test_error_names_file_and_field(tmp_path: Path) -> None:
    text = (REPO / "catalog/datasets/salud/covid19_casos_osb.yaml").read_text(encoding="utf-8")
    broken = text.replace("type: integer", "type: entero", 1)
    path = tmp_path / "salud" / "covid19_casos_osb.yaml"
    with pytest.raises(SpecLoadError) as info:
        parse_spec(path, broken)
    message = str(info.value)
    assert str(path) in message
    assert "schema.columns[3].type" in message


def test_unknown_keys_are_rejected(tmp_path: Path) -> None:
    text = (REPO / "catalog/datasets/salud/covid19_casos_osb.yaml").read_text(encoding="utf-8")
    with pytest.raises(SpecLoadError, match=r"field 'format.delimitador'"):
        parse_spec(tmp_path / "x.yaml", text.replace("delimiter:", "delimitador:"))


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError, match="not valid YAML at line 2"):
        parse_spec(tmp_path / "x.yaml", "id: a\n  bad: [\n")


def test_primary_key_must_name_a_column() -> None:
    with pytest.raises(ValueError, match="primary_key names unknown columns: nope"):
        make_spec(schema={"columns": [{"name": "id"}], "primary_key": ["nope"]})


def test_registry_keeps_good_specs_and_reports_bad_ones(tmp_path: Path) -> None:
    write_spec(tmp_path, make_spec(id="bueno"))
    bad = tmp_path / "salud" / "malo.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("id: malo\nsector: salud\n", encoding="utf-8")
    misplaced = make_spec(id="fuera_de_lugar")
    path = write_spec(tmp_path, misplaced)
    path.rename(tmp_path / "salud" / "fuera_de_lugar.yaml")
    registry = load_registry(tmp_path)
    assert [s.id for s in registry.specs] == ["bueno"]
    messages = " ".join(str(e) for e in registry.errors)
    assert "malo.yaml" in messages and "field 'publication'" in messages
    assert "must be at 'gobierno/fuera_de_lugar.yaml'" in messages


def test_duplicate_ids_across_sectors_are_refused(tmp_path: Path) -> None:
    write_spec(tmp_path, make_spec(id="repetido", sector="salud"))
    write_spec(tmp_path, make_spec(id="repetido", sector="gobierno"))
    registry = load_registry(tmp_path)
    assert len(registry.specs) == 1
    assert "already used" in str(registry.errors[0])


def test_sector_list_is_the_districts_fifteen() -> None:
    assert len(Sector) == 15
