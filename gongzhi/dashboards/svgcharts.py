"""Small server-side charts for the monthly report: SVG text that WeasyPrint draws into the PDF.

Only what the report needs: a bar chart and a line chart with a value axis, category labels and CJK text.
Every coordinate is an integer computed in integer arithmetic (the value axis scales by exact integer
division), so that the same figures always draw the same file and a figure is never shifted by a float.
Values are integers in the chart's own unit; the caller passes how a value is written (``fmt``), e.g.
tenths of a percent written as "95.0%".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
INK = "#1f2328"
MUTED = "#5d6670"
GRID = "#d0d7de"
BAR = "#2f6fb0"
LINE = "#c0392b"


@dataclass(frozen=True)
class Frame:
    """The chart's size and the plot area inside its margins, all in SVG user units (px)."""

    width: int = 640
    height: int = 220
    left: int = 48
    right: int = 12
    top: int = 30
    bottom: int = 30

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def base(self) -> int:
        return self.top + self.plot_height


def nice_step(top: int, ticks: int = 4) -> int:
    """The smallest step of 1, 2 or 5 × 10^k with which ``ticks`` steps reach ``top`` (at least 1)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m * ticks >= top:
                return step * m
        step *= 10


def axis_top(values: Sequence[int], ticks: int = 4, floor: int = 0) -> tuple[int, int]:
    """(top of the value axis, step between its ticks) for non-negative values; small counts get one
    tick per unit (a month with at most 2 cases a day draws 0, 1, 2, not 0 to 4)."""
    highest = max([floor, *values, 1])
    ticks = min(ticks, highest)
    step = nice_step(highest, ticks)
    return step * ticks, step


def y_of(frame: Frame, value: int, top: int) -> int:
    """The y of ``value`` on an axis from 0 to ``top``, rounded half up in integers."""
    return frame.base - (2 * value * frame.plot_height + top) // (2 * top)


def _text(x: int, y: int, text: str, *, size: int = 11, anchor: str = "middle", fill: str = MUTED) -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f"font-family='{FONT}'>{escape(text)}</text>"
    )


def _open(frame: Frame, title: str, label: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{frame.width}" height="{frame.height}" '
        f'viewBox="0 0 {frame.width} {frame.height}" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">',
        _text(frame.left, 16, title, size=13, anchor="start", fill=INK),
    ]


def _value_axis(frame: Frame, top: int, step: int, fmt: Callable[[int], str]) -> list[str]:
    parts = []
    for value in range(0, top + 1, step):
        y = y_of(frame, value, top)
        parts.append(
            f'<line x1="{frame.left}" y1="{y}" x2="{frame.width - frame.right}" y2="{y}" '
            f'stroke="{GRID if value else MUTED}" stroke-width="1"/>'
        )
        parts.append(_text(frame.left - 6, y + 4, fmt(value), size=10, anchor="end"))
    return parts


def _empty(frame: Frame, parts: list[str], empty: str) -> str:
    parts.append(
        f'<rect x="{frame.left}" y="{frame.top}" width="{frame.plot_width}" height="{frame.plot_height}" '
        f'fill="none" stroke="{GRID}"/>'
    )
    parts.append(_text(frame.left + frame.plot_width // 2, frame.top + frame.plot_height // 2 + 5, empty, size=13))
    parts.append("</svg>")
    return "".join(parts)


def _slot_x(frame: Frame, index: int, count: int) -> tuple[int, int]:
    """The left edge and width of the ``index``-th of ``count`` equal slots along the plot."""
    left = frame.left + index * frame.plot_width // count
    return left, frame.left + (index + 1) * frame.plot_width // count - left


def _category_labels(frame: Frame, labels: Sequence[str], shown: Callable[[int], bool]) -> list[str]:
    parts = []
    for i, label in enumerate(labels):
        if shown(i):
            left, width = _slot_x(frame, i, len(labels))
            parts.append(_text(left + width // 2, frame.base + 16, label, size=10))
    return parts


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    fmt: Callable[[int], str] = str,
    empty: str = "",
    every: int = 1,
    frame: Frame | None = None,
) -> str:
    """Bars of non-negative integers, one per label; ``every``: label only every n-th category (and the
    last). When all values are 0 and ``empty`` is given, the plot says so instead (暂无数据)."""
    frame = frame or Frame()
    parts = _open(frame, title, title)
    if empty and not any(values):
        return _empty(frame, parts, empty)
    top, step = axis_top(values)
    parts += _value_axis(frame, top, step, fmt)
    for i, value in enumerate(values):
        if value <= 0:
            continue
        left, width = _slot_x(frame, i, len(values))
        gap = max(1, width // 5)
        y = y_of(frame, value, top)
        parts.append(
            f'<rect x="{left + gap}" y="{y}" width="{max(1, width - 2 * gap)}" height="{frame.base - y}" '
            f'fill="{BAR}"><title>{escape(labels[i])}: {escape(fmt(value))}</title></rect>'
        )
    last = len(labels) - 1
    parts += _category_labels(frame, labels, lambda i: i % every == 0 or i == last)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[int | None],
    fmt: Callable[[int], str] = str,
    top: int | None = None,
    empty: str = "",
    frame: Frame | None = None,
) -> str:
    """A line through the values (None: no value that month, the line breaks there), each point marked and
    written above. ``top`` fixes the axis (1000 for tenths of a percent); else it fits the values."""
    frame = frame or Frame(top=40)  # room above the plot for the values written over the points
    parts = _open(frame, title, title)
    known = [v for v in values if v is not None]
    if empty and not known:
        return _empty(frame, parts, empty)
    if top is None:
        top, step = axis_top(known)
    else:
        step = nice_step(top)
    parts += _value_axis(frame, top, step, fmt)
    points: list[tuple[int, int, int] | None] = []
    for i, value in enumerate(values):
        if value is None:
            points.append(None)
            continue
        left, width = _slot_x(frame, i, len(values))
        points.append((left + width // 2, y_of(frame, min(value, top), top), value))
    runs: list[list[tuple[int, int, int]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{x},{y}" for x, y, _v in run)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for point in points:
        if point is not None:
            x, y, value = point
            parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{LINE}"/>')
            parts.append(_text(x, y - 7, fmt(value), size=9, fill=INK))
    parts += _category_labels(frame, labels, lambda i: True)
    parts.append("</svg>")
    return "".join(parts)
