"""The report's statistics sections: scores, MRMC, non-inferiority, secondary model, agreement,
power. Each takes ``results.json`` and the report's :class:`Numbering`, and returns HTML."""

from __future__ import annotations

from html import escape

from readerstudy.analysis.report.format import (
    Numbering,
    ci,
    format_p,
    mean_sd,
    median_iqr,
    num,
    table,
)
from readerstudy.analysis.report.plots import ForestRow, forest_figure
from readerstudy.analysis.stats.paired import POOLED_READER

__all__ = [
    "agreement_section",
    "mrmc_section",
    "noninferiority_section",
    "power_section",
    "scores_section",
    "secondary_model_section",
]


def _names(results: dict):
    labels = results["meta"]["labels"]
    return lambda key: labels.get(key, key.replace("_", " "))


def scores_section(results: dict, numbers: Numbering) -> str:
    name = _names(results)
    number = numbers.table()
    html = []
    for sequence in results["meta"]["sequences"]:
        rows, classes, previous = [], [], None
        for r in results["paired"]:
            if r["sequence"] != sequence:
                continue
            md = r["mean_difference"]
            rows.append(
                [
                    name(r["criterion"]) if r["criterion"] != previous else "",
                    "pooled (case mean)" if r["reader"] == POOLED_READER else r["reader"],
                    r["n"],
                    mean_sd(r["conventional"]),
                    median_iqr(r["conventional"]),
                    mean_sd(r["enhanced"]),
                    median_iqr(r["enhanced"]),
                    f"{num(md['estimate'])} ({ci(md['ci95'])})",
                    num(r["rank_biserial"]),
                    f"{r['improved']}/{r['unchanged']}/{r['worse']}",
                    format_p(r["wilcoxon"]["p"]),
                    format_p(r["p_adjusted"]),
                ]
            )
            classes.append("pooled" if r["reader"] == POOLED_READER else "")
            previous = r["criterion"]
        header = ["Criterion", "Reader", "n", "Conv. mean ± SD", "Conv. median [IQR]",
                  "Enh. mean ± SD", "Enh. median [IQR]", "Difference (95% CI)", "r (rank-biserial)",
                  "Better/same/worse", "P (Wilcoxon)", "Adjusted P"]  # fmt: skip
        caption = f"Table {number} ({sequence}). Scores per criterion, per reader and pooled"
        html.append(table(caption, header, rows, classes, left=2))
    return "".join(html)


def _design_note(design: dict) -> str:
    if design["design"] == "not_analysed":
        return f"not analysed: {design['reason']}"
    notes = []
    if design["n_cases_dropped"]:
        notes.append(f"{design['n_cases_dropped']} cases not read by every reader left out")
    if design["readers_excluded"]:
        notes.append(f"without pairs: {', '.join(map(str, design['readers_excluded']))}")
    return "; ".join(notes)


