"""Method descriptions: one text per statistic for ``meta.methods``, and the methods paragraph.

The paragraph is generated from ``results.json`` itself, sentence by sentence, so it says what
was actually run: the estimators and options, the fallbacks taken, the cases per criterion and
per MRMC family, the alpha conventions and the software versions.
"""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["method_texts", "methods_paragraph", "methods_sentences", "software_versions"]

#: What the R cross-check (bench/validate_against_r.sh) compares, for the software sentence.
R_CHECKS = "stats::wilcox.test, psych::ICC, MRMCaov"


def software_versions() -> dict[str, str]:
    """Versions of readerstudy, Python and the numerical libraries behind the numbers."""
    versions = {"python": platform.python_version()}
    for package in ("readerstudy", "numpy", "scipy", "pandas", "statsmodels"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def _icc_text(icc_estimator: str) -> str:
    if icc_estimator == "reml":
        return (
            "Intraclass correlation in the six Shrout-Fleiss / McGraw-Wong forms on complete "
            "cases, with variance components estimated by REML constrained to be non-negative "
            "(as psych::ICC's default lmer = TRUE on the complete-case matrix): negative "
            "estimates become 0, which also changes the consistency forms, and the F tests and "
            "95% CIs keep the ANOVA degrees of freedom."
        )
    return (
        "Intraclass correlation in the six Shrout-Fleiss / McGraw-Wong forms on complete cases, "
        "classic two-way ANOVA estimators with F tests and 95% CIs as R's psych::ICC(lmer = "
        "FALSE), irr::icc and SPSS; negative values are reported as computed."
    )


def method_texts(
    *, adjust: str, margin: float, noise: str, icc_estimator: str = "anova"
) -> dict[str, str]:
    """One sentence or two per statistic, as stored under ``meta.methods``."""
    adjust_name = "Holm's step-down method" if adjust == "holm" else "the Benjamini-Hochberg method"
    snr = (
        "Apparent SNR = mean / SD of the signal in the tissue ROI."
        if noise == "roi"
        else "SNR by the NEMA background method = 0.655 x mean(tissue ROI) / SD(background ROI)."
    )
    cnr_sigma = (
        "the SD of the second (reference) tissue ROI"
        if noise == "roi"
        else "SD(background ROI) / 0.655"
    )
    return {
        "wilcoxon": (
            "Two-sided Wilcoxon signed-rank test on paired differences d = enhanced - "
            "conventional, computed as R's wilcox.test(paired = TRUE): zero differences dropped, "
            "V = sum of the ranks of positive differences, exact P with fewer than 50 non-zero "
            "differences and no ties or zeros, otherwise the normal approximation with tie and "
            "continuity correction."
        ),
        "p_adjustment": (
            f"P values adjusted with {adjust_name} across the sequence x criterion family, "
            "separately for each reader and for the pooled analysis (R's p.adjust)."
        ),
        "pooled_wilcoxon": (
            "Pooled over readers (reader 'all'): the Wilcoxon test and descriptive statistics "
            "use one value per case, the mean over readers, never all readers' scores stacked."
        ),
        "rank_biserial": (
            "Matched-pairs rank-biserial correlation (W+ - W-) / (W+ + W-) over non-zero "
            "differences (Kerby 2014)."
        ),
        "mean_difference": "Mean paired difference with a 95% t confidence interval.",
        "mrmc": (
            "Obuchowski-Rockette MRMC analysis with readers and cases random (the primary pooled "
            "inference): figure of merit each reader's mean score per arm, jackknife covariance "
            "estimates, Hillis (2008) denominator degrees of freedom, as R's MRMCaov; also "
            "readers fixed (normal) and per reader (normal). Families that are not fully "
            "crossed are analysed on the cases every reader scored in both arms."
        ),
        "pooled_model": (
            "Secondary, readers fixed: cumulative-logit generalized estimating equations "
            "(statsmodels OrdinalGEE's model) of the score on the arm with the case as cluster, "
            "independence working correlation and robust standard errors; estimate = log "
            "cumulative odds ratio for the enhanced arm with Wald 95% CI. Where it cannot be "
            "estimated, a Gaussian GEE with exchangeable working correlation estimates the mean "
            "score difference instead, reported apart under 'fallback'."
        ),
        "noninferiority": (
            f"Non-inferior when the lower bound of the two-sided 95% CI of the MRMC mean "
            f"difference (readers and cases random) lies above -{margin:g} points (one-sided "
            "alpha = 0.025); one-sided P values Holm-adjusted across the non-inferiority "
            "family. Secondary: one-sided paired t-test of H0: mean(d) <= "
            f"-{margin:g} on per-case mean differences over readers, and worse_fraction = share "
            "of cases whose mean difference is below zero."
        ),
        "icc": _icc_text(icc_estimator),
        "weighted_kappa": (
            "Cohen's weighted kappa per reader pair with linear and quadratic weights over every "
            "category of the scale."
        ),
        "fleiss_kappa": "Fleiss' kappa (1971) over complete cases.",
        "kendall_w": "Kendall's coefficient of concordance W with correction for ties.",
        "krippendorff_alpha": (
            "Krippendorff's alpha, ordinal and interval, from the coincidence matrix; missing "
            "scores allowed."
        ),
        "gwet_ac2": "Gwet's AC2 with linear weights over the full scale; missing scores allowed.",
        "percent_agreement": (
            "Percentage of complete cases on which every reader gave the same score."
        ),
        "power": (
            "Power of the next study's random-readers, random-cases test for a readers x cases "
            "grid from each family's OR variance components (Hillis, Obuchowski & Berbaum 2011, "
            "Eqs. 9-10), two-sided alpha = 0.05."
        ),
        "snr": snr,
        "cnr": f"CNR = |mean(A) - mean(B)| / sigma, with sigma = {cnr_sigma}.",
        "quantitative_tests": (
            "Per sequence, arms compared by the paired t-test and the Wilcoxon signed-rank test "
            "(as above) on per-case values; percent change = 100 x (mean enhanced - mean "
            "conventional) / mean conventional."
        ),
    }


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name(meta: dict, key: str) -> str:
    return meta["labels"].get(key, key)


def _counts_phrase(counts: dict[str, int], meta: dict) -> str:
    """``"294"`` when every count is equal, else ``"noise 294, motion artifact 280"``."""
    values = set(counts.values())
    if len(values) == 1:
        return f"{values.pop()}"
    return ", ".join(f"{_name(meta, key).lower()} {n}" for key, n in counts.items())


def _design(results: dict) -> str:
    meta = results["meta"]
    by_criterion = meta["n_cases_by_criterion"]
    criteria = [_name(meta, c).lower() for c in meta["criteria"]]
    sequences = [_name(meta, s) for s in meta["sequences"]]
    readers = f"{meta['n_readers']} reader{'s' if meta['n_readers'] != 1 else ''}"
    if set(by_criterion.values()) == {meta["n_cases"]}:
        cases = f"each of {meta['n_cases']} cases"
    else:
        cases = (
            f"{meta['n_cases']} cases in all; the number of cases scored per criterion was "
            f"{_counts_phrase(by_criterion, meta)}"
        )
    return (
        f"{readers} independently scored the conventional and the deep-learning-enhanced "
        f"version of the {_join(sequences)} images of {cases}, for {len(criteria)} "
        f"criteria ({_join(criteria)})."
    )


def _scale(results: dict) -> str:
    meta = results["meta"]
    scales = {tuple(v) for v in meta["scales"].values()}
    if len(scales) == 1:
        low, high = scales.pop()
        return (
            f"Every criterion used the instrument's {high - low + 1}-point scale ({low}-{high}, "
            "higher is better; for artifact criteria the highest score means no artifact)."
        )
    parts = [f"{_name(meta, k).lower()} {lo}-{hi}" for k, (lo, hi) in meta["scales"].items()]
    return (
        f"Each criterion used its own scale ({', '.join(parts)}; higher is better; for artifact "
        "criteria the highest score means no artifact)."
    )


def _paired(results: dict) -> str:
    adjust = "Holm" if results["meta"]["adjust"] == "holm" else "Benjamini-Hochberg"
    return (
        "Scores were compared between versions per sequence and criterion with the two-sided "
        "Wilcoxon signed-rank test, per reader and pooled over readers on the per-case mean "
        "score; effect sizes are the matched-pairs rank-biserial correlation, the mean paired "
        "difference with 95% confidence interval and the numbers of cases improved, unchanged "
        f"and worse. These P values were adjusted across sequences and criteria with the {adjust} "
        "method."
    )


def _mrmc(results: dict) -> str:
    meta = results["meta"]
    counts = sorted({row["n_cases"] for row in results["mrmc"] if row["estimate"] is not None})
    if not counts:
        used = "no family could be analysed"
    elif len(counts) == 1:
        used = f"{counts[0]} cases in every sequence-criterion family"
    else:
        used = f"{counts[0]} to {counts[-1]} cases per sequence-criterion family"
    text = (
        "The primary pooled comparison treated readers and cases as random: an "
        "Obuchowski-Rockette analysis of each reader's mean score per version, with jackknife "
        "covariance estimates and Hillis's (2008) denominator degrees of freedom, as in R's "
        "MRMCaov, gave the reader-averaged mean difference (enhanced minus conventional) with "
        f"its 95% confidence interval and two-sided P; it used {used}, and readers-fixed and "
        "per-reader results are reported beside it."
    )
    designs = meta["mrmc_designs"]
    subset = [d for d in designs if d["design"] == "complete_case_subset"]
    refused = [d for d in designs if d["design"] == "not_analysed"]
    if subset:
        text += (
            f" In {len(subset)} famil{'y' if len(subset) == 1 else 'ies'} not every reader "
            "scored every case in both versions; the analysis used the cases all readers scored "
            "in both."
        )
    if refused:
        text += f" {len(refused)} famil{'y' if len(refused) == 1 else 'ies'} could not be analysed."
    if meta["n_readers"] == 1:
        text += " With a single reader only the readers-fixed result can be given."
    return text


def _pooled(results: dict) -> str:
    rows = results["pooled_model"]
    text = (
        "As a secondary model with readers fixed, cumulative-logit generalized estimating "
        "equations with the case as cluster, an independence working correlation and robust "
        "standard errors estimated the log cumulative odds ratio of a higher score with the "
        "enhanced version."
    )
    fallbacks = [r for r in rows if r["fallback"] is not None]
    missing = [r for r in rows if r["method"] is None and r["fallback"] is None]
    if fallbacks:
        reasons = sorted({r["fallback"]["reason"] for r in fallbacks})
        text += (
            f" In {len(fallbacks)} famil{'y' if len(fallbacks) == 1 else 'ies'} it could not be "
            f"estimated ({'; '.join(reasons)}); there a Gaussian GEE with exchangeable working "
            "correlation gave the mean score difference instead, reported separately."
        )
    if missing:
        text += f" In {len(missing)} famil{'y' if len(missing) == 1 else 'ies'} neither model fit."
    return text


def _noninferiority(results: dict) -> str | None:
    rows = results["noninferiority"]
    if not rows:
        return None
    meta = results["meta"]
    criteria = [_name(meta, c).lower() for c in dict.fromkeys(r["criterion"] for r in rows)]
    return (
        f"For {_join(criteria)}, the enhanced version was considered non-inferior when the lower "
        "bound of the two-sided 95% confidence interval of the MRMC mean difference lay above "
        f"-{meta['margin']:g} points, the margin (one-sided alpha = 0.025); the one-sided P values "
        f"were Holm-adjusted across the {len(rows)} non-inferiority comparisons. A one-sided "
        "paired t-test on the per-case mean scores and the share of cases scored worse are "
        "reported as secondary."
    )


def _agreement(results: dict) -> str:
    estimator = (
        "REML variance components constrained to be non-negative (psych's lmer = TRUE)"
        if results["meta"]["icc_estimator"] == "reml"
        else "the classic two-way ANOVA estimators, negative values included"
    )
    return (
        "Inter-reader agreement was assessed per sequence, criterion and version with "
        "intraclass correlation coefficients in all six Shrout-Fleiss/McGraw-Wong forms with 95% "
        f"confidence intervals, from {estimator}, on the cases every reader scored; pairwise "
        "Cohen's kappa with linear and quadratic weights, Fleiss' kappa, Kendall's W with tie "
        "correction, Krippendorff's alpha (ordinal and interval), Gwet's AC2 with linear weights "
        "and percent exact agreement."
    )


def _power(results: dict) -> str | None:
    power = results["power"]
    if not any(f["inputs"] for f in power["families"]):
        return None
    source = " (the non-inferiority margin)" if power.get("effect_source") == "margin" else ""
    readers = power["readers"]
    targets = _join([f"{round(100 * t)}%" for t in power["targets"]])
    return (
        "From each family's Obuchowski-Rockette variance components, the power of a next study's "
        "random-readers, random-cases test was computed (Hillis, Obuchowski & Berbaum 2011) for "
        f"a difference of {power['effect']:g} points{source} at two-sided alpha = "
        f"{power['alpha']:g}, for {readers[0]} to {readers[-1]} readers, with the smallest number "
        f"of cases ({power['min_cases']} to {power['max_cases']}) reaching {targets} power."
    )


def _quantitative(results: dict) -> str | None:
    if not results["quantitative"]:
        return None
    methods = results["meta"]["methods"]
    return (
        f"{methods['snr']} {methods['cnr']} SNR and CNR were compared between versions per "
        "sequence with the paired t-test and the Wilcoxon signed-rank test, and reported as mean "
        "+/- SD, mean paired difference with 95% confidence interval and percent change."
    )


def _software(results: dict) -> str:
    v = results["meta"]["software"]
    return (
        f"Analyses used ReaderStudy {v['readerstudy']} on Python {v['python']} with NumPy "
        f"{v['numpy']}, SciPy {v['scipy']}, pandas {v['pandas']} and statsmodels "
        f"{v['statsmodels']}; the statistics were checked against R ({R_CHECKS})."
    )


def _alpha(results: dict) -> str:
    text = f"Two-sided P < {results['meta']['alpha']:g} was considered significant"
    if results["noninferiority"]:
        text += ", except for non-inferiority (one-sided alpha = 0.025)"
    return text + "."


def methods_sentences(results: dict) -> list[tuple[str, str]]:
    """The methods paragraph as ``(topic, sentence)`` pairs, each generated from ``results``.

    Topics: ``design, scale, paired, mrmc, pooled_model, noninferiority, agreement, power,
    quantitative, software, alpha``; those with nothing to say (no non-inferiority criterion, no
    ROI statistics, no family with power) are left out.
    """
    parts = [
        ("design", _design(results)),
        ("scale", _scale(results)),
        ("paired", _paired(results)),
        ("mrmc", _mrmc(results)),
        ("pooled_model", _pooled(results)),
        ("noninferiority", _noninferiority(results)),
        ("agreement", _agreement(results)),
        ("power", _power(results)),
        ("quantitative", _quantitative(results)),
        ("software", _software(results)),
        ("alpha", _alpha(results)),
    ]
    return [(topic, text) for topic, text in parts if text]


def methods_paragraph(results: dict) -> str:
    """A methods paragraph naming every test, its software and version, ready to paste."""
    return " ".join(text for _, text in methods_sentences(results))
