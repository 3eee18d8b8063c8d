"""Charts drawn on the server as SVG: the geometry is computed here, the markup is written by
the templates' macros (``templates/charts.html``), autoescaped like every other text.

No JavaScript and no charting library: a ranking of 20 localidades and a monthly series are
a few rectangles and polylines. Each chart carries its own text alternative (``<title>`` and
``<desc>`` referenced by ``aria-labelledby`` on an ``role="img"`` SVG) and every page that
shows one also shows the same numbers as a table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Format = Callable[[float], str]


@dataclass(frozen=True)
class Tick:
    """A gridline and its label, at ``position`` (x for bars, y for lines) in SVG units."""

    position: float
    text: str
    anchor: str = "middle"  # SVG text-anchor: the outermost x labels stay inside the chart


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown, or the "no data" text
    y: float
    width: float
    highlight: bool
    href: str | None


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row, on a common scale starting at zero."""

    width: int
    height: int
    label_width: int
    plot_width: int
    row_height: int
    top: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


@dataclass(frozen=True)
class BarItem:
    label: str
    value: float | None
    highlight: bool = False
    href: str | None = None


def nice_step(span: float, count: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values covering ``low``..``high``, the first at or below ``low``."""
    step = nice_step(high - low, count)
    start = math.floor(low / step) * step
    ticks = [start]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def bar_chart(
    items: Sequence[BarItem],
    *,
    fmt: Format,
    missing: str,
    width: int = 720,
    label_width: int = 200,
    row_height: int = 26,
    maximum: float | None = None,
) -> BarChart:
    """Bars for ``items`` in the given order; a missing value draws no bar and says so."""
    top, bottom, right = 8, 28, 70
    present = [item.value for item in items if item.value is not None]
    highest = maximum if maximum is not None else max(present, default=0.0)
    ticks = nice_ticks(0.0, highest if highest > 0 else 1.0, 4)
    scale_max = ticks[-1]
    plot_width = width - label_width - right
    bars = tuple(
        Bar(
            label=item.label,
            value=item.value,
            text=fmt(item.value) if item.value is not None else missing,
            y=top + index * row_height,
            width=0.0 if item.value is None else plot_width * max(item.value, 0) / scale_max,
            highlight=item.highlight,
            href=item.href,
        )
        for index, item in enumerate(items)
    )
    return BarChart(
        width=width,
        height=top + len(items) * row_height + bottom,
        label_width=label_width,
        plot_width=plot_width,
        row_height=row_height,
        top=top,
        bars=bars,
        ticks=tuple(Tick(label_width + plot_width * t / scale_max, fmt(t)) for t in ticks),
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # the x label (period, date)
    text: str  # the value as shown


@dataclass(frozen=True)
class Series:
    """One line: its polyline segments (a missing value breaks the line) and its points."""

    name: str
    segments: tuple[str, ...]  # SVG ``points`` attributes
    points: tuple[Point, ...]
    style: str  # "primary" or "secondary" (dashed): never told apart by colour alone


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: tuple[Series, ...]
    x_labels: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    thresholds: tuple[Tick, ...]  # horizontal reference lines (e.g. the seal levels)


def _label_positions(count: int, wanted: int = 6) -> list[int]:
    """Which of ``count`` x positions get a label: the first, the last and a few between."""
    if count <= wanted:
        return list(range(count))
    step = math.ceil((count - 1) / (wanted - 1))
    chosen = list(range(0, count - 1, step))
    if count - 1 - chosen[-1] < step / 2 and len(chosen) > 1:
        chosen.pop()
    return [*chosen, count - 1]


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    fmt: Format,
    y_min: float | None = None,
    y_max: float | None = None,
    thresholds: Sequence[tuple[float, str]] = (),
    width: int = 720,
    height: int = 280,
) -> LineChart:
    """Lines over the x positions ``labels``; the y scale covers the values (or the bounds)."""
    left, right, top, bottom = 64, 16, 12, 36
    values = [v for _, vs in series for v in vs if v is not None]
    low = y_min if y_min is not None else min([0.0, *values])
    high = y_max if y_max is not None else max(values, default=1.0)
    if high <= low:
        high = low + 1.0
    ticks = nice_ticks(low, high, 4) if y_max is None else _fixed_ticks(low, high)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def x_of(index: int) -> float:
        return left + (plot_w * index / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    drawn: list[Series] = []
    for position, (name, vs) in enumerate(series):
        points = tuple(
            Point(round(x_of(i), 1), round(y_of(v), 1), labels[i], fmt(v))
            for i, v in enumerate(vs)
            if v is not None
        )
        drawn.append(
            Series(
                name=name,
                segments=_segments(
                    [x_of(i) for i in range(len(vs))], [None if v is None else y_of(v) for v in vs]
                ),
                points=points,
                style="primary" if position == 0 else "secondary",
            )
        )
    return LineChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        series=tuple(drawn),
        x_labels=_x_labels(labels, x_of),
        y_ticks=tuple(Tick(round(y_of(t), 1), fmt(t)) for t in ticks),
        thresholds=tuple(
            Tick(round(y_of(v), 1), text) for v, text in thresholds if low <= v <= high
        ),
    )


def _x_labels(labels: Sequence[str], x_of: Callable[[int], float]) -> tuple[Tick, ...]:
    chosen = _label_positions(len(labels))
    ticks = []
    for i in chosen:
        anchor = "middle"
        if len(chosen) > 1 and i == chosen[0]:
            anchor = "start"
        elif len(chosen) > 1 and i == chosen[-1]:
            anchor = "end"
        ticks.append(Tick(round(x_of(i), 1), labels[i], anchor))
    return tuple(ticks)


def _fixed_ticks(low: float, high: float) -> list[float]:
    """Ticks for a fixed scale (a 0-10 score): round steps from ``low`` exactly to ``high``."""
    step = nice_step(high - low, 5)
    count = round((high - low) / step)
    return [low + step * i for i in range(count + 1)]


def _segments(xs: Sequence[float], ys: Sequence[float | None]) -> tuple[str, ...]:
    """Runs of consecutive present values as ``points`` strings; a lone point is a segment of
    one, which the template marks with its dot."""
    runs: list[list[str]] = [[]]
    for x, y in zip(xs, ys, strict=True):
        if y is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(f"{x:.1f},{y:.1f}")
    return tuple(" ".join(run) for run in runs if len(run) > 1)
