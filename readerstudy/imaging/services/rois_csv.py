"""ROIs from a CSV file, all or nothing, every bad line named (format: docs/rois.md)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import ROI, Arm, Series
from readerstudy.imaging.rois.geometry import (
    LABELS,
    SHAPES,
    check_geometry,
    parse_points,
    round_points,
    series_of,
)
from readerstudy.studies.models import Case, Study

CSV_COLUMNS = ("case", "sequence", "label", "slice", "shape", "points")


class ROIImportError(ValueError):
    """A ROI CSV was rejected; ``problems`` lists every bad line. Nothing was imported."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ROIImportReport:
    created: int = 0
    skipped: int = 0  # identical ROIs already present (a re-run imports nothing twice)
    lines: int = 0
    notes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        lines = f"{self.lines} line{'s' if self.lines != 1 else ''}"
        return (
            f"{self.created} ROI{'s' if self.created != 1 else ''} imported, "
            f"{self.skipped} already present, from {lines}."
        )


def _read_csv_text(csv_text_or_path: str | Path) -> tuple[str, str]:
    """(text, name for messages). A Path, or a string naming an existing .csv file, is read."""
    if isinstance(csv_text_or_path, Path) or (
        "\n" not in str(csv_text_or_path)
        and str(csv_text_or_path).lower().endswith(".csv")
        and Path(csv_text_or_path).is_file()
    ):
        path = Path(csv_text_or_path)
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except UnicodeDecodeError:
            raise ROIImportError([f"{path.name}: the file is not UTF-8 text."]) from None
    return str(csv_text_or_path).lstrip("\ufeff"), "rois.csv"


@transaction.atomic
def rois_import_csv(*, study: Study, csv_text_or_path: str | Path, actor=None) -> ROIImportReport:
    """Import ROIs from CSV (columns :data:`CSV_COLUMNS`, optional ``name``), all or nothing.

    ``slice`` is 1-based, as the viewer shows it; ``points`` are pixel coordinates (x = column,
    y = row, 0-based pixel centres) as JSON ``[[x, y], ...]`` or text ``"x y; x y; ..."``; an
    ellipse is ``"cx cy; rx ry"``. An ROI identical to one already stored is skipped.

    Raises
    ------
    ROIImportError
        Listing every bad line as ``rois.csv, line N: ...`` (the header is line 1).
    """
    text, source = _read_csv_text(csv_text_or_path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise ROIImportError(
            [
                f"{source}: missing column(s): {', '.join(missing)}. "
                f"Required: {', '.join(CSV_COLUMNS)} (optional: name)."
            ]
        )
    reader.fieldnames = header
    cases = {c.identifier: c for c in Case.objects.filter(study=study)}
    sequences = {s.key.lower(): s for s in study.sequences.all()}
    keys = ", ".join(s.key for s in sequences.values())
    references: dict[tuple[int, int], Series | None] = {}
    problems: list[str] = []
    valid: list[tuple[int, ROI]] = []
    report = ROIImportReport()
    for row in reader:
        number = reader.line_num  # physical line (blank lines are skipped but counted)
        report.lines += 1
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}

        def bad(message: str, line: int = number) -> None:
            problems.append(f"{source}, line {line}: {message}")

        empty = [c for c in CSV_COLUMNS if not row.get(c)]
        if empty:
            bad(f'column "{empty[0]}" is empty.')
            continue
        case, sequence = cases.get(row["case"]), sequences.get(row["sequence"].lower())
        if case is None:
            bad(f'column "case" is "{row["case"]}", not a case of study "{study.slug}".')
        if sequence is None:
            bad(f'column "sequence" is "{row["sequence"]}"; expected one of {keys}.')
        label, shape = row["label"].lower(), row["shape"].lower()
        if label not in LABELS:
            bad(f'column "label" is "{row["label"]}"; expected one of {", ".join(LABELS)}.')
        if shape not in SHAPES:
            bad(f'column "shape" is "{row["shape"]}"; expected "ellipse" or "polygon".')
        try:
            slice_number = int(row["slice"])
        except ValueError:
            bad(f'column "slice" is "{row["slice"]}", not a whole number (1 = first slice).')
            slice_number = None
        try:
            points = parse_points(row["points"])
        except ValueError as error:
            bad(f'column "points" {error}: "{row["points"]}".')
            points = None
        if case is None or sequence is None or label not in LABELS or shape not in SHAPES:
            continue
        if slice_number is None or points is None:
            continue
        key = (case.pk, sequence.pk)
        if key not in references:
            series = series_of(case, sequence)
            references[key] = series.get(Arm.CONVENTIONAL) or series.get(Arm.ENHANCED)
        reference = references[key]
        if reference is None:
            bad(f"case {case.identifier} has no {sequence.key} series imported.")
            continue
        geometry = check_geometry(shape, points, slice_number - 1, reference)
        if geometry:
            bad(f"the ROI is not valid: {geometry[0]}.")
            continue
        roi = ROI(
            case=case,
            sequence=sequence,
            label=label,
            name=row.get("name", "")[:60],
            slice_index=slice_number - 1,
            shape=shape,
            points=round_points(points),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        valid.append((number, roi))
    if report.lines == 0:
        problems.append(f"{source}: no rows after the header.")
    if problems:
        raise ROIImportError(problems)

    existing = {
        _identity(r)
        for r in ROI.objects.filter(case__study=study).select_related("case", "sequence")
    }
    for _, roi in valid:
        identity = _identity(roi)
        if identity in existing:
            report.skipped += 1
            continue
        existing.add(identity)
        roi.save()
        report.created += 1
    audit_record(
        action="roi.import",
        actor=actor,
        study=study,
        data={"source": source, "created": report.created, "skipped": report.skipped},
    )
    return report


def _identity(roi: ROI) -> tuple:
    return (
        roi.case_id,
        roi.sequence_id,
        roi.label,
        roi.name,
        roi.slice_index,
        roi.shape,
        json.dumps(roi.points),
    )
