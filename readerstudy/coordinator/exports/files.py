"""Export files: CSV (UTF-8 with BOM, so Excel opens it unmangled) and XLSX (openpyxl).

``study_export`` is the one entry point for the web page, the API and the CLI, so every export is
built the same way and audited the same way.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from readerstudy.audit.services import audit_record
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


def frame_to_xlsx(frame: pd.DataFrame, *, sheet: str = "data") -> bytes:
    """One sheet with a bold, frozen header. Text stays text, even when it starts with '='."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in frame.columns:
        cell = WriteOnlyCell(worksheet, value=str(name))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)
    for values in frame.itertuples(index=False, name=None):
        worksheet.append([_xlsx_cell(worksheet, value) for value in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    content = frame_to_csv(frame) if fmt == "csv" else frame_to_xlsx(frame, sheet=kind)
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
