"""The self-contained, printable HTML report: the tables a radiology journal expects, figures."""

from __future__ import annotations

from html import escape

import pandas as pd

from readerstudy.analysis.report.plots import likert_figure, paired_metric_figure
from readerstudy.analysis.stats.methods import methods_paragraph
from readerstudy.analysis.stats.paired import POOLED_READER, ordered

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
figcaption{font-size:.92em;color:#444}svg{max-width:100%;height:auto}
code{font-size:.95em}
@media print{body{margin:0;max-width:none;font-size:10.5px}h2{break-after:avoid}
table,figure{break-inside:avoid}nav{display:none}}
"""


def format_p(p: float | None) -> str:
    """P value as journals print it: ``<0.001`` or three decimals; an en dash when missing."""
    if p is None:
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _mean_sd(d: dict, digits: int = 2) -> str:
    if d["mean"] is None:
        return "–"
    sd = "–" if d["sd"] is None else f"{d['sd']:.{digits}f}"
    return f"{d['mean']:.{digits}f} ± {sd}"


def _median_iqr(d: dict) -> str:
    if d["median"] is None:
        return "–"
    return f"{d['median']:.2f} [{d['q1']:.2f}–{d['q3']:.2f}]"


def _ci(ci: list, digits: int = 2) -> str:
    if ci[0] is None or ci[1] is None:
        return "–"
    return f"{ci[0]:.{digits}f} to {ci[1]:.{digits}f}"


def _label(key: str) -> str:
    return key.replace("_", " ")


def _cell(value) -> str:
    """Escape a cell; a list becomes one line per item."""
    if isinstance(value, list):
        return "<br>".join(escape(str(v)) for v in value)
    return escape(str(value))


def _table(caption: str, header: list[str], rows: list[list], classes=None, left=1) -> str:
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


def _cohort(ratings: pd.DataFrame) -> str:
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
    return _table("Table 1. Cohort by site", header, rows, classes)


def _quantitative(results: dict, metrics: pd.DataFrame | None) -> str:
    rows = [
        [
            r["sequence"],
            r["metric"].replace("snr_", "SNR ").replace("cnr_", "CNR ").replace("_", " "),
            r["n"],
            _mean_sd(r["conventional"]),
            _mean_sd(r["enhanced"]),
            f"{_num(r['mean_difference']['estimate'])} ({_ci(r['mean_difference']['ci95'])})",
            _num(r["percent_change"], 1),
            format_p(r["t_test_p"]),
            format_p(r["wilcoxon_p"]),
        ]
        for r in results["quantitative"]
    ]
    header = ["Sequence", "Metric", "n", "Conventional", "Enhanced", "Difference (95% CI)",
              "Change %", "P (t-test)", "P (Wilcoxon)"]  # fmt: skip
    html = [_table("Table 2. SNR and CNR, mean ± SD", header, rows, left=2)]
    if metrics is not None and not metrics.empty:
        sequences = ordered(metrics["sequence"])
        html.append('<div class="figs">')
        for i, metric in enumerate(ordered(metrics["metric"]), start=1):
            html.append(
                f"<figure>{paired_metric_figure(metrics, metric, sequences)}"
                f"<figcaption>Figure 2.{i}. {escape(metric)} per case, conventional vs enhanced "
                "(grey: cases; black: means).</figcaption></figure>"
            )
        html.append("</div>")
    return "".join(html)


def _scores(results: dict) -> str:
    html = []
    for sequence in results["meta"]["sequences"]:
        rows, classes, previous = [], [], None
        for r in results["paired"]:
            if r["sequence"] != sequence:
                continue
            md = r["mean_difference"]
            rows.append(
                [
                    _label(r["criterion"]) if r["criterion"] != previous else "",
                    "pooled (case mean)" if r["reader"] == POOLED_READER else r["reader"],
                    r["n"],
                    _mean_sd(r["conventional"]),
                    _median_iqr(r["conventional"]),
                    _mean_sd(r["enhanced"]),
                    _median_iqr(r["enhanced"]),
                    f"{_num(md['estimate'])} ({_ci(md['ci95'])})",
                    _num(r["rank_biserial"]),
                    f"{r['improved']}/{r['unchanged']}/{r['worse']}",
                    format_p(r["wilcoxon"]["p"]),
                    format_p(r["p_adjusted"]),
                ]
            )
            classes.append("pooled" if r["reader"] == POOLED_READER else "")
            previous = r["criterion"]
        header = ["Criterion", "Reader", "n", "Conv. mean ± SD", "Conv. median [IQR]",
                  "Enh. mean ± SD", "Enh. median [IQR]", "Difference (95% CI)", "r (rank-biserial)",
                  "Better/same/worse", "P", "Adjusted P"]  # fmt: skip
        caption = f"Table 3 ({sequence}). Scores per criterion, per reader and pooled"
        html.append(_table(caption, header, rows, classes, left=2))
    return "".join(html)


def _pooled_and_noninferiority(results: dict) -> str:
    rows = [
        [r["sequence"], _label(r["criterion"]), r["method"] or "not estimable",
         _num(r["estimate"]), _ci(r["ci95"]), format_p(r["p"])]
        for r in results["pooled_model"]
    ]  # fmt: skip
    header = ["Sequence", "Criterion", "Method", "Estimate", "95% CI", "P"]
    html = [
        _table("Table 4. Clustered model over all readers (case as cluster)", header, rows, left=3)
    ]
    html.append(
        '<p class="note">OrdinalGEE: log cumulative odds ratio of a higher score with the '
        "enhanced image; GEE: mean score difference. Positive values favour enhanced.</p>"
    )
    rows = [
        [r["sequence"], _label(r["criterion"]), _num(r["margin"]), format_p(r["p"]),
         "–" if r["worse_fraction"] is None else f"{100 * r['worse_fraction']:.1f}"]
        for r in results["noninferiority"]
    ]  # fmt: skip
    header = ["Sequence", "Criterion", "Margin", "P (non-inferiority)", "Cases worse %"]
    html.append(_table("Table 5. Non-inferiority of artifact scores", header, rows, left=2))
    return "".join(html)


def _agreement(results: dict) -> str:
    rows = []
    for r in results["agreement"]:
        icc = r["icc"]
        kappas = [
            f"{'–'.join(p['readers'])}: {_num(p['linear'])}/{_num(p['quadratic'])}"
            for p in r["weighted_kappa"]
        ]
        rows.append(
            [r["sequence"], _label(r["criterion"]), r["arm"], r["n_cases"],
             f"{_num(icc['ICC(A,1)']['value'])} ({_ci(icc['ICC(A,1)']['ci95'])})",
             f"{_num(icc['ICC(C,1)']['value'])} ({_ci(icc['ICC(C,1)']['ci95'])})",
             f"{_num(icc['ICC(A,k)']['value'])} ({_ci(icc['ICC(A,k)']['ci95'])})",
             kappas or "–", _num(r["fleiss_kappa"]), _num(r["kendall_w"]),
             _num(r["krippendorff_alpha"]["ordinal"]), _num(r["krippendorff_alpha"]["interval"]),
             _num(r["gwet_ac2_linear"]), _num(r["percent_agreement"], 1)]
        )  # fmt: skip
    header = ["Sequence", "Criterion", "Version", "n", "ICC(A,1) (95% CI)", "ICC(C,1) (95% CI)",
              "ICC(A,k) (95% CI)", "Weighted κ lin/quad", "Fleiss κ", "Kendall W", "α ordinal",
              "α interval", "AC2 linear", "Agree %"]  # fmt: skip
    html = [_table("Table 6. Inter-reader agreement", header, rows, left=3)]
    rows = []
    for r in results["agreement"]:
        for form, v in r["icc"].items():
            rows.append(
                [r["sequence"], _label(r["criterion"]), r["arm"], form, _num(v["value"], 3),
                 _ci(v["ci95"], 3), _num(v["F"]), "–" if v["df1"] is None else f"{v['df1']:g}",
                 "–" if v["df2"] is None else f"{v['df2']:g}", format_p(v["p"])]
            )  # fmt: skip
    header = ["Sequence", "Criterion", "Version", "Form", "ICC", "95% CI", "F", "df1", "df2", "P"]
    html.append(
        "<details><summary>All six ICC forms with F tests</summary>"
        + _table("Table 7. Intraclass correlation, six forms (psych::ICC)", header, rows, left=4)
        + "</details>"
    )
    return "".join(html)


def _likert(results: dict, ratings: pd.DataFrame) -> str:
    meta = results["meta"]
    html = []
    for i, sequence in enumerate(meta["sequences"], start=1):
        svg = likert_figure(ratings, sequence, meta["criteria"], tuple(meta["scale"]))
        html.append(
            f"<figure>{svg}<figcaption>Figure 1.{i}. {escape(sequence)}: distribution of scores "
            "per criterion and version, all readers.</figcaption></figure>"
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
    title = f"Reader study analysis: {meta['study']}"
    sections = [
        ("cohort", "Cohort", _cohort(ratings)),
        ("quantitative", "Quantitative image quality (SNR, CNR)",
         _quantitative(results, metrics) if results["quantitative"] else
         '<p class="note">No ROI statistics were given.</p>'),
        ("scores", "Qualitative scores", _scores(results)),
        ("pooled", "Pooled model and non-inferiority", _pooled_and_noninferiority(results)),
        ("agreement", "Inter-reader agreement", _agreement(results)),
        ("likert", "Score distributions", _likert(results, ratings)),
        ("methods", "Statistical methods",
         f'<p class="methods">{escape(methods_paragraph(results))}</p>'),
    ]  # fmt: skip
    nav = "".join(f'<li><a href="#{key}">{escape(name)}</a></li>' for key, name, _ in sections)
    body = "".join(
        f'<section id="{key}"><h2>{escape(name)}</h2>{content}</section>'
        for key, name, content in sections
    )
    summary = (
        f"{meta['n_cases']} cases, {meta['n_readers']} readers, {meta['n_sites']} sites, "
        f"{meta['n_scores']} scores on a {meta['scale'][0]}–{meta['scale'][1]} scale. "
        f"Adjustment: {meta['adjust']}; non-inferiority margin {meta['margin']:g}. "
        f"ReaderStudy {v['readerstudy']}, input SHA-256 {meta['input_sha256']}."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{escape(title)}</h1><p class="note">{escape(summary)}</p></header>'
        f"<nav><ol>{nav}</ol></nav>{body}</body></html>\n"
    )
