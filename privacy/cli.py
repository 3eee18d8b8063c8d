"""``ada pii``: scan a file's columns, redact text, detect spans (JSON lines), from the shell.

None of these commands ever prints a personal value found in the input: ``scan`` reports
per column the kind of data, the share of sampled values that match and the suggested
operator; ``redact`` prints the text with placeholders; ``detect`` prints offsets and types.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    import pyarrow as pa

app = typer.Typer(
    help="Datos personales: escanear columnas, anonimizar texto, detectar entidades.",
    no_args_is_help=True,
)

#: What ``scan`` suggests for a column of each role when the spec has no policy yet.
SUGGESTED = {"direct": "pseudonym o drop", "free_text": "redact", "quasi": "generalize"}


def _sample_table(path: Path, rows: int) -> tuple[pa.Table, int, bool]:
    """A sample of the file as text columns, read with the same samplers as ``ada ingest``."""
    import pyarrow as pa

    from ingestion.inference.sampling import sample_file

    sample, _ = sample_file(path, rows)
    return pa.table(sample.columns, names=sample.raw_headers), sample.rows, sample.truncated


@app.command()
def scan(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, XLSX, JSON o Parquet.")
    ],
    sample: Annotated[
        int, typer.Option(help="Filas a muestrear (no se lee el archivo entero).")
    ] = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="Salida en JSON.")] = False,
) -> None:
    """Per-column report: kind of personal data, share of matches, confidence, suggestion."""
    from privacy.structured.classification import classify_columns

    table, rows, truncated = _sample_table(file, sample)
    findings = classify_columns(table)
    report: list[dict[str, Any]] = [
        {
            "column": f.column,
            "entity": f.entity,
            "role": f.role,
            "personal": f.personal,
            "share": round(f.share, 3),
            "confidence": round(f.confidence, 3),
            "evidence": f.evidence,
            "suggested_operator": SUGGESTED.get(f.role or "", "keep"),
        }
        for f in findings
    ]
    if as_json:
        typer.echo(
            json.dumps(
                {"file": file.name, "sampled_rows": rows, "columns": report}, ensure_ascii=False
            )
        )
        return
    typer.echo(f"{file.name}: {rows} filas muestreadas{' (muestra)' if truncated else ''}")
    width = max((len(r["column"]) for r in report), default=6)
    typer.echo(
        f"{'columna':<{width}}  {'entidad':<22} {'rol':<9} {'coinc.':>6} {'conf.':>5}  sugerencia"
    )
    for r in report:
        typer.echo(
            f"{r['column']:<{width}}  {r['entity'] or '-':<22} {r['role'] or '-':<9} "
            f"{r['share']:>6.0%} {r['confidence']:>5.2f}  {r['suggested_operator']}"
        )
    personal = [r["column"] for r in report if r["personal"]]
    if personal:
        typer.echo(f"Columnas personales: {', '.join(personal)} (requieren política en la ficha)")


@app.command()
def redact() -> None:
    """Text on stdin, the same text with <PERSONA>, <DOCUMENTO>... placeholders on stdout."""
    from privacy.text.redaction import redact_texts

    lines = sys.stdin.read().split("\n")
    sys.stdout.write("\n".join(redact_texts(lines)))


@app.command()
def detect(
    threshold: Annotated[float, typer.Option(help="Puntaje mínimo (0-1).")] = 0.4,
) -> None:
    """JSON lines in (``{"text": ...}``), one JSON line out per input line, in order."""
    from privacy.text.detector import detect as detect_spans

    texts: list[str] = []
    for number, line in enumerate(sys.stdin, start=1):
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise typer.BadParameter(
                f'línea {number}: se esperaba un objeto JSON {{"text": "..."}}'
            ) from None
        texts.append(text)
    for spans in detect_spans(texts, threshold=threshold):
        entities = [
            {"start": s.start, "end": s.end, "type": s.type, "score": round(s.score, 4)}
            for s in spans
        ]
        sys.stdout.write(json.dumps({"entities": entities}) + "\n")
