"""The self-contained, printable HTML report: the tables a radiology journal expects, figures.

Tables and figures are numbered in the order they appear; captions use the study's labels.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from readerstudy.analysis.report.format import Numbering, ci, format_p, label, mean_sd, num, table
from readerstudy.analysis.report.plots import likert_figure, metric_label, paired_metric_figure
from readerstudy.analysis.report.sections import (
    agreement_section,
    mrmc_section,
    noninferiority_section,
    power_section,
    scores_section,
    secondary_model_section,
)
from readerstudy.analysis.stats.methods import methods_paragraph
from readerstudy.analysis.stats.paired import ordered

__all__ = ["format_p", "render_report"]

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;
max-width:1200px;margin:2em auto;padding:0 1em;font-size:12.5px;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}
h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
h3{font-size:1.05em;margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-variant-numeric:tabular-nums}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3em 0}
th,td{padding:.22em .5em;text-align:right;border-bottom:1px solid #e3e3e3;vertical-align:top}
td{white-space:nowrap}td.l{white-space:normal}.figs{display:flex;flex-wrap:wrap;gap:0 1.5em}
th{border-bottom:1.5px solid #555;background:#f5f5f5}td.l,th.l{text-align:left}
tr.pooled td{font-weight:600;background:#fafafa}.note{color:#555;font-size:.92em}
.methods{background:#f7f7f7;border:1px solid #ddd;padding:.8em 1em}figure{margin:1em 0}
figcaption{font-size:.92em;color:#444;max-width:60em}svg{max-width:100%;height:auto}
code{font-size:.95em}summary{cursor:pointer;margin:.6em 0}
@media print{body{margin:0;max-width:none;font-size:10.5px}h2{break-after:avoid}
table,figure{break-inside:avoid}nav{display:none}details>*{display:block}}
"""


def _cohort(ratings: pd.DataFrame, numbers: Numbering) -> str:
    rows = []
    reader_site = "reader_site" in ratings.columns
    for site in ordered(ratings["site"]):
        unit = ratings[ratings["site"] == site]
        readers = (
            ratings.loc[ratings["reader_site"] == site, "reader"].nunique() if reader_site else "–"
        )
        rows.append([site, unit["case"].nunique(), readers, len(unit)])
    rows.append(["Total", ratings["case"].nunique(), ratings["reader"].nunique(), len(ratings)])
    header = ["Site", "Cases", "Readers from site", "Scores"]
    classes = [""] * (len(rows) - 1) + ["pooled"]
    return table(f"Table {numbers.table()}. Cohort by site", header, rows, classes)


def _quantitative(results: dict, metrics: pd.DataFrame | None, numbers: Numbering) -> str:
    pairs = results["meta"]["cnr_pairs"]
    labels = results["meta"]["labels"]
    rows = [
        [
            labels.get(r["sequence"], r["sequence"]),
            metric_label(r["metric"], pairs),
            r["n"],
            mean_sd(r["conventional"]),
            mean_sd(r["enhanced"]),
            f"{num(r['mean_difference']['estimate'])} ({ci(r['mean_difference']['ci95'])})",
            num(r["percent_change"], 1),
            format_p(r["t_test_p"]),
            format_p(r["wilcoxon_p"]),
        ]
        for r in results["quantitative"]
    ]
    header = ["Sequence", "Metric", "n", "Conventional", "Enhanced", "Difference (95% CI)",
              "Change %", "P (t-test)", "P (Wilcoxon)"]  # fmt: skip
    caption = f"Table {numbers.table()}. SNR and CNR, mean ± SD"
    html = [table(caption, header, rows, left=2)]
    if metrics is not None and not metrics.empty:
        sequences = ordered(metrics["sequence"])
        html.append('<div class="figs">')
        for metric in ordered(metrics["metric"]):
            name = metric_label(metric, pairs)
            html.append(
                f"<figure>{paired_metric_figure(metrics, metric, sequences, label=name)}"
                f"<figcaption>Figure {numbers.figure()}. {escape(name)} per case, conventional vs "
                "enhanced (grey: cases; black: means). Each sequence has its own y-axis."
                "</figcaption></figure>"
            )
        html.append("</div>")
    return "".join(html)


def _likert(results: dict, ratings: pd.DataFrame, numbers: Numbering) -> str:
    meta = results["meta"]
    html = []
    for sequence in meta["sequences"]:
        svg = likert_figure(
            ratings, sequence, meta["criteria"], tuple(meta["scale"]), labels=meta["labels"]
        )
        name = meta["labels"].get(sequence, sequence)
        html.append(
            f"<figure>{svg}<figcaption>Figure {numbers.figure()}. {escape(name)}: distribution of "
            "scores per criterion and version, all readers (diverging at the middle of the "
            "scale).</figcaption></figure>"
        )
    return "".join(html)


def render_report(results: dict, ratings: pd.DataFrame, metrics: pd.DataFrame | None) -> str:
    """Render the whole report as one HTML document with no external resources.

    Parameters
    ----------
    results : dict
        Output of :func:`readerstudy.analysis.run_analysis`.
    ratings : DataFrame
        The validated ratings (for the cohort table and the Likert figures).
    metrics : DataFrame or None
        Long ROI metrics (for the paired SNR/CNR figures).

    Returns
    -------
    str
        The HTML document.
    """
    meta = results["meta"]
    v = meta["software"]
    numbers = Numbering()
    title = f"Reader study analysis: {meta['study']}"
    quantitative = (
        (lambda: _quantitative(results, metrics, numbers))
        if results["quantitative"]
        else (lambda: '<p class="note">No ROI statistics were given.</p>')
    )
    # Built in document order, so tables and figures are numbered as they appear.
    parts = [
        ("cohort", "Cohort", lambda: _cohort(ratings, numbers)),
        ("quantitative", "Quantitative image quality (SNR, CNR)", quantitative),
        ("scores", "Qualitative scores", lambda: scores_section(results, numbers)),
        ("mrmc", "Pooled over readers and cases (MRMC, primary)",
         lambda: mrmc_section(results, numbers)),
        ("noninferiority", "Non-inferiority", lambda: noninferiority_section(results, numbers)),
        ("secondary", "Secondary model (readers fixed)",
         lambda: secondary_model_section(results, numbers)),
        ("agreement", "Inter-reader agreement", lambda: agreement_section(results, numbers)),
        ("likert", "Score distributions", lambda: _likert(results, ratings, numbers)),
        ("power", "Planning the next study (power)", lambda: power_section(results, numbers)),
        ("methods", "Statistical methods",
         lambda: f'<p class="methods">{escape(methods_paragraph(results))}</p>'),
    ]  # fmt: skip
    sections = [(key, name, build()) for key, name, build in parts]
    nav = "".join(f'<li><a href="#{key}">{escape(name)}</a></li>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    scales = {tuple(s) for s in meta["scales"].values()}
    scale = (
        f"a {meta['scale'][0]}–{meta['scale'][1]} scale"
        if len(scales) == 1
        else "each criterion's scale"
    )
    summary = (
        f"{meta['n_cases']} cases, {meta['n_readers']} readers, {meta['n_sites']} sites, "
        f"{meta['n_scores']} scores on {scale}. Adjustment: {meta['adjust']}; ICC estimator: "
        f"{label(meta['icc_estimator'])}; non-inferiority margin {meta['margin']:g}. "
        f"ReaderStudy {v['readerstudy']}, input SHA-256 {meta['input_sha256']}."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="note">{escape(summary)}</p></header>'
        f"<nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )
