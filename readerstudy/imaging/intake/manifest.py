"""The import manifest: a CSV that maps DICOM series to case, site, sequence and arm.

Columns: ``case, site, sequence, arm`` plus ``series_uid`` (SeriesInstanceUID) or ``path`` (a
folder, file or glob relative to the import root); ``country`` is optional and used for new sites.
Every error names the data row and the file line (the header is line 1, so row 1 is line 2).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from readerstudy.studies.vocabulary import ARMS

REQUIRED_COLUMNS = ("case", "site", "sequence", "arm")
MAX_MANIFEST_BYTES = 5 * 1024 * 1024


class ManifestError(Exception):
    """The manifest cannot be used; ``errors`` lists every problem found, each naming its row."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class ManifestRow:
    row: int  # 1-based data row
    line: int  # line in the file (header = line 1)
    case: str
    site: str
    sequence: str
    arm: str
    series_uid: str = ""
    path: str = ""
    country: str = ""

    @property
    def where(self) -> str:
        return f"Manifest row {self.row} (line {self.line})"

    @property
    def slot(self) -> tuple[str, str, str]:
        return (self.case, self.sequence, self.arm)


def _delimiter(header_line: str) -> str:
    # Spreadsheets in many locales save "CSV" with semicolons; tabs come from copy-paste.
    if "," not in header_line:
        for candidate in (";", "\t"):
            if candidate in header_line:
                return candidate
    return ","


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(["The manifest is larger than 5 MB; is it the right file?"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(["The manifest is not UTF-8 text; save it as CSV (UTF-8)."]) from None


def parse_manifest(data: bytes | str, *, sequences: Iterable[str]) -> list[ManifestRow]:
    """Parse and validate a manifest against the study's sequence keys.

    Raises ``ManifestError`` listing every problem; sequence and arm names are matched without
    regard to case and returned in the study's spelling.
    """
    text = _decode(data)
    keys = {key.lower(): key for key in sequences}
    first_line = text.splitlines()[0] if text.strip() else ""
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(first_line))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    if not columns:
        raise ManifestError(["The manifest is empty; its first line must name the columns."])
    reader.fieldnames = columns
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        errors.append(
            f"The manifest has no {names} column{'s' if len(missing) > 1 else ''} (line 1); "
            "it needs case, site, sequence, arm and series_uid or path."
        )
    if "series_uid" not in columns and "path" not in columns:
        errors.append("The manifest needs a 'series_uid' or a 'path' column (line 1).")
    if errors:
        raise ManifestError(errors)

    rows: list[ManifestRow] = []
    by_slot: dict[tuple, ManifestRow] = {}
    by_source: dict[tuple, ManifestRow] = {}
    line = 1
    for number, record in enumerate(reader, start=1):
        line = reader.line_num
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        if not any(values.values()):
            continue  # blank lines at the end of a spreadsheet export
        where = f"Manifest row {number} (line {line})"
        empty = [c for c in REQUIRED_COLUMNS if not values.get(c)]
        if empty:
            errors.append(f"{where}: {', '.join(repr(c) for c in empty)} is empty.")
            continue
        sequence = keys.get(values["sequence"].lower())
        if sequence is None:
            errors.append(
                f"{where}: unknown sequence '{values['sequence']}'; the study's sequences are "
                f"{', '.join(keys.values()) or '(none)'}."
            )
        arm = values["arm"].lower()
        if arm not in ARMS:
            errors.append(
                f"{where}: unknown arm '{values['arm']}'; use 'conventional' or 'enhanced'."
            )
        series_uid, path = values.get("series_uid", ""), values.get("path", "")
        if not series_uid and not path:
            errors.append(f"{where}: give a series_uid or a path.")
        if sequence is None or arm not in ARMS or (not series_uid and not path):
            continue
        row = ManifestRow(
            row=number,
            line=line,
            case=values["case"],
            site=values["site"],
            sequence=sequence,
            arm=arm,
            series_uid=series_uid,
            path=path.replace("\\", "/").strip("/") if path else "",
            country=values.get("country", ""),
        )
        earlier = by_slot.get(row.slot)
        if earlier is not None:
            errors.append(
                f"{where} repeats row {earlier.row} (line {earlier.line}): case {row.case}, "
                f"{row.sequence}, {row.arm} appears twice."
            )
            continue
        source = (series_uid, row.path)
        if source in by_source:
            earlier = by_source[source]
            what = f"series_uid '{series_uid}'" if series_uid else f"path '{row.path}'"
            errors.append(
                f"{where} repeats row {earlier.row} (line {earlier.line}): {what} is mapped twice."
            )
            continue
        by_slot[row.slot] = row
        by_source[source] = row
        rows.append(row)
    if not errors and not rows:
        errors.append("The manifest has a header but no rows.")
    if errors:
        raise ManifestError(errors)
    return rows