def mrmc_section(results: dict, numbers: Numbering) -> str:
    name = _names(results)
    designs = {(d["sequence"], d["criterion"]): d for d in results["meta"]["mrmc_designs"]}
    rows = []
    for r in results["mrmc"]:
        rr, fr, cov = r["random_readers"], r["fixed_readers"], r["covariance"]
        df = "∞ (normal)" if rr["df"] is None and rr["se"] is not None else num(rr["df"], 1)
        rows.append(
            [name(r["sequence"]), name(r["criterion"]), r["n_readers"], r["n_cases"],
             f"{num(r['estimate'])} ({ci(rr['ci95'])})", df, format_p(rr["p"]),
             f"{ci(fr['ci95'])}", format_p(fr["p"]), num(cov["var_r"], 4), num(cov["var_tr"], 4),
             _design_note(designs[(r["sequence"], r["criterion"])])]
        )  # fmt: skip
    header = ["Sequence", "Criterion", "Readers", "Cases", "Difference (95% CI)", "df", "P",
              "Readers fixed: 95% CI", "P (fixed)", "σ²(R)", "σ²(T×R)", "Design"]  # fmt: skip
    caption = (
        f"Table {numbers.table()}. Mean score difference (enhanced − conventional), readers and "
        "cases random: Obuchowski–Rockette with jackknife covariances and Hillis df (primary)"
    )
    html = [table(caption, header, rows, left=2)]
    html.append(
        '<p class="note">Figure of merit: each reader\'s mean score per version; the difference '
        "is averaged over readers. P two-sided. σ² are the OR variance components as computed "
        "(they can be negative). Readers fixed and per reader: normal reference.</p>"
    )
    for sequence in results["meta"]["sequences"]:
        forest = []
        for r in results["mrmc"]:
            if r["sequence"] != sequence:
                continue
            for reader in r["per_reader"]:
                forest.append(ForestRow(f"{reader['reader']}", reader["estimate"],
                                        *reader["ci95"]))  # fmt: skip
            rr = r["random_readers"]
            forest.append(
                ForestRow(name(r["criterion"]), r["estimate"], *rr["ci95"], pooled=True,
                          note=f"{num(r['estimate'])} ({ci(rr['ci95'])})")
            )  # fmt: skip
        if not forest:
            continue
        axis = "Mean score difference, enhanced − conventional"
        svg = forest_figure(forest, title=name(sequence), axis_label=axis)
        html.append(
            f"<figure>{svg}<figcaption>Figure {numbers.figure()}. {escape(name(sequence))}: mean "
            "score difference per reader (grey, 95% CI, readers fixed) and pooled over readers "
            "and cases (black diamond, 95% CI, readers and cases random), per criterion."
            "</figcaption></figure>"
        )
    rows = []
    for r in results["mrmc"]:
        cov = r["covariance"]
        for reader in r["per_reader"]:
            rows.append(
                [name(r["sequence"]), name(r["criterion"]), reader["reader"],
                 f"{num(reader['estimate'])} ({ci(reader['ci95'])})", num(reader["se"], 3),
                 format_p(reader["p"]), num(cov["cov1"], 5), num(cov["cov2"], 5),
                 num(cov["cov3"], 5), num(cov["var_error"], 5)]
            )  # fmt: skip
    header = ["Sequence", "Criterion", "Reader", "Difference (95% CI)", "SE", "P", "Cov1",
              "Cov2", "Cov3", "Var(error)"]  # fmt: skip
    caption = f"Table {numbers.table()}. MRMC per reader and jackknife covariances"
    html.append(
        "<details><summary>Per-reader differences and covariance components</summary>"
        + table(caption, header, rows, left=3)
        + "</details>"
    )
    return "".join(html)


def _conclusion(row: dict) -> str:
    if row["noninferior"] is None:
        return "not estimable"
    if row["noninferior_adjusted"]:
        return "non-inferior"
    if row["noninferior"]:
        return "non-inferior before adjustment only"
    return "not shown"


def noninferiority_section(results: dict, numbers: Numbering) -> str:
    rows_in = results["noninferiority"]
    if not rows_in:
        return '<p class="note">No criterion was tested for non-inferiority.</p>'
    name = _names(results)
    margin = results["meta"]["margin"]
    rows = [
        [name(r["sequence"]), name(r["criterion"]), f"{num(r['estimate'])} ({ci(r['ci95'])})",
         f"−{margin:g}", num(r["ci95"][0]), format_p(r["p_noninferiority"]),
         format_p(r["p_noninferiority_adjusted"]), _conclusion(r), format_p(r["p"]),
         "–" if r["worse_fraction"] is None else f"{100 * r['worse_fraction']:.1f}"]
        for r in rows_in
    ]  # fmt: skip
    header = ["Sequence", "Criterion", "Difference (95% CI)", "−margin", "Lower bound",
              "P (one-sided)", "Holm P", "Conclusion", "P per case (secondary)",
              "Cases worse %"]  # fmt: skip
    caption = (
        f"Table {numbers.table()}. Non-inferiority: MRMC mean difference with two-sided 95% CI "
        f"against the margin of {margin:g} points (one-sided α = 0.025, Holm across "
        f"{len(rows_in)} comparisons)"
    )
    html = [table(caption, header, rows, left=2)]
    forest = [
        ForestRow(f"{name(r['sequence'])} · {name(r['criterion'])}", r["estimate"], *r["ci95"],
                  pooled=True, note=_conclusion(r))
        for r in rows_in
    ]  # fmt: skip
    svg = forest_figure(
        forest,
        title="Non-inferiority",
        axis_label="Mean score difference, enhanced − conventional (higher is better)",
        references=((0.0, "0", "#1a1a1a"), (-margin, f"−margin ({-margin:g})", "#b2182b")),
    )
    html.append(
        f"<figure>{svg}<figcaption>Figure {numbers.figure()}. Non-inferiority: the MRMC mean "
        "difference with its two-sided 95% CI (readers and cases random) against −margin "
        "(dashed); non-inferior when the whole interval lies right of it.</figcaption></figure>"
    )
    return "".join(html)


