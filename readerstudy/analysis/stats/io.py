"""Reading and validating the ratings and ROI-statistics tables.

Errors name the source, the row (CSV line, header = line 1) and the column, and list every
problem found (up to a limit) so a coordinator can fix a file in one pass.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pandas as pd

from readerstudy.studies.vocabulary import (
    ARMS,
    RATINGS_OPTIONAL_COLUMNS,
    RATINGS_REQUIRED_COLUMNS,
    RATINGS_SCALE_COLUMNS,
    ROI_COLUMNS,
)

__all__ = [
    "ARMS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ROI_COLUMNS",
    "SCALE_COLUMNS",
    "AnalysisInputError",
    "criterion_scales",
    "frame_checksum",
    "parse_scale",
    "read_csv_bytes",
    "validate_ratings",
    "validate_roi_stats",
]

REQUIRED_COLUMNS = RATINGS_REQUIRED_COLUMNS
OPTIONAL_COLUMNS = RATINGS_OPTIONAL_COLUMNS
SCALE_COLUMNS = RATINGS_SCALE_COLUMNS
KEY_COLUMNS = ("reader", "case", "sequence", "arm", "criterion")
MAX_PROBLEMS = 20


class AnalysisInputError(ValueError):
    """Bad analysis input; the message names the file, row and column."""


def missing_scale_message(source: str) -> str:
    """The refusal for ratings whose scale is neither in the file nor given."""
    return (
        f"{source}: the scale of the scores is unknown: the file has no scale_min and scale_max "
        "columns (ReaderStudy's ratings export has them). Give the instrument's scale with "
        "--scale MIN-MAX on the command line (e.g. --scale 1-5), or scale=(MIN, MAX) in Python; "
        "the observed range is never used, because an unused category still counts in weighted "
        "kappa and Gwet's AC2."
    )


class _Problems:
    """Collects problems with the row label of each, then raises them together."""

    def __init__(self, source: str, line_offset: int | None) -> None:
        self.source = source
        self.line_offset = line_offset
        self.items: list[tuple[int, str]] = []

    def where(self, position: int) -> str:
        if self.line_offset is None:
            return f"{self.source}, row {position}"
        return f"{self.source}, line {position + self.line_offset}"

    def add_rows(self, mask: np.ndarray, message) -> None:
        for position in np.flatnonzero(mask)[: MAX_PROBLEMS + 1]:
            text = f"{self.where(int(position))}: {message(int(position))}"
            self.items.append((int(position), text))

    def add_file(self, text: str) -> None:
        self.items.append((-1, text))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        # In file order, so the first problem listed is the first one in the file.
        lines = [text for _, text in sorted(self.items, key=lambda item: item[0])][:MAX_PROBLEMS]
        if len(self.items) > MAX_PROBLEMS:
            lines.append("... and more problems; fix these first.")
        raise AnalysisInputError("\n".join(lines))


def read_csv_bytes(data: bytes) -> pd.DataFrame:
    """Parse CSV bytes with every column as text, so validation sees exactly what was typed."""
    text = data.decode("utf-8-sig")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)


def parse_scale(text: str) -> tuple[int, int]:
    """Parse ``"MIN-MAX"`` (e.g. ``"1-5"``) into a pair of integers."""
    parts = text.strip().split("-")
    try:
        low, high = (int(p) for p in parts)
    except ValueError:
        raise AnalysisInputError(
            f'--scale "{text}" is not of the form MIN-MAX with integers, e.g. 1-5.'
        ) from None
    if low >= high:
        raise AnalysisInputError(f'--scale "{text}": MIN must be lower than MAX.')
    return low, high


def _text_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column as stripped text, "" where missing.

    Stripped once per distinct value: a ratings table repeats a few hundred values over tens of
    thousands of rows.
    """
    codes, uniques = pd.factorize(frame[column], use_na_sentinel=True)
    stripped = np.append(np.asarray([str(u).strip() for u in uniques], dtype=object), "")
    return pd.Series(stripped[codes], index=frame.index, dtype=object)


