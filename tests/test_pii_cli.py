"""`ada pii scan | redact | detect`: the command-line contract, run as users run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

PERSON = "Zoraida Quintanilla Barbosa"
EMAIL = "zoraida.quintanilla@correo.com.co"
PHONE = "315 777 8899"
CEDULA = "1.098.765.432"


def _ada(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ada", "pii", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_detect_answers_one_json_line_per_input_line_in_order() -> None:
    texts = [
        f"Mi nombre es {PERSON} y mi correo es {EMAIL}.",
        "La calidad del aire mejoró en Kennedy durante la semana.",
        f"Celular {PHONE}, cédula {CEDULA}.",
        "",
    ]
    stdin = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    result = _ada("detect", stdin=stdin)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(texts)
    answers = [json.loads(line) for line in lines]
    found = [
        {(t[e["start"] : e["end"]], e["type"]) for e in a["entities"]}
        for t, a in zip(texts, answers, strict=True)
    ]
    assert (PERSON, "PERSON") in found[0]
    assert (EMAIL, "EMAIL_ADDRESS") in found[0]
    assert found[1] == set()
    assert (PHONE, "PHONE_NUMBER") in found[2]
    assert (CEDULA, "CO_CEDULA") in found[2]
    assert answers[3] == {"entities": []}
    for answer in answers:
        for entity in answer["entities"]:
            assert set(entity) == {"start", "end", "type", "score"}
            assert isinstance(entity["start"], int) and isinstance(entity["score"], float)


def test_detect_names_the_line_that_is_not_json() -> None:
    result = _ada("detect", stdin='{"text": "hola"}\nno es json\n')
    assert result.returncode != 0
    assert "línea 2" in result.stderr + result.stdout


def test_redact_keeps_the_text_and_replaces_the_people() -> None:
    text = f"Buenos días, soy {PERSON}, C.C. {CEDULA}, escribo a {EMAIL} o al {PHONE}.\nGracias."
    result = _ada("redact", stdin=text)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for value in (PERSON, CEDULA, EMAIL, PHONE):
        assert value not in out
    for placeholder in ("<PERSONA>", "<DOCUMENTO>", "<CORREO>", "<TELEFONO>"):
        assert placeholder in out
    assert out.startswith("Buenos días, soy <PERSONA>")
    assert out.endswith("\nGracias.")


def test_scan_reports_columns_without_printing_values(tmp_path: Path) -> None:
    path = tmp_path / "contactos.csv"
    rows = ["nombre,correo,telefono,localidad,edad,casos"]
    people = ["Ana María Rojas", "Luis Carlos Pérez", "Diana Gómez Ruiz", "Jorge Iván Castro"]
    for i in range(40):
        person = people[i % 4]
        mail = f"persona{i}@correo.com"
        rows.append(f"{person},{mail},31{i:08d},Suba,{20 + i},{i}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = _ada("scan", str(path), "--json")
    assert result.returncode == 0, result.stderr
    report = {c["column"]: c for c in json.loads(result.stdout)["columns"]}
    assert report["nombre"]["entity"] == "PERSON" and report["nombre"]["personal"]
    assert report["correo"]["entity"] == "EMAIL_ADDRESS"
    assert report["telefono"]["entity"] == "PHONE_NUMBER"
    assert report["edad"]["role"] == "quasi"
    assert not report["casos"]["personal"]
    table = _ada("scan", str(path))
    assert table.returncode == 0
    for output in (result.stdout, table.stdout, table.stderr):
        assert "Rojas" not in output and "@correo.com" not in output and "3100000" not in output