def secondary_model_section(results: dict, numbers: Numbering) -> str:
    name = _names(results)
    rows = []
    for r in results["pooled_model"]:
        fb = r["fallback"] or {}
        rows.append(
            [name(r["sequence"]), name(r["criterion"]),
             "not estimable" if r["method"] is None else
             f"{num(r['estimate'])} ({ci(r['ci95'])})", format_p(r["p"]),
             f"{num(fb['estimate'])} ({ci(fb['ci95'])})" if fb else "–",
             format_p(fb.get("p")), fb.get("reason", "")]
        )  # fmt: skip
    header = ["Sequence", "Criterion", "Log cumulative odds ratio (95% CI)", "P",
              "Fallback: mean difference (95% CI)", "P (fallback)", "Why the fallback"]  # fmt: skip
    caption = (
        f"Table {numbers.table()}. Secondary model, readers fixed: cumulative-logit GEE with the "
        "case as cluster, independence working correlation, robust SE"
    )
    return table(caption, header, rows, left=2) + (
        '<p class="note">Positive values favour enhanced. Where the cumulative-logit model '
        "cannot be estimated, a Gaussian GEE (exchangeable working correlation) gives the mean "
        "score difference instead: a different estimand, shown in its own columns.</p>"
    )


def agreement_section(results: dict, numbers: Numbering) -> str:
    name = _names(results)
    estimator = results["meta"]["icc_estimator"]
    rows = []
    for r in results["agreement"]:
        icc = r["icc"]
        rows.append(
            [name(r["sequence"]), name(r["criterion"]), r["arm"], r["n_cases"],
             f"{num(icc['ICC(A,1)']['value'])} ({ci(icc['ICC(A,1)']['ci95'])})",
             f"{num(icc['ICC(C,1)']['value'])} ({ci(icc['ICC(C,1)']['ci95'])})",
             f"{num(icc['ICC(A,k)']['value'])} ({ci(icc['ICC(A,k)']['ci95'])})",
             num(r["fleiss_kappa"]), num(r["kendall_w"]),
             num(r["krippendorff_alpha"]["ordinal"]), num(r["krippendorff_alpha"]["interval"]),
             num(r["gwet_ac2_linear"]), num(r["percent_agreement"], 1)]
        )  # fmt: skip
    header = ["Sequence", "Criterion", "Version", "n", "ICC(A,1) (95% CI)", "ICC(C,1) (95% CI)",
              "ICC(A,k) (95% CI)", "Fleiss κ", "Kendall W", "α ordinal", "α interval",
              "AC2 linear", "Agree %"]  # fmt: skip
    kind = "REML, non-negative" if estimator == "reml" else "classic ANOVA"
    html = [table(f"Table {numbers.table()}. Inter-reader agreement (ICC: {kind})", header,
                  rows, left=3)]  # fmt: skip
    rows = [
        [name(r["sequence"]), name(r["criterion"]), r["arm"], " – ".join(p["readers"]),
         num(p["linear"]), num(p["quadratic"])]
        for r in results["agreement"]
        for p in r["weighted_kappa"]
    ]  # fmt: skip
    header = ["Sequence", "Criterion", "Version", "Readers", "κ linear", "κ quadratic"]
    caption = f"Table {numbers.table()}. Weighted Cohen's kappa per reader pair"
    html.append(table(caption, header, rows, left=4))
    rows = []
    for r in results["agreement"]:
        for form, v in r["icc"].items():
            rows.append(
                [name(r["sequence"]), name(r["criterion"]), r["arm"], form, num(v["value"], 3),
                 ci(v["ci95"], 3), num(v["F"]), "–" if v["df1"] is None else f"{v['df1']:g}",
                 "–" if v["df2"] is None else f"{v['df2']:g}", format_p(v["p"])]
            )  # fmt: skip
    header = ["Sequence", "Criterion", "Version", "Form", "ICC", "95% CI", "F", "df1", "df2", "P"]
    source = "psych::ICC, lmer = TRUE" if estimator == "reml" else "psych::ICC, lmer = FALSE"
    caption = f"Table {numbers.table()}. Intraclass correlation, six forms ({source})"
    html.append(
        "<details><summary>All six ICC forms with F tests</summary>"
        + table(caption, header, rows, left=4)
        + "</details>"
    )
    return "".join(html)


