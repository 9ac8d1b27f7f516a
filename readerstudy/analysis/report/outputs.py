"""Writing an analysis to a folder: ``results.json``, one CSV per table, and ``report.html``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from readerstudy.analysis.report.html import render_report
from readerstudy.analysis.report.tables import results_tables
from readerstudy.analysis.stats.io import validate_ratings, validate_roi_stats
from readerstudy.analysis.stats.quantitative import roi_metrics
from readerstudy.analysis.stats.results import apply_order

__all__ = ["write_outputs"]


def write_outputs(results: dict, frames: dict[str, pd.DataFrame | None], out_dir) -> dict:
    """Write ``results.json``, the CSV tables and ``report.html`` into ``out_dir``.

    Parameters
    ----------
    results : dict
        Output of :func:`readerstudy.analysis.stats.results.run_analysis`.
    frames : dict
        ``{"ratings": DataFrame, "roi_stats": DataFrame or None}``, the frames given to
        :func:`readerstudy.analysis.stats.results.run_analysis`; the report draws its Likert
        bars and paired SNR/CNR plots from them.
    out_dir : str or Path
        Created if missing; existing files of the same names are replaced.

    Returns
    -------
    dict
        ``{name: Path}`` of every file written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = results["meta"]
    ratings, _ = validate_ratings(frames["ratings"], scale=tuple(meta["scale"]))
    ratings = apply_order(ratings, sequences=meta["sequences"], criteria=meta["criteria"])
    roi = frames.get("roi_stats")
    metrics = None
    if roi is not None:
        roi = validate_roi_stats(roi)
        pairs = [tuple(p) for p in meta["cnr_pairs"]]
        metrics = roi_metrics(roi, noise=meta["noise_method"], cnr_pairs=pairs)
    written = {}
    path = out / "results.json"
    path.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    written["results.json"] = path
    for name, table in results_tables(results).items():
        path = out / f"{name}.csv"
        table.to_csv(path, index=False, lineterminator="\n")
        written[path.name] = path
    path = out / "report.html"
    path.write_text(render_report(results, ratings, metrics), encoding="utf-8")
    written["report.html"] = path
    return written
