"""Export files: CSV (UTF-8 with BOM, so Excel opens it unmangled) and XLSX (openpyxl).

Both hold the same columns and rows. The CSV keeps timestamps as ISO 8601 text, so it round-trips
into the analysis unchanged; the XLSX has real dates, a frozen, filterable header, columns wide
enough to read, and a codebook sheet (criteria, scales, anchors, what each column means).

``study_export`` is the one entry point for the web page, the API and the CLI, so every export is
built the same way and audited the same way.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from readerstudy.audit.services import audit_record
from readerstudy.coordinator.exports.codebook import DATE_COLUMNS, codebook_frames
from readerstudy.coordinator.exports.tables import (
    audit_frame,
    provenance_frame,
    unblinding_key_frame,
    wide_frame,
)
from readerstudy.coordinator.selectors.audit import AuditFilter
from readerstudy.reading.selectors.frame import ratings_frame
from readerstudy.studies.models import Study
from readerstudy.studies.spreadsheet_safety import TRIGGERS, neutralise_frame

EXPORT_KINDS: dict[str, tuple[str, Callable[[Study], pd.DataFrame]]] = {
    "ratings": ("Ratings, one row per score", ratings_frame),
    "wide": ("Ratings, one row per reader × case × sequence × arm", wide_frame),
    "key": ("Unblinding key (task → pane → arm)", unblinding_key_frame),
    "provenance": ("Provenance and blinding-diff report", provenance_frame),
    "audit": ("Audit log", audit_frame),
}
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str
    rows: int


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark and a header row; CRLF line ends as RFC 4180 has them. Text
    that a spreadsheet would run as a formula is neutralised (studies/spreadsheet_safety.py)."""
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Column widths in characters: from the longest of the header and the first rows' values.
MIN_WIDTH, MAX_WIDTH, WIDTH_SAMPLE = 8, 60, 500


def _dates(values: pd.Series) -> pd.Series:
    """ISO 8601 UTC text as naive UTC datetimes (Excel has no time zones); empty stays empty."""
    parsed = pd.to_datetime(values.replace("", None), utc=True, errors="coerce", format="ISO8601")
    return parsed.dt.tz_localize(None).astype(object).where(parsed.notna(), None)


def _width(frame: pd.DataFrame, column) -> float:
    sample = frame[column].head(WIDTH_SAMPLE)
    longest = max([len(str(column))] + [len(str(v)) for v in sample if v is not None])
    return float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))


def _write_table(worksheet, frame: pd.DataFrame, bold: Font, *, dates: tuple = ()) -> None:
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(worksheet, value=str(name))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    positions = [i for i, name in enumerate(frame.columns) if name in dates]
    for values in frame.itertuples(index=False, name=None):
        row = [_xlsx_cell(worksheet, value) for value in values]
        for i in positions:
            if isinstance(values[i], datetime):
                cell = WriteOnlyCell(worksheet, value=values[i])
                cell.number_format = DATE_FORMAT
                row[i] = cell
        worksheet.append(row)


def frame_to_xlsx(
    frame: pd.DataFrame, *, sheet: str = "data", codebook: dict[str, pd.DataFrame] | None = None
) -> bytes:
    """The table on one sheet, and its codebook on a second one when given.

    The data sheet has a bold, frozen header with an autofilter, columns sized to their content
    and real dates (UTC) in the timestamp columns. Text stays text, even when it starts with '='.
    ``codebook`` is :func:`readerstudy.coordinator.exports.codebook.codebook_frames`' result.
    """
    frame = frame.copy()
    dates = tuple(c for c in frame.columns if c in DATE_COLUMNS)
    for column in dates:
        frame[column] = _dates(frame[column].astype(object))
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for i, column in enumerate(frame.columns, start=1):
        worksheet.column_dimensions[get_column_letter(i)].width = (
            20.0 if column in dates else _width(frame, column)
        )
    if len(frame.columns):
        last = get_column_letter(len(frame.columns))
        worksheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    _write_table(worksheet, frame, bold, dates=dates)
    if codebook is not None:
        _write_codebook(workbook, codebook, sheet, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_codebook(workbook, codebook: dict[str, pd.DataFrame], sheet: str, bold: Font) -> None:
    worksheet = workbook.create_sheet(title="codebook")
    for letter, width in zip("ABCDEFGH", (24, 36, 10, 10, 34, 80, 10, 16), strict=True):
        worksheet.column_dimensions[letter].width = width
    wrap = Alignment(wrap_text=True, vertical="top")

    def line(*values, font=None) -> None:
        cells = []
        for value in values:
            cell = WriteOnlyCell(worksheet, value=value)
            if font:
                cell.font = font
            cell.alignment = wrap
            cells.append(cell)
        worksheet.append(cells)

    line("Codebook", font=Font(bold=True, size=13))
    line("Scores: higher is always better; for artifact criteria the highest score means no "
         "artifact. Times are UTC.")  # fmt: skip
    line()
    line("Criteria", font=bold)
    _write_table(worksheet, codebook["criteria"], bold)
    line()
    line(f"Columns of the {sheet} sheet", font=bold)
    _write_table(worksheet, codebook["columns"], bold)


def _xlsx_cell(worksheet, value):
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):  # numpy scalar → Python scalar
        value = value.item()
    if isinstance(value, str) and value.startswith(TRIGGERS):
        # openpyxl would store "=…" as a formula; the data is text, and stays exactly as it is.
        cell = WriteOnlyCell(worksheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def study_export(
    *,
    study: Study,
    kind: str,
    fmt: str = "csv",
    actor=None,
    request=None,
    via: str = "web",
    audit_filter: AuditFilter | None = None,
) -> Export:
    """Build one export file and audit it: who, what, how many rows, from where."""
    if kind not in EXPORT_KINDS:
        raise ValidationError(f"Unknown export {kind!r}; choose one of: {', '.join(EXPORT_KINDS)}.")
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown format {fmt!r}; choose csv or xlsx.")
    build = EXPORT_KINDS[kind][1]
    frame = audit_frame(study, audit_filter) if kind == "audit" else build(study)
    if fmt == "csv":
        content = frame_to_csv(frame)
    else:
        codebook = codebook_frames(study, [str(c) for c in frame.columns])
        content = frame_to_xlsx(frame, sheet=kind, codebook=codebook)
    stamp = timezone.now().strftime("%Y%m%dT%H%MZ")
    filename = f"{study.slug}-{kind}-{stamp}.{fmt}"
    audit_record(
        action=f"export.{kind}",
        actor=actor,
        study=study,
        target=study,
        data={"format": fmt, "rows": len(frame), "via": via, "filename": filename},
        request=request,
    )
    return Export(content=content, filename=filename, content_type=FORMATS[fmt], rows=len(frame))
