"""Command line, no database needed.

- ``python -m readerstudy.analysis RATINGS.csv --out DIR``: the whole analysis;
- ``python -m readerstudy.analysis power RESULTS.json``: plan the next study from an analysis.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from readerstudy.analysis.stats.icc import ICC_ESTIMATORS
from readerstudy.analysis.stats.io import AnalysisInputError, parse_scale, read_csv_bytes
from readerstudy.analysis.stats.multiplicity import ADJUST_METHODS
from readerstudy.analysis.stats.noninferiority import DEFAULT_NONINFERIORITY_CRITERIA
from readerstudy.analysis.stats.power import (
    DEFAULT_CASES,
    DEFAULT_MAX_CASES,
    DEFAULT_MIN_CASES,
    DEFAULT_READERS,
    DEFAULT_TARGETS,
)
from readerstudy.analysis.stats.quantitative import DEFAULT_CNR_PAIRS, NOISE_METHODS

__all__ = ["build_parser", "build_power_parser", "main", "power_main"]


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        a, sep, b = item.partition(":")
        if not sep or not a or not b:
            raise argparse.ArgumentTypeError(f'"{item}" is not a LABEL_A:LABEL_B pair.')
        pairs.append((a, b))
    return pairs


def _positive(what: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'"{text}" is not a number.') from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"the {what} must be a positive number.")
        return value

    return parse


_margin = _positive("margin")


def _integers(text: str) -> list[int]:
    try:
        values = [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'"{text}" is not a comma-separated list of whole numbers.'
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("give at least one number.")
    return values


def _level(text: str) -> float:
    value = _positive("level")(text)
    if not value < 1:
        raise argparse.ArgumentTypeError("a level or power must lie between 0 and 1.")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m readerstudy.analysis``."""
    parser = argparse.ArgumentParser(
        prog="python -m readerstudy.analysis",
        description="Analyse a reader study's ratings CSV: paired tests, MRMC (readers and "
        "cases random), non-inferiority, agreement, SNR/CNR, power of the next study; writes "
        "results.json, CSV tables and report.html. 'python -m readerstudy.analysis power "
        "RESULTS.json' plans the next study from an analysis.",
    )
    parser.add_argument("ratings", type=Path, help="ratings CSV, one row per score")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument(
        "--scale",
        help="the instrument's score scale MIN-MAX (e.g. 1-5); needed when the CSV has no "
        "scale_min and scale_max columns (ReaderStudy's export has them)",
    )
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
        "--icc",
        choices=ICC_ESTIMATORS,
        default="anova",
        help="ICC estimator: anova (classic, as psych lmer=FALSE, irr, SPSS; default) or reml "
        "(variance components constrained to be non-negative, as psych's lmer=TRUE)",
    )
    parser.add_argument(
        "--power-effect",
        type=_positive("effect"),
        help="difference in mean score to detect in the next study (default: the margin)",
    )
    parser.add_argument(
        "--power-readers", type=_integers, default=list(DEFAULT_READERS),
        help="comma-separated reader counts of the power grid",
    )  # fmt: skip
    parser.add_argument(
        "--power-cases", type=_integers, default=list(DEFAULT_CASES),
        help="comma-separated case counts of the power grid",
    )  # fmt: skip
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
    """Run the analysis (or ``power``); return the exit code (0 ok, 2 bad input)."""
    from readerstudy.analysis.report.outputs import write_outputs
    from readerstudy.analysis.stats.results import run_analysis

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["power"]:
        return power_main(argv[1:])
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
            icc_estimator=args.icc,
            power_effect=args.power_effect,
            power_readers=args.power_readers,
            power_cases=args.power_cases,
            source=args.ratings.name,
            roi_source=args.rois.name if args.rois else "roi_stats",
            line_offset=2,
            file_checksums=checksums,
            sequences=_list(args.sequences),
            criteria=_list(args.criteria),
        )
        written = write_outputs(results, {"ratings": ratings, "roi_stats": roi}, args.out)
    except (AnalysisInputError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written.values():
        print(path)
    return 0


def build_power_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m readerstudy.analysis power``."""
    parser = argparse.ArgumentParser(
        prog="python -m readerstudy.analysis power",
        description="Power of the next study (Obuchowski-Rockette, readers and cases random, "
        "Hillis et al. 2011) from the MRMC variance components in an analysis' results.json: "
        "prints the smallest readers x cases design per sequence x criterion.",
    )
    parser.add_argument("results", type=Path, help="results.json of a completed or pilot study")
    parser.add_argument(
        "--effect", type=_positive("effect"),
        help="difference in mean score to detect (default: the analysis' margin)",
    )  # fmt: skip
    parser.add_argument("--alpha", type=_level, default=0.05, help="two-sided level (0.05)")
    parser.add_argument(
        "--targets", default=",".join(f"{t:g}" for t in DEFAULT_TARGETS),
        help="comma-separated powers to reach (0.8,0.9)",
    )  # fmt: skip
    parser.add_argument("--readers", type=_integers, default=list(DEFAULT_READERS))
    parser.add_argument("--cases", type=_integers, default=list(DEFAULT_CASES))
    parser.add_argument(
        "--max-cases", type=int, default=DEFAULT_MAX_CASES,
        help=f"largest number of cases searched ({DEFAULT_MAX_CASES})",
    )  # fmt: skip
    parser.add_argument(
        "--min-cases", type=int, default=DEFAULT_MIN_CASES,
        help=f"smallest number of cases searched ({DEFAULT_MIN_CASES})",
    )  # fmt: skip
    parser.add_argument("--sequence", action="append", help="only this sequence (repeatable)")
    parser.add_argument("--criterion", action="append", help="only this criterion (repeatable)")
    parser.add_argument("--out", type=Path, help="also write the power table as JSON here")
    return parser


def _read_mrmc(path: Path) -> tuple[list[dict], dict]:
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnalysisInputError(f"Cannot read the results file {path}: {exc.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnalysisInputError(f"{path.name}: not a readable results.json ({exc}).") from None
    rows = results.get("mrmc") if isinstance(results, dict) else None
    if not isinstance(rows, list):
        raise AnalysisInputError(
            f'{path.name} has no MRMC results (key "mrmc"); analyse the study again with '
            "this version of ReaderStudy to get them."
        )
    return rows, results.get("meta", {})


def power_main(argv: Sequence[str]) -> int:
    """``python -m readerstudy.analysis power``; exit code 0 ok, 2 bad input."""
    from readerstudy.analysis.stats.power import study_power
    from readerstudy.analysis.stats.results import clean_json

    args = build_power_parser().parse_args(argv)
    try:
        rows, meta = _read_mrmc(args.results)
        keep = [
            r
            for r in rows
            if (not args.sequence or r.get("sequence") in args.sequence)
            and (not args.criterion or r.get("criterion") in args.criterion)
        ]
        if not keep:
            raise AnalysisInputError("No sequence x criterion of the results matches the filter.")
        effect = args.effect if args.effect is not None else meta.get("margin")
        if effect is None:
            raise AnalysisInputError("Give the difference to detect with --effect.")
        targets = [_level(t) for t in args.targets.split(",") if t.strip()]
        power = study_power(
            keep, effect=float(effect), readers=args.readers, cases=args.cases,
            alpha=args.alpha, targets=targets, max_cases=args.max_cases,
            min_cases=args.min_cases,
        )  # fmt: skip
    except (AnalysisInputError, ValueError, KeyError, TypeError, argparse.ArgumentTypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    power["effect_source"] = "given" if args.effect is not None else "margin"
    power = clean_json(power)
    print(
        f"Power of the next study (readers and cases random) to detect {power['effect']:g} "
        f"points, two-sided alpha {power['alpha']:g}; smallest readers x cases (power):"
    )
    for family in power["families"]:
        where = f"{family['sequence']} / {family['criterion']}"
        if family["reason"]:
            print(f"  {where}: {family['reason']}")
            continue
        designs = []
        for target, best in family["smallest"].items():
            text = "not reached" if best is None else (
                f"{best['readers']} x {best['cases']} ({best['power']:.3f})"
            )  # fmt: skip
            designs.append(f"{float(target):.0%}: {text}")
        print(f"  {where}: " + "; ".join(designs))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(power, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        print(args.out)
    return 0
