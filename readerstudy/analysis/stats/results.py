"""The analysis entry point: ``run_analysis`` builds ``results.json``.

``report.outputs.write_outputs`` writes it. Both take plain pandas frames, so the web UI,
``manage.py analyze`` and the command line on an exported CSV all produce the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from readerstudy.analysis.stats.agreement import inter_reader_agreement
from readerstudy.analysis.stats.io import frame_checksum, validate_ratings, validate_roi_stats
from readerstudy.analysis.stats.methods import method_texts, software_versions
from readerstudy.analysis.stats.multiplicity import ADJUST_METHODS
from readerstudy.analysis.stats.noninferiority import (
    DEFAULT_NONINFERIORITY_CRITERIA,
    noninferiority,
)
from readerstudy.analysis.stats.paired import ordered, paired_comparison, paired_differences
from readerstudy.analysis.stats.pooled import pooled_model
from readerstudy.analysis.stats.quantitative import (
    DEFAULT_CNR_PAIRS,
    NOISE_METHODS,
    compare_arms,
    roi_metrics,
)

__all__ = ["RESULT_KEYS", "apply_order", "clean_json", "run_analysis"]

RESULT_KEYS = ("meta", "paired", "pooled_model", "noninferiority", "agreement", "quantitative")


def clean_json(value):
    """Turn numpy scalars and arrays into plain Python, and NaN or infinity into None."""
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [clean_json(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value


def apply_order(
    ratings: pd.DataFrame,
    *,
    sequences: Sequence[str] | None = None,
    criteria: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Reorder rows so sequences and criteria first appear in the given order.

    Every table and figure lists sequences and criteria in order of first appearance, so a
    stable sort on the wanted order is all it takes. Unlisted keys keep their relative order
    after the listed ones.
    """
    if not sequences and not criteria:
        return ratings
    keys = []
    for column, wanted in (("sequence", sequences), ("criterion", criteria)):
        if wanted:
            rank = {value: i for i, value in enumerate(wanted)}
            keys.append(ratings[column].map(rank).fillna(len(rank)).to_numpy())
    order = np.lexsort(keys[::-1])
    return ratings.iloc[order].reset_index(drop=True)


def _roi_checksum(roi: pd.DataFrame | None) -> str | None:
    if roi is None:
        return None
    import hashlib

    canonical = roi.sort_values(["case", "sequence", "label", "arm"], kind="mergesort").to_csv(
        index=False, lineterminator="\n", float_format="%.10g"
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def run_analysis(
    ratings: pd.DataFrame,
    *,
    scale: tuple[int, int] | None = None,
    roi_stats: pd.DataFrame | None = None,
    margin: float = 0.5,
    adjust: str = "holm",
    noninferiority_criteria: Sequence[str] = DEFAULT_NONINFERIORITY_CRITERIA,
    noise: str = "roi",
    cnr_pairs: Sequence[tuple[str, str]] = DEFAULT_CNR_PAIRS,
    source: str = "ratings",
    roi_source: str = "roi_stats",
    line_offset: int | None = None,
    file_checksums: dict[str, str | None] | None = None,
    sequences: Sequence[str] | None = None,
    criteria: Sequence[str] | None = None,
) -> dict:
    """Run the whole analysis of a reader study and return the ``results.json`` dict.

    Parameters
    ----------
    ratings : DataFrame
        Tidy ratings, one row per score: ``study, site, reader, case, sequence, arm,
        criterion, score`` (+ optional columns). Validated here.
    scale : (int, int), optional
        Lowest and highest score; default the lowest and highest score present.
    roi_stats : DataFrame, optional
        ROI statistics ``case, sequence, label, arm, mean, sd, n_pixels`` for SNR/CNR.
    margin : float
        Non-inferiority margin in score points.
    adjust : {"holm", "bh"}
        Multiplicity adjustment.
    noninferiority_criteria : sequence of str
        Criterion keys (or key tokens) tested for non-inferiority.
    noise : {"roi", "background"}
        Noise estimate for SNR/CNR.
    cnr_pairs : sequence of (str, str)
        Label pairs for CNR.
    source, roi_source : str
        Names used in input error messages.
    line_offset : int, optional
        Line of the first data row in the source files, for error messages (2 for CSVs).
    file_checksums : dict, optional
        ``{"ratings": sha256, "roi_stats": sha256}`` of the input files' bytes, if read from
        files.
    sequences, criteria : sequence of str, optional
        Display order of sequences and criteria (e.g. the study's protocol order). Keys not
        listed follow in order of first appearance, which is the default for all.

    Returns
    -------
    dict
        Keys :data:`RESULT_KEYS`; every number a float, int or None (never NaN). See
        ``docs/analysis.md``.

    Raises
    ------
    AnalysisInputError
        On invalid input, naming the row and column.
    ValueError
        On an unknown ``adjust`` or ``noise`` method or a non-positive margin.
    """
    if adjust not in ADJUST_METHODS:
        raise ValueError(f'Unknown adjustment "{adjust}"; use holm or bh.')
    if noise not in NOISE_METHODS:
        raise ValueError(f'Unknown noise method "{noise}"; use roi or background.')
    if not margin > 0:
        raise ValueError(f"The non-inferiority margin must be positive, not {margin}.")
    ratings, scale = validate_ratings(ratings, scale=scale, source=source, line_offset=line_offset)
    roi = None
    if roi_stats is not None:
        roi = validate_roi_stats(roi_stats, source=roi_source, line_offset=line_offset)
    ratings = apply_order(ratings, sequences=sequences, criteria=criteria)
    pairs = paired_differences(ratings)
    quantitative = []
    if roi is not None:
        quantitative = compare_arms(roi_metrics(roi, noise=noise, cnr_pairs=cnr_pairs))
    checksums = file_checksums or {}
    meta = {
        "study": ordered(ratings["study"])[0],
        "software": software_versions(),
        "input_sha256": frame_checksum(ratings),
        "input_file_sha256": checksums.get("ratings"),
        "roi_stats_sha256": _roi_checksum(roi),
        "roi_stats_file_sha256": checksums.get("roi_stats"),
        "methods": method_texts(adjust=adjust, margin=margin, noise=noise),
        "scale": [int(scale[0]), int(scale[1])],
        "n_readers": int(ratings["reader"].nunique()),
        "n_cases": int(ratings["case"].nunique()),
        "n_sites": int(ratings["site"].nunique()),
        "n_scores": len(ratings),
        "readers": ordered(ratings["reader"]),
        "sites": ordered(ratings["site"]),
        "sequences": ordered(ratings["sequence"]),
        "criteria": ordered(ratings["criterion"]),
        "adjust": adjust,
        "margin": float(margin),
        "noninferiority_criteria": list(noninferiority_criteria),
        "noise_method": noise,
        "cnr_pairs": [list(p) for p in cnr_pairs],
    }
    results = {
        "meta": meta,
        "paired": paired_comparison(ratings, adjust=adjust, pairs=pairs),
        "pooled_model": pooled_model(ratings),
        "noninferiority": noninferiority(
            ratings, margin=margin, criteria=tuple(noninferiority_criteria), pairs=pairs
        ),
        "agreement": inter_reader_agreement(ratings, scale=scale),
        "quantitative": quantitative,
    }
    return clean_json(results)
