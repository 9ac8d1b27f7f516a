"""Report figures as inline SVG: diverging Likert bars and paired SNR/CNR plots (matplotlib Agg)."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["likert_figure", "paired_metric_figure"]

ARM_COLORS = {"conventional": "#7f7f7f", "enhanced": "#1f5fa8"}
STYLE = {
    "svg.fonttype": "none",  # keep text as text: smaller, searchable, prints crisply
    "svg.hashsalt": "readerstudy",  # stable element ids, so equal inputs give equal reports
    "font.family": "sans-serif",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    # Inline SVG in HTML needs neither the XML prologue, the RDF metadata nor namespace
    # declarations; dropping them leaves the report without a single external URL.
    text = re.sub(r"^.*?(<svg\b)", r"\1", text, count=1, flags=re.S)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    return re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)


def _likert_colors(q: int) -> list:
    cmap = matplotlib.colormaps["RdBu"]
    colors = [cmap(x) for x in np.linspace(0.1, 0.9, q)]
    if q % 2 == 1:
        colors[q // 2] = "#cfcfcf"  # RdBu's middle is near-white, invisible on paper
    return colors


def likert_figure(
    ratings: pd.DataFrame,
    sequence: str,
    criteria: list[str],
    scale: tuple[int, int],
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

    Returns
    -------
    str
        An ``<svg>`` element.

    References
    ----------
    .. [1] Heiberger RM, Robbins NB (2014). Design of diverging stacked bar charts for Likert
       scales and other applications. Journal of Statistical Software 57(5):1-32.
    """
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
    rows = [(c, a) for c in criteria for a in ("enhanced", "conventional")]
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

    y = np.arange(len(rows))[::-1] + np.repeat(np.arange(len(criteria))[::-1], 2) * 0.6
    colors = _likert_colors(q)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.0, 0.32 * len(rows) + 0.9))
        for j in range(q):
            ax.barh(y, share[:, j], left=starts[:, j], height=0.8, color=colors[j],
                    edgecolor="white", linewidth=0.4, label=str(categories[j]))  # fmt: skip
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(y, [f"{c.replace('_', ' ')} - {a}" for c, a in rows])
        ax.set_xlabel("% of scores (left: below the scale's middle, right: above)")
        limit = max(100.0 - below.min(), below.max(), 50.0)
        ax.set_xlim(-limit, limit)
        ax.set_title(sequence, loc="left", fontweight="bold")
        ax.legend(title="score", ncols=q, loc="lower right", frameon=False,
                  bbox_to_anchor=(1.0, 1.0), fontsize=7, title_fontsize=7)  # fmt: skip
        return _svg(fig)


def paired_metric_figure(metrics: pd.DataFrame, metric: str, sequences: list[str]) -> str:
    """Paired (before/after) plot of one ROI metric, one panel per sequence.

    Each case is a grey line from its conventional to its enhanced value; the arm means are
    drawn on top.

    Parameters
    ----------
    metrics : DataFrame
        Long ROI metrics ``case, sequence, arm, metric, value``.
    metric : str
        Metric to draw (e.g. ``snr_white_matter``).
    sequences : list of str
        Panels, in order.

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    unit = metrics[metrics["metric"] == metric]
    wide = unit.set_index(["sequence", "case", "arm"])["value"].unstack("arm").dropna()
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(sequences), figsize=(2.3 * len(sequences), 2.4), squeeze=False, sharey=True
        )
        for ax, sequence in zip(axes[0], sequences, strict=True):
            ax.set_title(sequence)
            ax.set_xticks([0, 1], ["conventional", "enhanced"])
            ax.set_xlim(-0.3, 1.3)
            if sequence not in wide.index.get_level_values(0):
                continue
            pairs = wide.loc[sequence]
            conv = pairs["conventional"].to_numpy()
            enh = pairs["enhanced"].to_numpy()
            # One path with NaN breaks instead of a line per case keeps the SVG small.
            xs = np.tile([0.0, 1.0, np.nan], conv.size)
            ys = np.column_stack([conv, enh, np.full(conv.size, np.nan)]).ravel()
            ax.plot(xs, ys, color="#9a9a9a", linewidth=0.4, alpha=0.6)
            ax.plot([0, 1], [conv.mean(), enh.mean()], color="black", linewidth=1.6,
                    marker="o", markersize=4)  # fmt: skip
        axes[0][0].set_ylabel(metric.replace("_", " ").replace("snr", "SNR").replace("cnr", "CNR"))
        return _svg(fig)
