"""The ``ada`` command: run the platform from a terminal.

Errors are one clear line (``--debug`` shows the traceback); long work shows progress.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ada.settings import Settings, Zone, load_settings
from ada.token_cli import app as token_app
from privacy.cli import app as pii_app

if TYPE_CHECKING:
    from lake.access import Role

app = typer.Typer(
    name="ada",
    help="ADA: la plataforma de datos abiertos de la Agencia Analítica de Datos de Bogotá.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(pii_app, name="pii")
app.add_typer(token_app, name="token")
console = Console(stderr=True)
out = Console()
_DEBUG = {"on": False}


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks and Dagster logs.")
    ] = False,
) -> None:
    _DEBUG["on"] = debug


def _definitions():
    from orchestration.definitions import build_definitions

    return build_definitions()


# ------------------------------------------------------------------------------------------ run


def _run(settings: Settings, select: str | None, partitions: list[str] | None) -> bool:
    from ada.runner import UnitResult, plan_units, run_units
    from catalog.registry import load_registry

    registry = load_registry(settings.datasets_dir)
    for error in registry.errors:
        console.print(f"[yellow]ficha omitida[/] {error}")
    defs = _definitions()
    runnable = [s for s in registry.specs if s.status != "retired"]
    units = plan_units(defs, runnable, settings, select, partitions)
    if not units:
        raise typer.BadParameter(f"the selection {select!r} matches no dataset asset")
    failures: list[UnitResult] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("Materializando", total=len(units))

        def done(result: UnitResult) -> None:
            mark = "[green]✓[/]" if result.success else "[red]✗[/]"
            message = result.message.removeprefix(f"{result.unit.label}: ")
            detail = "" if result.success else f": {message}"
            progress.console.print(f"{mark} {result.unit.label}{detail}", highlight=False)
            if not result.success:
                failures.append(result)
            progress.advance(task)

        from ada.quiet import library_noise_hidden

        quiet = contextlib.nullcontext() if _DEBUG["on"] else library_noise_hidden()
        with quiet:
            level = "INFO" if _DEBUG["on"] else "CRITICAL"
            run_units(defs, units, settings, log_level=level, on_done=done)
    total = len(units)
    console.print(f"{total - len(failures)}/{total} runs succeeded ({settings.backend})")
    return not failures


@app.command()
def run(
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            "-s",
            help="Dagster asset selection, e.g. 'group:salud' or "
            "'key:staging/salud/*'. Default: everything.",
        ),
    ] = None,
    partition: Annotated[
        list[str] | None,
        typer.Option("--partition", "-p", help="Partition key (YYYY-MM-DD); repeatable."),
    ] = None,
) -> None:
    """Materialize assets in-process, with the same definitions the UI runs."""
    if not _run(load_settings(), select, partition):
        raise typer.Exit(1)


# -------------------------------------------------------------------------------------- samples


def _sync_into_landing(settings: Settings, generated_dir: Path) -> int:
    """Copy generated files into the landing area, skipping files whose bytes are unchanged."""
    from lake.storage import store_for

    landing = store_for(settings, Zone.LANDING)
    existing = {o.key: o.size for o in landing.list("")}
    copied = 0
    for path in sorted(p for p in generated_dir.rglob("*") if p.is_file()):
        key = path.relative_to(generated_dir).as_posix()
        unchanged = existing.get(key) == path.stat().st_size
        if unchanged and landing.get_bytes(key) == path.read_bytes():
            continue
        with path.open("rb") as stream:
            landing.put_stream(key, stream)
        copied += 1
    return copied


def _generate_samples(settings: Settings, rows: int, seed: int, only: list[str] | None) -> None:
    from lake.storage import ensure_buckets
    from samples.generator import generate

    settings = settings.for_ingestion()  # a publisher's delivery: the ingestion role writes it
    ensure_buckets(settings, [Zone.LANDING])
    status = console.status(f"Generando datos de muestra ({rows} filas, semilla {seed})...")
    with status, tempfile.TemporaryDirectory(prefix="ada-samples-") as tmp:
        files = generate(Path(tmp), rows=rows, seed=seed, only=only)
        copied = _sync_into_landing(settings, Path(tmp))
    console.print(f"{len(files)} sample files ({copied} new or changed) in the landing area")


@app.command()
def samples(
    rows: Annotated[int, typer.Option(help="Rows of the main (health) table.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 42,
    only: Annotated[str | None, typer.Option(help="Comma-separated dataset ids.")] = None,
) -> None:
    """Generate the sample district datasets into the landing area."""
    _generate_samples(load_settings(), rows, seed, only.split(",") if only else None)


# ------------------------------------------------------------------------------------------- ui


def _serve_ui(settings: Settings, host: str, port: int) -> None:
    from ada.instance import prepare_dagster_home

    prepare_dagster_home(settings)
    dagster = shutil.which("dagster", path=str(Path(sys.executable).parent)) or "dagster"
    url = f"http://{host}:{port}"
    console.print(f"[bold]Dagster UI:[/] {url}   (Ctrl+C para detener)")
    command = [dagster, "dev", "-m", "orchestration.definitions", "-h", host, "-p", str(port)]
    process = subprocess.Popen(command, env=os.environ.copy())

    def stop(signum: int, frame: object) -> None:
        # `dagster dev` shuts its webserver, daemon and code servers down cleanly on SIGINT.
        process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        process.wait()
    except KeyboardInterrupt:
        with contextlib.suppress(KeyboardInterrupt):
            process.wait(timeout=60)


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3000,
) -> None:
    """Start the Dagster UI (webserver and daemon) on this installation."""
    _serve_ui(load_settings(), host, port)


# ---------------------------------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core is a good start).")
    ] = 1,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh/--no-refresh",
            help="Rebuild the catalog from the specs, releases and reports before serving.",
        ),
    ] = True,
) -> None:
    """Start the catalog service: CKAN Action API, DCAT-AP/data.json/Atom and downloads."""
    from catalog.service.config import public_url_from_env
    from catalog.service.server import serve as serve_catalog

    settings = load_settings()
    public_url = public_url_from_env(f"http://{host}:{port}")
    os.environ["ADA_PUBLIC_URL"] = public_url  # the workers read it
    if refresh:
        from catalog.store import refresh_catalog

        result = refresh_catalog(settings, public_url)
        console.print(
            f"catálogo: {result.datasets} conjuntos publicados (versión {result.version}; "
            f"{len(result.unreleased)} fichas sin publicación)"
        )
    console.print(f"[bold]API del catálogo:[/] {public_url}/api/3/action/package_search")
    console.print(f"[bold]OpenAPI:[/] {public_url}/api/openapi.json   (Ctrl+C para detener)")
    serve_catalog(host, port, workers, log_level="info" if _DEBUG["on"] else "warning")


# ----------------------------------------------------------------------------------------- demo


@app.command()
def demo(
    rows: Annotated[int, typer.Option(help="Rows of the main sample table.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
    ui_: Annotated[
        bool, typer.Option("--ui/--no-ui", help="Start the Dagster UI and the portal at the end.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address of the UI and the portal.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Dagster UI port.")] = 3000,
    portal_port: Annotated[int, typer.Option(help="Portal and catalog API port.")] = 8080,
) -> None:
    """Generate the sample data, run the whole pipeline, and open the Dagster UI and the
    portal."""
    settings = load_settings()
    # The catalog's records carry download links: they must point at the portal started below.
    os.environ.setdefault("ADA_PUBLIC_URL", f"http://{host}:{portal_port}")
    console.print(f"ADA demo · ADA_HOME={settings.home} · {settings.backend}")
    _generate_samples(settings, rows, seed, None)
    ok = _run(settings, None, None)
    if not ok:
        console.print("[yellow]Some runs failed; the UI shows why.[/]")
    if ui_:
        portal = _start_portal(host, portal_port)
        try:
            _serve_ui(settings, host, port)
        finally:
            _stop(portal)
    elif not ok:
        raise typer.Exit(1)


def _start_portal(host: str, port: int) -> subprocess.Popen[bytes]:
    """``ada serve`` in the background, next to the Dagster UI."""
    command = [sys.executable, "-m", "ada", "serve", "--host", host, "--port", str(port)]
    process = subprocess.Popen(command, env=os.environ.copy(), start_new_session=True)
    console.print(f"[bold]Portal y API del catálogo:[/] http://{host}:{port}")
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# --------------------------------------------------------------------------------------- ingest


@app.command()
def ingest(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="File to ingest.")],
    dataset: Annotated[str, typer.Option(help="Dataset id (snake_case).")],
    sector: Annotated[str, typer.Option(help="District sector slug, e.g. salud, movilidad.")],
    run_now: Annotated[bool, typer.Option("--run", help="Run the dataset right away.")] = False,
    force: Annotated[bool, typer.Option(help="Overwrite an existing spec.")] = False,
) -> None:
    """Infer a spec from a file, write it for review, and put the file in the landing area."""
    from catalog.specs import Sector
    from ingestion.inference import infer_spec, render_spec_yaml
    from lake.storage import ensure_buckets, store_for

    try:
        sector_enum = Sector(sector)
    except ValueError:
        valid = ", ".join(s.value for s in Sector)
        raise typer.BadParameter(f"unknown sector '{sector}'; use one of: {valid}") from None
    settings = load_settings()
    target = settings.datasets_dir / sector_enum.value / f"{dataset}.yaml"
    if target.exists() and not force:
        raise typer.BadParameter(f"{target} already exists; use --force to overwrite it")
    with console.status(f"Inspecting {file.name}..."):
        spec, report = infer_spec(file, dataset, sector_enum)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_spec_yaml(spec, report), encoding="utf-8")
    publisher = settings.for_ingestion()
    ensure_buckets(publisher, [Zone.LANDING])
    with file.open("rb") as stream:
        store_for(publisher, Zone.LANDING).put_stream(f"{dataset}/{file.name}", stream)
    console.print(
        f"Spec written to {target} ({len(spec.schema_.columns)} columns, encoding "
        f"{report.encoding}, {report.rows_sampled} rows sampled); file placed in landing/{dataset}/"
    )
    for note in report.notes:
        console.print(f"  • {note}")
    if run_now:
        if not _run(settings, f"key:*/{sector_enum.value}/{dataset}", None):
            raise typer.Exit(1)
    else:
        console.print(f"Review it, then: ada run --select 'key:*/{sector_enum.value}/{dataset}'")


# ------------------------------------------------------------------------------------- datasets


@app.command()
def datasets() -> None:
    """List the dataset specs with their state in the lake."""
    from ada.status import dataset_states
    from catalog.registry import load_registry

    settings = load_settings()
    registry = load_registry(settings.datasets_dir)
    table = Table(title=f"Datasets ({settings.backend})")
    for column in (
        "dataset",
        "título",
        "formato",
        "fuente",
        "frecuencia",
        "raw",
        "staging",
        "cuarentena",
        "calidad",
        "estado",
    ):
        table.add_column(column)
    for state in dataset_states(settings, registry.specs):
        spec = state.spec
        table.add_row(
            spec.key,
            spec.publication.title[:40],
            spec.format.type,
            spec.source.kind,
            spec.update_frequency.value,
            state.raw_summary,
            state.staging_summary,
            str(state.quarantined) if state.quarantined is not None else "—",
            state.quality_summary,
            state.status,
        )
    out.print(table)
    for error in registry.errors:
        out.print(f"[red]ficha inválida[/] {error}")
    if registry.errors:
        raise typer.Exit(1)


@app.command()
def quality(
    dataset: Annotated[str, typer.Argument(help="Dataset id, e.g. notificaciones_salud.")],
) -> None:
    """Calidad de un conjunto: puntaje por criterio, sello, tendencia y reglas incumplidas."""
    from catalog.registry import load_registry
    from expectations.assessment import load_quality

    settings = load_settings()
    spec = load_registry(settings.datasets_dir).get(dataset)
    if spec is None:
        raise typer.BadParameter(f"no hay ficha para '{dataset}' (vea: ada datasets)")
    report = load_quality(settings, spec)
    if report is None:
        console.print(f"{spec.key}: sin evaluación de calidad todavía; ejecute: ada run")
        raise typer.Exit(1)
    out.print(
        f"[bold]{spec.key}[/] · puntaje {report['puntaje']} · sello {report['sello']} · "
        f"metadatos {report['metadatos']['puntaje']}/10 · {report['generated_at']}"
    )
    criteria = Table(title="Criterios (guía de calidad MinTIC, ISO/IEC 25012)")
    for column in ("criterio", "puntaje", "detalle", "cómo se calcula"):
        criteria.add_column(column)
    for c in report["criterios"]:
        score = "n/a" if c["puntaje"] is None else f"{c['puntaje']:.1f}"
        criteria.add_row(c["criterio"], score, c["detalle"], c["como_se_calcula"])
    out.print(criteria)
    failed = [r for r in report["reglas"] if not r["success"]]
    if failed:
        rules = Table(title="Reglas incumplidas")
        for column in ("regla", "severidad", "filas", "observado / ejemplos"):
            rules.add_column(column)
        for r in failed:
            rules.add_row(
                r["rule"].get("description") or r["rule"]["rule"],
                r["rule"].get("severity", "warning"),
                "" if r["unexpected"] is None else str(r["unexpected"]),
                r["error"] or r["observed"] or ", ".join(r["examples"]),
            )
        out.print(rules)
    trend = " → ".join(f"{p['puntaje']}" for p in report["tendencia"][-10:])
    out.print(f"tendencia: {trend}")
    out.print(
        f"cuarentena: {report['filas_en_cuarentena']} filas "
        f"(staging.quarantine.{spec.id}); Data Docs: {report.get('data_docs') or '—'}"
    )


# ---------------------------------------------------------------------------------------- stack

stack_app = typer.Typer(
    help=(
        "La pila nativa de producción: PostgreSQL, S3 (SeaweedFS) con una cubeta por zona y "
        "llaves por rol, el servidor de código, la interfaz y el daemon de Dagster, y el "
        "catálogo, como procesos locales en una carpeta."
    ),
    no_args_is_help=True,
)
app.add_typer(stack_app, name="stack")

StackDir = Annotated[
    Path | None,
    typer.Option(
        "--dir",
        help="Carpeta de la pila (por defecto ADA_STACK_DIR, o $ADA_HOME/stack).",
        file_okay=False,
    ),
]
PartNames = Annotated[
    list[str] | None,
    typer.Argument(help="Partes: s3, code-server, webserver, daemon, catalog (todas si no)."),
]


def _stack_root(folder: Path | None) -> Path:
    from ada.stack.control import default_root

    return folder.expanduser().resolve() if folder else default_root()


def _report(line: str) -> None:
    console.print(line, highlight=False, soft_wrap=True)  # one line per event, even in a log


def _role(name: str) -> Role:
    from lake.access import Role

    try:
        return Role(name)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise typer.BadParameter(f"rol desconocido '{name}'; use uno de: {roles}") from None


@stack_app.command("up")
def stack_up(
    folder: StackDir = None,
    host: Annotated[str, typer.Option(help="Dirección en que escuchan las partes.")] = "127.0.0.1",
    ui_port: Annotated[
        int, typer.Option(help="Puerto de la interfaz de Dagster (0: libre).")
    ] = 3000,
    catalog_port: Annotated[int, typer.Option(help="Puerto del catálogo (0: libre).")] = 8080,
    s3_port: Annotated[int, typer.Option(help="Puerto del servidor S3 (0: libre).")] = 8333,
    database: Annotated[
        str, typer.Option(help="Base de datos y rol de PostgreSQL de la plataforma.")
    ] = "ada",
) -> None:
    """Arranca lo que no esté en marcha y espera a que cada parte responda (los puertos y
    nombres se eligen la primera vez y se guardan en stack.json)."""
    from ada.stack.control import UpOptions, up

    if not database.isidentifier() or not database.islower():
        raise typer.BadParameter("la base de datos va en minúsculas, letras, cifras y _")
    options = UpOptions(host, ui_port, catalog_port, s3_port, database)
    stack = up(_stack_root(folder), options, _report)
    config = stack.config
    buckets = ", ".join(config.bucket(zone) for zone in Zone)
    out.print(f"[bold]Dagster UI:[/]       {config.ui_url}", highlight=False)
    out.print(f"[bold]API del catálogo:[/] {config.catalog_url}/api/3/action/package_search")
    out.print(f"[bold]S3:[/]               {config.s3_endpoint} (cubetas {buckets})")
    out.print(f"[bold]PostgreSQL:[/]       {stack.postgres_address()}", highlight=False)
    out.print(
        f"[bold]Llaves por rol:[/]   {stack.paths.secrets} · 'ada stack env ROL' da las "
        "variables de un rol",
        highlight=False,
    )


@stack_app.command("down")
def stack_down(parts: PartNames = None, folder: StackDir = None) -> None:
    """Detiene las partes (todas si no se nombran); PostgreSQL es del equipo y sigue."""
    from ada.stack.control import down

    down(_stack_root(folder), parts or [], _report)


@stack_app.command("restart")
def stack_restart(parts: PartNames = None, folder: StackDir = None) -> None:
    """Detiene las partes nombradas y vuelve a levantar la pila."""
    from ada.stack.control import restart

    restart(_stack_root(folder), parts or [], _report)


@stack_app.command("status")
def stack_status(folder: StackDir = None) -> None:
    """Qué corre y qué responde; sale con 1 si alguna parte no responde."""
    from ada.stack.control import status

    table = Table(title=f"Pila en {_stack_root(folder)}")
    for column in ("parte", "estado", "pid", "dirección"):
        table.add_column(column)
    parts = status(_stack_root(folder))
    for part in parts:
        if part.answers:
            state = "[green]responde[/]"
        elif part.pid is None and part.name != "postgres":
            state = "[red]detenida[/]"
        else:
            state = "[yellow]no responde[/]"
        table.add_row(part.name, state, str(part.pid or "—"), part.address)
    out.print(table)
    if not all(part.answers for part in parts):
        raise typer.Exit(1)


@stack_app.command("env")
def stack_env(
    role: Annotated[str, typer.Argument(help="ingestion, pipeline, catalog, analyst o admin.")],
    folder: StackDir = None,
) -> None:
    """Las variables de un rol para usar la pila desde una terminal (eval "$(ada stack env
    analyst)"): direcciones, cubetas y los archivos de sus secretos, nunca los valores."""
    import shlex

    from ada.stack.control import open_stack

    env = open_stack(_stack_root(folder)).role_env(_role(role))
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")


