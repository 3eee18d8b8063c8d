"""A local file named by the spec (for instance a shared folder or a mounted export)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from ada.settings import PROJECT_ROOT, Settings
from catalog.specs import DatasetSpec, FileSource
from ingestion.sources.base import DeliveredFile, Delivery, SourceError

_VAR = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?::-(?P<default>[^}]*))?\}")


def expand_path(template: str, partition: str | None = None) -> Path:
    """Expand ``${VAR:-default}`` and ``{partition}``; relative paths are project-relative."""

    def substitute(match: re.Match[str]) -> str:
        value = os.environ.get(match["name"]) or match["default"]
        if value is None:
            raise SourceError(
                f"the source path uses ${{{match['name']}}}, which is not set and has no default"
            )
        return value

    expanded = _VAR.sub(substitute, template)
    if partition is not None:
        expanded = expanded.replace("{partition}", partition)
    path = Path(expanded).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path).resolve()


def fetch_file(spec: DatasetSpec, settings: Settings, partition: str | None) -> Iterator[Delivery]:
    assert isinstance(spec.source, FileSource)
    path = expand_path(spec.source.path, partition)
    if not path.is_file():
        raise SourceError(
            f"{spec.key}: the source file {path} does not exist; check 'source.path' in the spec"
        )
    origin = f"file://{path}"
    size = path.stat().st_size
    yield Delivery(origin, [DeliveredFile(path.name, lambda: path.open("rb"), origin, size)])