def _design(entry: dict | None) -> str:
    if not entry:
        return "not reached"
    return f"{entry['readers']} × {entry['cases']} ({entry['power']:.2f})"


def power_section(results: dict, numbers: Numbering) -> str:
    power = results["power"]
    name = _names(results)
    targets = [f"{t:g}" for t in power["targets"]]
    rows = []
    for f in power["families"]:
        readers = f["pilot"]["n_readers"]
        own = []
        for key in targets:
            match = [n for n in f["cases_needed"][key] if n["readers"] == readers]
            own.append("–" if not match or match[0]["cases"] is None else str(match[0]["cases"]))
        sigma = "–" if f["inputs"] is None else num(f["inputs"]["var_tr"], 4)
        rows.append(
            [name(f["sequence"]), name(f["criterion"]), f"{readers} × {f['pilot']['n_cases']}",
             sigma, *(_design(f["smallest"][key]) if f["inputs"] else "–" for key in targets),
             *own, f["reason"] or ""]
        )  # fmt: skip
    pct = [f"{round(100 * float(t))}%" for t in targets]
    header = ["Sequence", "Criterion", "This study (readers × cases)", "σ²(T×R) used",
              *(f"Smallest design for {p}: readers × cases (power)" for p in pct),
              *(f"Cases for {p} with this study's readers" for p in pct), "Note"]  # fmt: skip
    source = "the non-inferiority margin" if power.get("effect_source") == "margin" else "given"
    caption = (
        f"Table {numbers.table()}. Power of the next study (readers and cases random) to detect a "
        f"difference of {power['effect']:g} points ({source}), two-sided α = {power['alpha']:g}"
    )
    html = [table(caption, header, rows, left=2)]
    html.append(
        '<p class="note">From this study\'s OR variance components (Hillis, Obuchowski & '
        "Berbaum 2011). Smallest design: the fewest reads (readers × cases × 2) over "
        f"{power['readers'][0]}–{power['readers'][-1]} readers with {power['min_cases']} to "
        f"{power['max_cases']} cases; with reader variance, power is bounded however many "
        "cases are read. Planning on a small pilot inherits its uncertainty.</p>"
    )
    cases = power["cases"]
    rows = []
    for f in power["families"]:
        grid = {(g["readers"], g["cases"]): g["power"] for g in f["grid"]}
        for readers in power["readers"] if grid else []:
            rows.append(
                [name(f["sequence"]), name(f["criterion"]), readers,
                 *(num(grid.get((readers, c))) for c in cases)]
            )  # fmt: skip
    header = ["Sequence", "Criterion", "Readers", *(f"{c} cases" for c in cases)]
    caption = f"Table {numbers.table()}. Power grid, readers × cases"
    html.append(
        "<details><summary>Power for every readers × cases combination</summary>"
        + table(caption, header, rows, left=2)
        + "</details>"
    )
    return "".join(html)
