"""Loading and validating the dataset specs under ``catalog/datasets/<sector>/<id>.yaml``.

A broken spec never takes the platform down: :func:`load_specs` returns the good specs and a
list of :class:`SpecError` that name the file and the field, so the UI and ``ada datasets`` can
show exactly what to fix while every other dataset keeps running.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from catalog.specs import DatasetSpec

#: The same safe YAML loader, in C when PyYAML was built with libyaml.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class SpecError:
    """A spec file that could not be loaded, with a message a publisher can act on."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class SpecLoadError(ValueError):
    """Raised by :func:`load_spec` when one spec is invalid."""

    def __init__(self, error: SpecError) -> None:
        super().__init__(str(error))
        self.error = error


def _field_path(loc: tuple[object, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            name = "schema" if item == "schema_" else str(item)
            parts.append(("." if parts else "") + name)
    return "".join(parts)


def _describe(error: ValidationError) -> str:
    lines = []
    for issue in error.errors(include_url=False):
        where = _field_path(issue["loc"]) or "(root)"
        lines.append(f"field '{where}': {issue['msg']}")
    return "; ".join(lines)


def parse_spec(path: Path, text: str) -> DatasetSpec:
    """Validate the YAML text of one spec; errors name ``path`` and the offending field."""
    try:
        # libyaml's loader when built in: ~10x faster, and every pipeline step loads every spec.
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise SpecLoadError(SpecError(path, f"not valid YAML{where}: {err}")) from None
    if not isinstance(data, dict):
        raise SpecLoadError(SpecError(path, "a spec must be a YAML mapping"))
    try:
        spec = DatasetSpec.model_validate(data)
    except ValidationError as err:
        raise SpecLoadError(SpecError(path, _describe(err))) from None
    return spec


def load_spec(path: Path) -> DatasetSpec:
    return parse_spec(path, path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Registry:
    """All specs found in a folder, the valid ones and the errors."""

    specs: tuple[DatasetSpec, ...]
    errors: tuple[SpecError, ...]

    def get(self, dataset_id: str) -> DatasetSpec:
        for spec in self.specs:
            if dataset_id in (spec.id, spec.key):
                return spec
        known = ", ".join(s.id for s in self.specs) or "none"
        raise KeyError(f"no dataset '{dataset_id}' (known: {known})")

    @property
    def active(self) -> tuple[DatasetSpec, ...]:
        return tuple(s for s in self.specs if s.status == "active")


def load_registry(folder: Path) -> Registry:
    """Load every ``*.yaml`` under ``folder``; ids must be unique across sectors."""
    specs: list[DatasetSpec] = []
    errors: list[SpecError] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*/*.yaml")):
        try:
            spec = load_spec(path)
        except SpecLoadError as err:
            errors.append(err.error)
            continue
        expected = Path(spec.sector.value) / f"{spec.id}.yaml"
        if path.relative_to(folder) != expected:
            errors.append(SpecError(path, f"must be at '{expected}' to match its sector and id"))
            continue
        if spec.id in seen:
            errors.append(SpecError(path, f"id '{spec.id}' is already used by {seen[spec.id]}"))
            continue
        seen[spec.id] = path
        specs.append(spec)
    return Registry(tuple(specs), tuple(errors))