def _check_columns(frame: pd.DataFrame, required: tuple[str, ...], source: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise AnalysisInputError(
            f"{source}: missing required column(s): {', '.join(missing)}. "
            f"Required: {', '.join(required)}."
        )
    if len(frame) == 0:
        raise AnalysisInputError(f"{source}: no rows after the header.")


def _integer_scores(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Scores as floats and a mask of values that are not whole numbers."""
    values = pd.to_numeric(raw, errors="coerce").astype(np.float64)
    bad = values.isna().to_numpy() | (np.mod(values.fillna(0.5).to_numpy(), 1.0) != 0)
    return values, bad


def validate_ratings(
    frame: pd.DataFrame,
    *,
    scale: tuple[int, int] | None = None,
    source: str = "ratings",
    line_offset: int | None = None,
) -> tuple[pd.DataFrame, tuple[int, int]]:
    """Check a ratings frame and return it cleaned, with the scale in use.

    Parameters
    ----------
    frame : DataFrame
        One row per score with at least :data:`REQUIRED_COLUMNS`.
    scale : (int, int), optional
        Lowest and highest score of the scale, for a frame without ``scale_min`` and
        ``scale_max`` columns. When the frame has them (ReaderStudy's export does), they give
        each criterion's scale and ``scale``, if given too, must agree with every criterion.
    source : str
        Name used in error messages (e.g. the file name).
    line_offset : int, optional
        Add this to a row's position to get its line in the source file (2 for a CSV with a
        header line); without it errors say ``row <position>``.

    Returns
    -------
    (DataFrame, (int, int))
        Required columns as stripped text (``score`` as int64, ``arm`` lower-case), the scale
        of each row as int64 ``scale_min`` and ``scale_max`` (from the file or from ``scale``),
        any other optional columns present, and the overall scale (lowest ``scale_min``,
        highest ``scale_max``). :func:`criterion_scales` gives each criterion's.

    Raises
    ------
    AnalysisInputError
        Listing each bad row and column; or when the scale is neither in the frame nor given
        (the observed range is never taken for the instrument's).
    """
    _check_columns(frame, REQUIRED_COLUMNS, source)
    frame = frame.reset_index(drop=True)
    problems = _Problems(source, line_offset)
    clean = pd.DataFrame(index=frame.index)
    for column in REQUIRED_COLUMNS[:-1]:
        clean[column] = _text_column(frame, column)
        empty = (clean[column] == "").to_numpy()
        problems.add_rows(empty, lambda _p, c=column: f'column "{c}" is empty.')
    clean["arm"] = clean["arm"].str.lower()
    bad_arm = ~clean["arm"].isin(ARMS).to_numpy() & (clean["arm"] != "").to_numpy()
    problems.add_rows(
        bad_arm,
        lambda p: (
            f'column "arm" is "{frame["arm"].iloc[p]}"; expected "conventional" or "enhanced".'
        ),
    )
    scores, not_integer = _integer_scores(frame["score"])
    problems.add_rows(
        not_integer, lambda p: f'column "score" is "{frame["score"].iloc[p]}", not an integer.'
    )
    bounds = _row_scales(frame, clean["criterion"], scale, problems, source)
    if bounds is not None:
        low, high = bounds
        outside = ~not_integer & ((scores < low) | (scores > high)).to_numpy()
        problems.add_rows(
            outside,
            lambda p: (
                f'column "score" is {int(scores.iloc[p])}, outside the scale '
                f"{int(low.iloc[p])}-{int(high.iloc[p])}."
            ),
        )
    keys = clean[list(KEY_COLUMNS)]
    duplicated = keys.duplicated(keep="first").to_numpy()
    if duplicated.any():
        first_of = {}
        for position, key in zip(range(len(keys)), keys.itertuples(index=False), strict=True):
            first_of.setdefault(tuple(key), position)

        def duplicate_message(p: int) -> str:
            key = tuple(keys.iloc[p])
            first = problems.where(first_of[key]).split(", ", 1)[1]
            return (
                f'duplicate score for reader "{key[0]}", case "{key[1]}", sequence "{key[2]}", '
                f'arm "{key[3]}", criterion "{key[4]}" (first given on {first}).'
            )

        problems.add_rows(duplicated, duplicate_message)
    studies = clean["study"][clean["study"] != ""].unique()
    if len(studies) > 1:
        shown = ", ".join(f'"{s}"' for s in sorted(studies)[:5])
        problems.add_file(
            f"{source}: holds ratings of {len(studies)} studies ({shown}); "
            "analyse one study at a time."
        )
    problems.raise_if_any()
    if bounds is None:
        raise AnalysisInputError(missing_scale_message(source))
    clean["score"] = scores.astype(np.int64)
    clean["scale_min"] = bounds[0].astype(np.int64).to_numpy()
    clean["scale_max"] = bounds[1].astype(np.int64).to_numpy()
    for column in OPTIONAL_COLUMNS:
        if column in frame.columns and column not in SCALE_COLUMNS:
            clean[column] = frame[column].to_numpy()
    return clean, (int(clean["scale_min"].min()), int(clean["scale_max"].max()))


def _row_scales(
    frame: pd.DataFrame,
    criteria: pd.Series,
    scale: tuple[int, int] | None,
    problems: _Problems,
    source: str,
) -> tuple[pd.Series, pd.Series] | None:
    """Each row's (scale_min, scale_max) from the file's columns or from ``scale``.

    None when neither gives a scale, or when the file's scale columns hold problems (they are
    added to ``problems``).
    """
    present = [c for c in SCALE_COLUMNS if c in frame.columns]
    if not present:
        if scale is None:
            return None
        low, high = scale
        index = frame.index
        return pd.Series(low, index=index, dtype=np.float64), pd.Series(
            high, index=index, dtype=np.float64
        )
    if len(present) == 1:
        other = next(c for c in SCALE_COLUMNS if c not in present)
        problems.add_file(f"{source}: has a {present[0]} column but no {other} column.")
        return None
    columns = {}
    ok = True
    for column in SCALE_COLUMNS:
        values, bad = _integer_scores(frame[column])
        problems.add_rows(
            bad, lambda p, c=column: f'column "{c}" is "{frame[c].iloc[p]}", not an integer.'
        )
        ok &= not bad.any()
        columns[column] = values
    low, high = columns["scale_min"], columns["scale_max"]
    if not ok:
        return None
    reversed_ = (low >= high).to_numpy()
    problems.add_rows(
        reversed_,
        lambda p: (
            f'the scale {int(low.iloc[p])}-{int(high.iloc[p])} is not ordered: "scale_min" must '
            'be lower than "scale_max".'
        ),
    )
    if reversed_.any():
        return None
    per_criterion = pd.DataFrame({"criterion": criteria, "low": low, "high": high})
    distinct = per_criterion.drop_duplicates()
    repeated = distinct["criterion"].duplicated(keep=False)
    if repeated.any():
        for criterion, group in distinct[repeated].groupby("criterion", sort=False):
            shown = ", ".join(
                f"{int(a)}-{int(b)}" for a, b in zip(group.low, group.high, strict=True)
            )
            problems.add_file(
                f'{source}: criterion "{criterion}" has more than one scale ({shown}); every '
                "score of a criterion must carry the same scale_min and scale_max."
            )
        return None
    if scale is not None:
        disagree = distinct[(distinct["low"] != scale[0]) | (distinct["high"] != scale[1])]
        if len(disagree):
            first = disagree.iloc[0]
            problems.add_file(
                f"{source}: --scale {scale[0]}-{scale[1]} disagrees with the file's scale of "
                f'criterion "{first.criterion}" ({int(first.low)}-{int(first.high)}, from its '
                "scale_min and scale_max columns). Leave --scale out to use the file's scale, or "
                "correct the file."
            )
            return None
    return low, high


def criterion_scales(ratings: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """``{criterion: (scale_min, scale_max)}`` of validated ratings, in order of appearance."""
    firsts = ratings.drop_duplicates("criterion")
    return {
        criterion: (int(low), int(high))
        for criterion, low, high in zip(
            firsts["criterion"], firsts["scale_min"], firsts["scale_max"], strict=True
        )
    }


def validate_roi_stats(
    frame: pd.DataFrame, *, source: str = "roi_stats", line_offset: int | None = None
) -> pd.DataFrame:
    """Check an ROI-statistics frame (one row per ROI x arm) and return it typed.

    Parameters
    ----------
    frame : DataFrame
        Columns :data:`ROI_COLUMNS`: ``case, sequence, label, arm, mean, sd, n_pixels``.
    source, line_offset
        As for :func:`validate_ratings`.

    Returns
    -------
    DataFrame
        Text keys, float ``mean`` and ``sd``, int64 ``n_pixels``.

    Raises
    ------
    AnalysisInputError
        Listing each bad row and column.
    """
    _check_columns(frame, ROI_COLUMNS, source)
    frame = frame.reset_index(drop=True)
    problems = _Problems(source, line_offset)
    clean = pd.DataFrame(index=frame.index)
    for column in ("case", "sequence", "label", "arm"):
        clean[column] = _text_column(frame, column)
        problems.add_rows(
            (clean[column] == "").to_numpy(), lambda _p, c=column: f'column "{c}" is empty.'
        )
    clean["arm"] = clean["arm"].str.lower()
    bad_arm = ~clean["arm"].isin(ARMS).to_numpy() & (clean["arm"] != "").to_numpy()
    problems.add_rows(
        bad_arm,
        lambda p: (
            f'column "arm" is "{frame["arm"].iloc[p]}"; expected "conventional" or "enhanced".'
        ),
    )
    for column in ("mean", "sd"):
        values = pd.to_numeric(frame[column], errors="coerce").astype(np.float64)
        bad = ~np.isfinite(values.to_numpy())
        problems.add_rows(
            bad, lambda p, c=column: f'column "{c}" is "{frame[c].iloc[p]}", not a number.'
        )
        if column == "sd":
            problems.add_rows(
                ~bad & (values < 0).to_numpy(),
                lambda p: f'column "sd" is {frame["sd"].iloc[p]}, below zero.',
            )
        clean[column] = values
    n_pixels, bad_n = _integer_scores(frame["n_pixels"])
    bad_n = bad_n | (n_pixels < 1).to_numpy()
    problems.add_rows(
        bad_n,
        lambda p: f'column "n_pixels" is "{frame["n_pixels"].iloc[p]}", not a positive integer.',
    )
    duplicated = clean[["case", "sequence", "label", "arm"]].duplicated().to_numpy()
    problems.add_rows(
        duplicated,
        lambda p: (
            f'duplicate ROI "{clean["label"].iloc[p]}" for case "{clean["case"].iloc[p]}", '
            f'sequence "{clean["sequence"].iloc[p]}", arm "{clean["arm"].iloc[p]}".'
        ),
    )
    problems.raise_if_any()
    clean["n_pixels"] = n_pixels.astype(np.int64)
    return clean


def frame_checksum(frame: pd.DataFrame) -> str:
    """SHA-256 of the canonical ratings frame: required columns, sorted, as UTF-8 CSV.

    The same ratings give the same checksum whether they come from a CSV export or straight
    from the database, whatever the row order or extra columns.
    """
    canonical = (
        frame[list(REQUIRED_COLUMNS)]
        .astype({"score": np.int64})
        .sort_values(list(KEY_COLUMNS), kind="mergesort")
        .to_csv(index=False, lineterminator="\n")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_checksum(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
