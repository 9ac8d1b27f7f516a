"""SNR and CNR from ROI statistics, compared between arms per sequence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from readerstudy.analysis.stats.descriptive import mean_difference, paired_t_p
from readerstudy.analysis.stats.paired import ordered
from readerstudy.analysis.stats.wilcoxon import wilcoxon_signed_rank

__all__ = [
    "BACKGROUND_FACTOR",
    "DEFAULT_CNR_PAIRS",
    "NOISE_METHODS",
    "compare_arms",
    "roi_metrics",
]

#: Rayleigh correction of the background SD of a single magnitude image (NEMA MS 1).
BACKGROUND_FACTOR = 0.655
DEFAULT_CNR_PAIRS = (("lesion", "white_matter"), ("gray_matter", "white_matter"))
NOISE_METHODS = ("roi", "background")


def roi_metrics(
    roi_stats: pd.DataFrame,
    *,
    noise: str = "roi",
    cnr_pairs: Sequence[tuple[str, str]] = DEFAULT_CNR_PAIRS,
    background_label: str = "background",
) -> pd.DataFrame:
    """SNR per tissue label and CNR per label pair, for every case x sequence x arm.

    With ``noise="roi"`` (default): apparent SNR = mean / SD of the tissue ROI, and
    CNR(A, B) = |mean_A - mean_B| / SD_B (SD of the second, reference label's ROI). With
    ``noise="background"`` (NEMA single-image method): sigma = SD(background) / 0.655, so
    SNR = 0.655 mean / SD(background) and CNR = 0.655 |mean_A - mean_B| / SD(background). The
    background method is invalid for DL-processed, parallel-imaging or background-masked images
    (Dietrich et al. 2007), so it is an option, never the default. An SD of zero gives no value.

    Parameters
    ----------
    roi_stats : DataFrame
        Validated ROI statistics: ``case, sequence, label, arm, mean, sd, n_pixels``.
    noise : {"roi", "background"}
        Where sigma comes from.
    cnr_pairs : sequence of (str, str)
        (A, B) label pairs; pairs whose labels are absent are skipped.
    background_label : str
        Label of the background-air ROI; it gets no SNR of its own.

    Returns
    -------
    DataFrame
        Long frame ``case, sequence, arm, metric, value`` with metrics ``snr_<label>`` and
        ``cnr_<A>_<B>``.

    References
    ----------
    .. [1] NEMA MS 1-2008. Determination of Signal-to-Noise Ratio (SNR) in Diagnostic Magnetic
       Resonance Imaging.
    .. [2] Dietrich O, Raya JG, Reeder SB, Reiser MF, Schoenberg SO (2007). Measurement of
       signal-to-noise ratios in MR images: influence of multichannel coils, parallel imaging,
       and reconstruction filters. J Magn Reson Imaging 26(2):375-385.
    .. [3] Kaufman L, Kramer DM, Crooks LE, Ortendahl DA (1989). Measuring signal-to-noise
       ratios in MR imaging. Radiology 173(1):265-267.
    """
    if noise not in NOISE_METHODS:
        raise ValueError(f'Unknown noise method "{noise}"; use roi or background.')
    labels = ordered(roi_stats["label"])
    wide = roi_stats.set_index(["case", "sequence", "arm", "label"])[["mean", "sd"]].unstack(
        "label"
    )
    mean, sd = wide["mean"], wide["sd"]
    metrics = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        if noise == "background":
            if background_label in sd.columns:
                sigma = sd[background_label] / BACKGROUND_FACTOR
            else:
                sigma = pd.Series(np.nan, index=sd.index)
        for label in labels:
            if label == background_label:
                continue
            denominator = sd[label] if noise == "roi" else sigma
            metrics[f"snr_{label}"] = mean[label] / denominator
        for a, b in cnr_pairs:
            if a not in mean.columns or b not in mean.columns:
                continue
            denominator = sd[b] if noise == "roi" else sigma
            metrics[f"cnr_{a}_{b}"] = (mean[a] - mean[b]).abs() / denominator
    if not metrics:
        return pd.DataFrame(columns=["case", "sequence", "arm", "metric", "value"])
    out = pd.DataFrame(metrics)
    out.columns.name = "metric"
    long = out.stack(future_stack=True).rename("value").reset_index()
    long["value"] = long["value"].where(np.isfinite(long["value"]))
    # unstack sorted the keys; give back the input's order of sequences and cases.
    for column in ("case", "sequence"):
        rank = {value: i for i, value in enumerate(ordered(roi_stats[column]))}
        long[f"_{column}"] = long[column].map(rank)
    metric_rank = {metric: i for i, metric in enumerate(metrics)}
    long["_metric"] = long["metric"].map(metric_rank)
    long = long.sort_values(["_sequence", "_metric", "_case", "arm"], kind="mergesort")
    return long.drop(columns=["_case", "_sequence", "_metric"]).reset_index(drop=True)


def compare_arms(metrics: pd.DataFrame) -> list[dict]:
    """Compare each ROI metric between arms per sequence, pairing on the case.

    Reports mean and SD per arm, the mean paired difference (enhanced - conventional) with its
    95% t interval, percent change of the arm means, the two-sided paired t-test P and the
    Wilcoxon signed-rank P computed as R's ``wilcox.test(paired = TRUE)``.

    Parameters
    ----------
    metrics : DataFrame
        Output of :func:`roi_metrics`.

    Returns
    -------
    list of dict
        Rows in the ``quantitative`` layout of ``results.json``.

    References
    ----------
    .. [1] Student (1908). The probable error of a mean. Biometrika 6(1):1-25.
    .. [2] Wilcoxon F (1945). Individual comparisons by ranking methods. Biometrics Bulletin
       1(6):80-83.
    """
    if metrics.empty:
        return []
    wide = metrics.set_index(["sequence", "metric", "case", "arm"])["value"].unstack("arm")
    for arm in ("conventional", "enhanced"):
        if arm not in wide.columns:
            wide[arm] = np.nan
    wide = wide.dropna(subset=["conventional", "enhanced"])
    groups = {key: unit for key, unit in wide.groupby(level=["sequence", "metric"])}
    rows = []
    for sequence in ordered(metrics["sequence"]):
        for metric in ordered(metrics["metric"]):
            unit = groups.get((sequence, metric))
            if unit is None:
                continue
            conv = unit["conventional"].to_numpy(dtype=np.float64)
            enh = unit["enhanced"].to_numpy(dtype=np.float64)
            d = enh - conv
            conv_mean, enh_mean = float(conv.mean()), float(enh.mean())
            rows.append(
                {
                    "sequence": sequence,
                    "metric": metric,
                    "n": int(d.size),
                    "conventional": _mean_sd(conv),
                    "enhanced": _mean_sd(enh),
                    "mean_difference": mean_difference(d),
                    "percent_change": (
                        100.0 * (enh_mean - conv_mean) / conv_mean if conv_mean != 0 else None
                    ),
                    "t_test_p": paired_t_p(d),
                    "wilcoxon_p": wilcoxon_signed_rank(d).p,
                }
            )
    return rows


def _mean_sd(x: np.ndarray) -> dict:
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)) if x.size > 1 else None}
