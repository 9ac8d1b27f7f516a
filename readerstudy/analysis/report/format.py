"""Number formatting, table markup and figure/table numbering shared by the report's sections."""

from __future__ import annotations

from html import escape

__all__ = ["Numbering", "ci", "format_p", "label", "mean_sd", "median_iqr", "num", "table"]


class Numbering:
    """Table and figure numbers in the order the report shows them."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def format_p(p: float | None) -> str:
    """P value as journals print it: ``<0.001`` or three decimals; an en dash when missing."""
    if p is None:
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def mean_sd(d: dict, digits: int = 2) -> str:
    if d["mean"] is None:
        return "–"
    sd = "–" if d["sd"] is None else f"{d['sd']:.{digits}f}"
    return f"{d['mean']:.{digits}f} ± {sd}"


def median_iqr(d: dict) -> str:
    if d["median"] is None:
        return "–"
    return f"{d['median']:.2f} [{d['q1']:.2f}–{d['q3']:.2f}]"


def ci(interval: list | None, digits: int = 2) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return "–"
    return f"{interval[0]:.{digits}f} to {interval[1]:.{digits}f}"


def label(key: str) -> str:
    return key.replace("_", " ")


def _cell(value) -> str:
    """Escape a cell; a list becomes one line per item."""
    if isinstance(value, list):
        return "<br>".join(escape(str(v)) for v in value)
    return escape(str(value))


def table(caption: str, header: list[str], rows: list[list], classes=None, left=1) -> str:
    """An HTML table; every cell is escaped here, so callers pass plain text (or lists)."""
    classes = classes or [""] * len(rows)
    head = "".join(
        f'<th class="l">{escape(h)}</th>' if i < left else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for row, cls in zip(rows, classes, strict=True):
        cells = "".join(
            f'<td class="l">{_cell(c)}</td>' if i < left else f"<td>{_cell(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f'<tr class="{cls}">{cells}</tr>' if cls else f"<tr>{cells}</tr>")
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
