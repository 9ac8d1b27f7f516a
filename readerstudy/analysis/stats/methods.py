"""Method descriptions for ``results.json`` and the paste-ready methods paragraph of the report."""

from __future__ import annotations

import platform
from importlib import metadata

__all__ = ["method_texts", "methods_paragraph", "software_versions"]


def software_versions() -> dict[str, str]:
    """Versions of readerstudy, Python and the numerical libraries behind the numbers."""
    versions = {"python": platform.python_version()}
    for package in ("readerstudy", "numpy", "scipy", "pandas", "statsmodels", "matplotlib"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions


def method_texts(*, adjust: str, margin: float, noise: str) -> dict[str, str]:
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
        "pooled_model": (
            "Cumulative-logit generalized estimating equations (statsmodels OrdinalGEE) of the "
            "score on the arm with the case as cluster, independence working correlation and "
            "robust standard errors; estimate = log cumulative odds ratio for the enhanced arm "
            "with Wald 95% CI. If it fails to converge or the arms' scores do not overlap, a "
            "Gaussian GEE with exchangeable working correlation is used (estimate = mean score "
            "difference); 'method' says which."
        ),
        "noninferiority": (
            f"One-sided paired t-test of H0: mean(d) <= -{margin:g} (the lower test of TOST) on "
            "per-case mean differences over readers; worse_fraction = share of cases whose "
            "mean difference is below zero."
        ),
        "icc": (
            "Intraclass correlation in the six Shrout-Fleiss / McGraw-Wong forms on complete "
            "cases, with F tests and 95% CIs as R's psych::ICC (variance components constrained "
            "to be non-negative, as psych's default lme4 fit)."
        ),
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
        "snr": snr,
        "cnr": f"CNR = |mean(A) - mean(B)| / sigma, with sigma = {cnr_sigma}.",
        "quantitative_tests": (
            "Per sequence, arms compared by the paired t-test and the Wilcoxon signed-rank test "
            "(as above) on per-case values; percent change = 100 x (mean enhanced - mean "
            "conventional) / mean conventional."
        ),
    }


def methods_paragraph(results: dict) -> str:
    """A methods paragraph naming every test, its software and version, ready to paste."""
    meta = results["meta"]
    v = meta["software"]
    low, high = meta["scale"]
    adjust = "Holm" if meta["adjust"] == "holm" else "Benjamini-Hochberg"
    quantitative = ""
    if results["quantitative"]:
        quantitative = (
            f" {meta['methods']['snr']} {meta['methods']['cnr']} SNR and CNR were compared "
            "between versions per sequence with the paired t-test and the Wilcoxon signed-rank "
            "test, and reported as mean +/- SD, mean paired difference with 95% confidence "
            "interval and percent change."
        )
    return (
        f"{meta['n_readers']} readers independently scored the conventional and the "
        f"deep-learning-enhanced version of each of {meta['n_cases']} cases on a "
        f"{high - low + 1}-point scale ({low}-{high}, higher is better) for each criterion. "
        "Scores were compared between versions per sequence and criterion with the two-sided "
        "Wilcoxon signed-rank test, per reader and pooled over readers on the per-case mean "
        "score; effect sizes are the matched-pairs rank-biserial correlation, the mean paired "
        "difference with 95% confidence interval and the numbers of cases improved, unchanged "
        f"and worse. P values were adjusted across sequences and criteria with the {adjust} "
        "method. A cumulative-logit generalized estimating equation model with the case as "
        "cluster and robust standard errors (ordinal GEE) estimated the pooled effect of the "
        "enhanced version. For artifact criteria, non-inferiority was tested with a one-sided "
        f"paired t-test against a margin of {meta['margin']:g} points (the lower test of a TOST "
        "procedure), and the share of cases made worse is reported. Inter-reader agreement was "
        "assessed per sequence, criterion and version with intraclass correlation coefficients "
        "in all six Shrout-Fleiss/McGraw-Wong forms with 95% confidence intervals, pairwise "
        "Cohen's kappa with linear and quadratic weights, Fleiss' kappa, Kendall's W with tie "
        "correction, Krippendorff's alpha (ordinal and interval), Gwet's AC2 with linear "
        f"weights and percent exact agreement.{quantitative} Analyses used ReaderStudy "
        f"{v['readerstudy']} on Python {v['python']} with NumPy {v['numpy']}, SciPy "
        f"{v['scipy']}, pandas {v['pandas']} and statsmodels {v['statsmodels']}; the Wilcoxon "
        "test and ICC were verified against R (stats::wilcox.test, psych::ICC). P < 0.05 was "
        "considered significant."
    )
