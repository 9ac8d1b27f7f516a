"""A small inline-SVG drawing kit for the report's figures.

Written by hand rather than through a plotting library: the report's figures are bars, lines and
intervals, and drawing them as plain SVG elements keeps a seed-sized report well under a second,
keeps the files small and makes equal inputs give byte-equal figures. Text stays text (selectable,
searchable, crisp in print) and is always escaped.
"""

from __future__ import annotations

import math
from html import escape

__all__ = ["Canvas", "nice_ticks", "number", "text_width"]

FONT = "-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
#: Average advance of a character at 1 px font size; enough to lay out labels without metrics.
CHAR_WIDTH = 0.56


def number(x: float) -> str:
    """A coordinate with two decimals at most, without trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` in px at font size ``size``."""
    return len(text) * size * CHAR_WIDTH


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 x 10^k) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + 1.0 if low == 0 else low + abs(low) * 0.1
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[0] > low:
        ticks.insert(0, round(ticks[0] - step, 10))
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


class Canvas:
    """SVG elements collected in drawing order, rendered as one ``<svg>`` element."""

    def __init__(self, width: float, height: float, *, label: str) -> None:
        self.width = width
        self.height = height
        self.label = label
        self.items: list[str] = []

    def line(self, x1, y1, x2, y2, *, stroke="#000", width=1.0, dash: str | None = None) -> None:
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        self.items.append(
            f'<line x1="{number(x1)}" y1="{number(y1)}" x2="{number(x2)}" y2="{number(y2)}" '
            f'stroke="{stroke}" stroke-width="{number(width)}"{dashes}/>'
        )

    def rect(self, x, y, w, h, *, fill: str, stroke: str | None = None, title: str = "") -> None:
        edge = f' stroke="{stroke}" stroke-width="0.5"' if stroke else ""
        tip = f"<title>{escape(title)}</title>" if title else ""
        close = f">{tip}</rect>" if tip else "/>"
        self.items.append(
            f'<rect x="{number(x)}" y="{number(y)}" width="{number(max(w, 0))}" '
            f'height="{number(max(h, 0))}" fill="{fill}"{edge}{close}'
        )

    def circle(self, x, y, r, *, fill: str, stroke: str | None = None) -> None:
        edge = f' stroke="{stroke}" stroke-width="0.8"' if stroke else ""
        self.items.append(
            f'<circle cx="{number(x)}" cy="{number(y)}" r="{number(r)}" fill="{fill}"{edge}/>'
        )

    def path(self, d: str, *, stroke="#000", width=1.0, fill="none", opacity=1.0) -> None:
        alpha = f' stroke-opacity="{number(opacity)}"' if opacity < 1 else ""
        self.items.append(
            f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{number(width)}"{alpha}/>'
        )

    def diamond(self, x, y, half_width, half_height, *, fill: str) -> None:
        points = (
            f"{number(x - half_width)},{number(y)} {number(x)},{number(y - half_height)} "
            f"{number(x + half_width)},{number(y)} {number(x)},{number(y + half_height)}"
        )
        self.items.append(f'<polygon points="{points}" fill="{fill}"/>')

    def text(
        self,
        x,
        y,
        text: str,
        *,
        size: float = 11,
        anchor: str = "start",
        weight: str = "normal",
        fill: str = "#1a1a1a",
        rotate: float | None = None,
    ) -> None:
        turn = f' transform="rotate({number(rotate)} {number(x)} {number(y)})"' if rotate else ""
        bold = ' font-weight="bold"' if weight == "bold" else ""
        self.items.append(
            f'<text x="{number(x)}" y="{number(y)}" font-size="{number(size)}" '
            f'text-anchor="{anchor}" fill="{fill}"{bold}{turn}>{escape(text)}</text>'
        )

    def render(self) -> str:
        return (
            f'<svg viewBox="0 0 {number(self.width)} {number(self.height)}" '
            f'width="{number(self.width)}" height="{number(self.height)}" role="img" '
            f'aria-label="{escape(self.label)}" font-family="{FONT}">'
            + "".join(self.items)
            + "</svg>"
        )
