"""The report's figures as inline SVG: diverging Likert bars, paired SNR/CNR plots, forest plots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from readerstudy.analysis.report.svg import Canvas, nice_ticks, number, text_width
from readerstudy.studies.vocabulary import ARMS, CONVENTIONAL, ENHANCED

__all__ = [
    "ForestRow",
    "forest_figure",
    "likert_figure",
    "metric_label",
    "paired_metric_figure",
]

ARM_COLORS = {CONVENTIONAL: "#7f7f7f", ENHANCED: "#1f5fa8"}
ARM_NAMES = {CONVENTIONAL: "conventional", ENHANCED: "enhanced"}
# A red-grey-blue diverging palette (ColorBrewer RdBu ends, a grey middle that prints).
_LIKERT_ANCHORS = np.array(
    [[178, 24, 43], [239, 138, 98], [207, 207, 207], [103, 169, 207], [33, 102, 172]], dtype=float
)
GRID = "#e3e3e3"
INK = "#1a1a1a"
MUTED = "#555"


def metric_label(metric: str, cnr_pairs: list | None = None) -> str:
    """``snr_white_matter`` -> ``SNR, white matter``; ``cnr_lesion_white_matter`` -> ``CNR,
    lesion vs white matter`` (split at a configured CNR pair when one matches)."""
    for kind, name in (("snr_", "SNR"), ("cnr_", "CNR")):
        if metric.startswith(kind):
            rest = metric[len(kind) :]
            if kind == "cnr_":
                for a, b in cnr_pairs or []:
                    if rest == f"{a}_{b}":
                        return f"CNR, {a.replace('_', ' ')} vs {b.replace('_', ' ')}"
            return f"{name}, {rest.replace('_', ' ')}"
    return metric.replace("_", " ")


def _likert_colors(q: int) -> list[str]:
    positions = np.linspace(0.0, 4.0, q)
    colors = []
    for p in positions:
        i = min(int(np.floor(p)), 3)
        rgb = _LIKERT_ANCHORS[i] + (p - i) * (_LIKERT_ANCHORS[i + 1] - _LIKERT_ANCHORS[i])
        colors.append("#" + "".join(f"{round(c):02x}" for c in rgb))
    return colors


def likert_figure(
    ratings: pd.DataFrame,
    sequence: str,
    criteria: list[str],
    scale: tuple[int, int],
    labels: dict[str, str] | None = None,
) -> str:
    """Diverging stacked bars of the score distribution per criterion x arm for one sequence.

    Each bar shows the percentage of scores in each category, centred on the middle of the
    scale (the middle category of an odd scale is split across zero), so bars shifted to the
    right mean better scores.

    Parameters
    ----------
    ratings : DataFrame
        Validated tidy ratings.
    sequence : str
        Sequence to draw.
    criteria : list of str
        Criteria in display order.
    scale : (int, int)
        Lowest and highest score; every category gets a colour.
    labels : dict, optional
        Display labels of the criteria.

    Returns
    -------
    str
        An ``<svg>`` element.

    References
    ----------
    .. [1] Heiberger RM, Robbins NB (2014). Design of diverging stacked bar charts for Likert
       scales and other applications. Journal of Statistical Software 57(5):1-32.
    """
    labels = labels or {}
    low, high = scale
    categories = np.arange(low, high + 1)
    q = categories.size
    unit = ratings[ratings["sequence"] == sequence]
    counts = (
        unit.groupby(["criterion", "arm"])["score"]
        .value_counts()
        .unstack("score")
        .reindex(columns=categories, fill_value=0)
        .fillna(0)
    )
    rows = [(c, a) for c in criteria for a in (ENHANCED, CONVENTIONAL)]
    counts = counts.reindex(pd.MultiIndex.from_tuples(rows), fill_value=0).fillna(0)
    totals = counts.sum(axis=1).replace(0, np.nan)
    share = counts.div(totals, axis=0).fillna(0).to_numpy() * 100.0
    middle = (q - 1) / 2.0
    below = share[:, : int(np.floor(middle))].sum(axis=1)
    if q % 2 == 1:
        below = below + share[:, int(middle)] / 2.0
    starts = -below[:, None] + np.concatenate(
        [np.zeros((len(rows), 1)), share.cumsum(axis=1)[:, :-1]], axis=1
    )
    names = [f"{labels.get(c, c.replace('_', ' '))} · {ARM_NAMES[a]}" for c, a in rows]
    left = max(text_width(n, 10) for n in names) + 12
    bar, gap, top = 13.0, 7.0, 34.0
    plot_w = 430.0
    height = top + len(rows) * bar + (len(criteria) - 1) * gap + 40
    canvas = Canvas(left + plot_w + 16, height, label=f"{sequence}: score distributions")
    limit = max(100.0 - float(below.min()), float(below.max()), 50.0)

    def x(value: float) -> float:
        return left + (value + limit) / (2 * limit) * plot_w

    colors = _likert_colors(q)
    canvas.text(left, 13, sequence, size=12, weight="bold")
    legend_x = left + plot_w
    for j in range(q - 1, -1, -1):
        legend_x -= 30
        canvas.rect(legend_x, 5, 10, 10, fill=colors[j])
        canvas.text(legend_x + 13, 14, str(categories[j]), size=10)
    canvas.text(legend_x - 6, 14, "score:", size=10, anchor="end", fill=MUTED)
    for tick in nice_ticks(-limit, limit, 8):
        if abs(tick) <= limit + 1e-9:
            canvas.line(x(tick), top - 4, x(tick), height - 34, stroke=GRID, width=0.6)
            canvas.text(x(tick), height - 22, f"{abs(tick):g}", size=9, anchor="middle")
    y = top
    for i, (name, (_, arm)) in enumerate(zip(names, rows, strict=True)):
        if i and arm == ENHANCED:
            y += gap
        canvas.text(left - 6, y + bar * 0.75, name, size=10, anchor="end")
        for j in range(q):
            if share[i, j] > 0:
                tip = f"{name}: score {categories[j]}, {share[i, j]:.1f}%"
                canvas.rect(x(starts[i, j]), y + 1, x(share[i, j]) - x(0), bar - 2,
                            fill=colors[j], stroke="#fff", title=tip)  # fmt: skip
        y += bar
    canvas.line(x(0), top - 4, x(0), y + 2, stroke=INK, width=0.8)
    canvas.text(
        left + plot_w / 2, height - 6,
        "% of scores (left: below the scale's middle; right: above)", size=9, anchor="middle",
        fill=MUTED,
    )  # fmt: skip
    return canvas.render()


def paired_metric_figure(
    metrics: pd.DataFrame, metric: str, sequences: list[str], *, label: str | None = None
) -> str:
    """Paired (before/after) plot of one ROI metric, one panel per sequence with its own y-axis.

    Each case is a grey line from its conventional to its enhanced value; the arm means are
    drawn on top in black. Sequences differ in signal level, so each panel is scaled to its own
    values; compare slopes within a panel, not heights across panels.

    Parameters
    ----------
    metrics : DataFrame
        Long ROI metrics ``case, sequence, arm, metric, value``.
    metric : str
        Metric to draw (e.g. ``snr_white_matter``).
    sequences : list of str
        Panels, in order.
    label : str, optional
        Axis label (default from the metric's key).

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    unit = metrics[metrics["metric"] == metric]
    wide = unit.set_index(["sequence", "case", "arm"])["value"].unstack("arm")
    wide = wide.reindex(columns=list(ARMS)).dropna()
    present = set(wide.index.get_level_values(0))
    panel_w, panel_h, left, top = 150.0, 150.0, 44.0, 22.0
    canvas = Canvas(
        len(sequences) * (panel_w + left) + 8, top + panel_h + 40, label=label or metric
    )
    for p, sequence in enumerate(sequences):
        x0 = p * (panel_w + left) + left
        canvas.text(x0 + panel_w / 2, 13, sequence, size=11, weight="bold", anchor="middle")
        canvas.line(x0, top, x0, top + panel_h, stroke=INK, width=0.8)
        canvas.line(x0, top + panel_h, x0 + panel_w, top + panel_h, stroke=INK, width=0.8)
        xs = (x0 + panel_w * 0.2, x0 + panel_w * 0.8)
        for arm, xa in zip(ARMS, xs, strict=True):
            canvas.text(xa, top + panel_h + 14, ARM_NAMES[arm], size=9, anchor="middle")
        if sequence not in present:
            canvas.text(x0 + panel_w / 2, top + panel_h / 2, "no data", size=9, anchor="middle")
            continue
        pairs = wide.loc[sequence]
        conv = pairs[CONVENTIONAL].to_numpy()
        enh = pairs[ENHANCED].to_numpy()
        lo, hi = float(min(conv.min(), enh.min())), float(max(conv.max(), enh.max()))
        ticks = nice_ticks(lo, hi, 4)
        y_lo, y_hi = ticks[0], ticks[-1]

        def y(value, y_lo=y_lo, y_hi=y_hi):
            return top + panel_h - (value - y_lo) / (y_hi - y_lo or 1.0) * panel_h

        for tick in ticks:
            canvas.line(x0 - 3, y(tick), x0, y(tick), stroke=INK, width=0.8)
            canvas.text(x0 - 5, y(tick) + 3, f"{tick:g}", size=9, anchor="end")
        # One path for every case keeps the SVG small.
        d = "".join(
            f"M{number(xs[0])} {number(y(a))}L{number(xs[1])} {number(y(b))}"
            for a, b in zip(conv, enh, strict=True)
        )
        canvas.path(d, stroke="#9a9a9a", width=0.5, opacity=0.6)
        means = (float(conv.mean()), float(enh.mean()))
        canvas.path(
            f"M{number(xs[0])} {number(y(means[0]))}L{number(xs[1])} {number(y(means[1]))}",
            stroke=INK, width=1.8,
        )  # fmt: skip
        for xa, m in zip(xs, means, strict=True):
            canvas.circle(xa, y(m), 3.2, fill=INK)
    canvas.text(
        10, top + panel_h / 2, label or metric.replace("_", " "), size=10, anchor="middle",
        rotate=-90,
    )  # fmt: skip
    return canvas.render()


@dataclass(frozen=True)
class ForestRow:
    """One line of a forest plot: an estimate with its interval; ``pooled`` rows are bold."""

    label: str
    estimate: float | None
    low: float | None
    high: float | None
    pooled: bool = False
    note: str = ""


def forest_figure(
    rows: list[ForestRow],
    *,
    title: str,
    axis_label: str,
    references: tuple[tuple[float, str, str], ...] = ((0.0, "no difference", INK),),
) -> str:
    """A forest plot: each row's estimate and interval on one horizontal scale.

    Parameters
    ----------
    rows : list of ForestRow
        Top to bottom; rows without an estimate are listed with "not estimable".
    title : str
        Drawn above the plot.
    axis_label : str
        Label of the horizontal axis.
    references : tuple of (value, label, colour)
        Vertical reference lines, e.g. 0 and the non-inferiority margin's ``-margin``.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    values = [v for r in rows for v in (r.estimate, r.low, r.high) if v is not None]
    values += [value for value, _, _ in references]
    lo, hi = (min(values), max(values)) if values else (-1.0, 1.0)
    pad = (hi - lo) * 0.05 or 0.5
    ticks = nice_ticks(lo - pad, hi + pad, 6)
    x_lo, x_hi = ticks[0], ticks[-1]
    left = max([text_width(r.label, 10) for r in rows] + [40]) + 14
    notes = max([text_width(r.note, 10) for r in rows] + [0]) + 12
    plot_w, row_h, top = 330.0, 15.0, 40.0
    height = top + len(rows) * row_h + 38
    canvas = Canvas(left + plot_w + notes, height, label=title)

    def x(value: float) -> float:
        return left + (value - x_lo) / (x_hi - x_lo) * plot_w

    canvas.text(4, 13, title, size=12, weight="bold")
    bottom = top + len(rows) * row_h
    for tick in ticks:
        canvas.line(x(tick), top - 4, x(tick), bottom, stroke=GRID, width=0.6)
        canvas.text(x(tick), bottom + 13, f"{tick:g}", size=9, anchor="middle")
    for value, name, color in references:
        canvas.line(x(value), top - 8, x(value), bottom, stroke=color, width=1.0,
                    dash=None if value == 0 else "4 3")  # fmt: skip
        canvas.text(x(value), top - 11, name, size=9, anchor="middle", fill=color)
    for i, row in enumerate(rows):
        y = top + i * row_h + row_h / 2
        weight = "bold" if row.pooled else "normal"
        canvas.text(left - 6, y + 3.5, row.label, size=10, anchor="end", weight=weight)
        if row.note:
            canvas.text(left + plot_w + 8, y + 3.5, row.note, size=10, weight=weight)
        if row.estimate is None:
            canvas.text(left + 4, y + 3.5, "not estimable", size=9, fill=MUTED)
            continue
        color = INK if row.pooled else "#6b6b6b"
        if row.low is not None and row.high is not None:
            canvas.line(x(row.low), y, x(row.high), y, stroke=color,
                        width=2.0 if row.pooled else 1.0)  # fmt: skip
        if row.pooled:
            canvas.diamond(x(row.estimate), y, 5, 5, fill=INK)
        else:
            canvas.rect(x(row.estimate) - 2.5, y - 2.5, 5, 5, fill=color)
    canvas.line(left, bottom, left + plot_w, bottom, stroke=INK, width=0.8)
    canvas.text(left + plot_w / 2, bottom + 28, axis_label, size=9, anchor="middle", fill=MUTED)
    return canvas.render()
