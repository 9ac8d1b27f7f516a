"""Command line: ``python -m readerstudy.analysis RATINGS.csv --out DIR``, no database needed."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

from readerstudy.analysis.stats.io import AnalysisInputError, parse_scale, read_csv_bytes
from readerstudy.analysis.stats.multiplicity import ADJUST_METHODS
from readerstudy.analysis.stats.noninferiority import DEFAULT_NONINFERIORITY_CRITERIA
from readerstudy.analysis.stats.quantitative import DEFAULT_CNR_PAIRS, NOISE_METHODS

__all__ = ["build_parser", "main"]


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        a, sep, b = item.partition(":")
        if not sep or not a or not b:
            raise argparse.ArgumentTypeError(f'"{item}" is not a LABEL_A:LABEL_B pair.')
        pairs.append((a, b))
    return pairs


def _margin(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a number.') from None
    if not value > 0:
        raise argparse.ArgumentTypeError("the margin must be positive.")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m readerstudy.analysis``."""
    parser = argparse.ArgumentParser(
        prog="python -m readerstudy.analysis",
        description="Analyse a reader study's ratings CSV: paired tests, agreement, "
        "non-inferiority, SNR/CNR; writes results.json, CSV tables and report.html.",
    )
    parser.add_argument("ratings", type=Path, help="ratings CSV, one row per score")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--scale", help="score scale MIN-MAX (default: lowest to highest score)")
    parser.add_argument("--rois", type=Path, help="ROI statistics CSV for SNR/CNR")
    parser.add_argument(
        "--margin", type=_margin, default=0.5, help="non-inferiority margin in points (0.5)"
    )
    parser.add_argument("--adjust", choices=ADJUST_METHODS, default="holm")
    parser.add_argument(
        "--noninferiority-criteria",
        default=",".join(DEFAULT_NONINFERIORITY_CRITERIA),
        help="comma-separated criterion keys or key tokens (truncation,motion,pulsation)",
    )
    parser.add_argument(
        "--noise", choices=NOISE_METHODS, default="roi", help="SNR/CNR noise estimate (roi)"
    )
    parser.add_argument(
        "--cnr-pairs",
        type=_pairs,
        default=list(DEFAULT_CNR_PAIRS),
        help="comma-separated A:B label pairs (lesion:white_matter,gray_matter:white_matter)",
    )
    parser.add_argument(
        "--sequences", help="comma-separated display order of sequences (default: as in the file)"
    )
    parser.add_argument(
        "--criteria", help="comma-separated display order of criteria (default: as in the file)"
    )
    return parser


def _list(text: str | None) -> list[str] | None:
    return [item.strip() for item in text.split(",") if item.strip()] if text else None


def _read(path: Path, what: str) -> tuple[bytes, object]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnalysisInputError(f"Cannot read the {what} file {path}: {exc.strerror}.") from None
    try:
        frame = read_csv_bytes(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise AnalysisInputError(f"{path.name}: not a readable UTF-8 CSV file ({exc}).") from None
    return data, frame


def main(argv: Sequence[str] | None = None) -> int:
    """Run the analysis; return the process exit code (0 ok, 2 bad input)."""
    from readerstudy.analysis.report.outputs import write_outputs
    from readerstudy.analysis.stats.results import run_analysis

    args = build_parser().parse_args(argv)
    try:
        scale = parse_scale(args.scale) if args.scale else None
        data, ratings = _read(args.ratings, "ratings")
        checksums = {"ratings": hashlib.sha256(data).hexdigest(), "roi_stats": None}
        roi = None
        if args.rois:
            roi_data, roi = _read(args.rois, "ROI statistics")
            checksums["roi_stats"] = hashlib.sha256(roi_data).hexdigest()
        criteria = [c.strip() for c in args.noninferiority_criteria.split(",") if c.strip()]
        results = run_analysis(
            ratings,
            scale=scale,
            roi_stats=roi,
            margin=args.margin,
            adjust=args.adjust,
            noninferiority_criteria=criteria,
            noise=args.noise,
            cnr_pairs=args.cnr_pairs,
            source=args.ratings.name,
            roi_source=args.rois.name if args.rois else "roi_stats",
            line_offset=2,
            file_checksums=checksums,
            sequences=_list(args.sequences),
            criteria=_list(args.criteria),
        )
        written = write_outputs(results, {"ratings": ratings, "roi_stats": roi}, args.out)
    except AnalysisInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written.values():
        print(path)
    return 0