@stack_app.command("rotate-key")
def stack_rotate_key(
    role: Annotated[str, typer.Argument(help="ingestion, pipeline, catalog, analyst o admin.")],
    folder: StackDir = None,
) -> None:
    """Renueva las llaves S3 de un rol: reinicia el servidor S3 y las partes que las usan."""
    from ada.stack.control import rotate_key

    rotate_key(_stack_root(folder), _role(role), _report)


# ------------------------------------------------------------------------------------------ sql


@app.command()
def sql(
    query: Annotated[
        str,
        typer.Argument(
            help='Una consulta de solo lectura, p. ej. "SHOW ALL TABLES"; "-" la lee de stdin.'
        ),
    ],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, csv, parquet o json (JSON lines). Por defecto: table en una terminal, "
            "si no csv (o el que indique la extensión de --output).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", dir_okay=False, help="Archivo de salida (parquet lo exige)."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Máximo de filas; en formato table, filas mostradas (50)."),
    ] = None,
    zone: Annotated[
        list[str] | None,
        typer.Option(
            "--zone", "-z", help="Zona a consultar: curated (por defecto) u open; repetible."
        ),
    ] = None,
) -> None:
    """Consulta SQL de solo lectura sobre las tablas del lago: curated.<sector>.<conjunto>."""
    import pyarrow as pa
    from rich.markup import escape

    from ada.sql import (
        FORMATS,
        MAPS_AS_DICTS,
        analyst_zones,
        as_text,
        open_query,
        preview_query,
        write_csv,
        write_json_lines,
        write_parquet,
    )

    if query == "-":
        query = sys.stdin.read()
    suffixes = {".parquet": "parquet", ".json": "json", ".jsonl": "json", ".ndjson": "json"}
    if format_ is None and output is not None:
        format_ = suffixes.get(output.suffix.lower(), "csv")
    fmt = (format_ or ("table" if sys.stdout.isatty() else "csv")).lower()
    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato '{fmt}' desconocido; use {', '.join(FORMATS)}")
    if fmt == "table" and output is not None:
        raise typer.BadParameter("--output no aplica al formato table; use csv, parquet o json")
    if fmt == "parquet" and output is None:
        raise typer.BadParameter("el formato parquet necesita --output ARCHIVO.parquet")
    settings = load_settings()
    zones = analyst_zones(zone or [Zone.CURATED])
    if fmt == "table":
        rows, total = preview_query(settings, query, zones=zones, rows=limit or 50)
        grid = Table(show_lines=False)
        for field in rows.schema:
            numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
            numeric = numeric or pa.types.is_decimal(field.type)
            grid.add_column(escape(field.name), justify="right" if numeric else "left")
        for record in rows.to_pylist(**MAPS_AS_DICTS):
            cells = (as_text(v) for v in record.values())
            grid.add_row(*("[dim]NULL[/]" if c is None else escape(c) for c in cells))
        out.print(grid)
        shown = f" (mostrando {rows.num_rows})" if rows.num_rows < total else ""
        out.print(f"{total} {'fila' if total == 1 else 'filas'}{shown}")
        return
    try:
        with open_query(settings, query, zones=zones, limit=limit) as result:
            if fmt == "parquet":
                assert output is not None
                written = write_parquet(result, output)
            elif fmt == "csv":
                written = write_csv(result, output or sys.stdout.buffer)
            elif output is not None:
                with output.open("wb") as sink:
                    written = write_json_lines(result, sink)
            else:
                written = write_json_lines(result, sys.stdout.buffer)
    except BrokenPipeError:  # `ada sql ... | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    if output is not None:
        console.print(
            f"{written} {'fila escrita' if written == 1 else 'filas escritas'} en {output}"
        )


def main() -> None:
    """Entry point: one clear line on error, the traceback only with ``--debug``."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console.print("interrumpido")
        sys.exit(130)
    except Exception as exc:
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's usage errors
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            console.print_exception()
        else:
            console.print(f"[red]error:[/] {_one_line(exc)}  (--debug shows details)")
        sys.exit(1)


def _one_line(error: Exception) -> str:
    """What to tell people: a known fault (S3 down or refusing, Postgres restarted, disk full)
    in words they can act on, else the error's own message."""
    from lake.faults import explain_exception

    try:
        settings = load_settings()
    except Exception:
        return str(error)
    fault = explain_exception(error, settings)
    return fault.message if fault else settings.redact(str(error))
