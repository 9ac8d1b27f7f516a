"""Exports: exact columns, one row per score, rows that match the database, a correct unblinding
key, CSV as UTF-8 with BOM, XLSX readable by openpyxl, and an audit entry for each."""

import csv
import io

import openpyxl
import pytest
from django.core.management import call_command

from readerstudy.analysis.stats.io import read_csv_bytes, validate_ratings
from readerstudy.audit.models import AuditEvent
from readerstudy.coordinator.exports.files import frame_to_xlsx, study_export
from readerstudy.reading.models import Pane, Rating
from readerstudy.reading.selectors.frame import RATINGS_COLUMNS, ratings_frame
from tests.studies.builders import add_cases, add_schedule

EXPECTED_COLUMNS = [
    "study",
    "site",
    "reader",
    "reader_site",
    "case",
    "sequence",
    "arm",
    "criterion",
    "score",
    "scale_min",
    "scale_max",
    "task",
    "pane",
    "position",
    "read_order",
    "started_at",
    "submitted_at",
    "duration_s",
]


@pytest.fixture
def rated(study, bob):
    add_cases(study, 2)
    add_schedule(study, bob, submit=4, draft=1)
    return study


def _csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_ratings_frame_has_exactly_the_contract_columns(rated):
    assert list(RATINGS_COLUMNS) == EXPECTED_COLUMNS
    assert list(ratings_frame(rated).columns) == EXPECTED_COLUMNS


def test_the_ratings_export_has_one_row_per_submitted_score(rated):
    export = study_export(study=rated, kind="ratings", fmt="csv")
    rows = _csv_rows(export.content)
    submitted = Rating.objects.filter(assignment__status="submitted")
    assert len(rows) == submitted.count() == 4 * 2 * 7
    assert list(rows[0]) == EXPECTED_COLUMNS


def test_every_exported_row_matches_the_database(rated):
    rows = _csv_rows(study_export(study=rated, kind="ratings").content)
    exported = {(r["reader"], r["case"], r["sequence"], r["arm"], r["criterion"]): r for r in rows}
    for rating in Rating.objects.filter(assignment__status="submitted").select_related(
        "assignment__task__case__site", "assignment__task__sequence", "series", "criterion", "pane"
    ):
        assignment = rating.assignment
        row = exported[
            (
                "bob",
                assignment.task.case.identifier,
                assignment.task.sequence.key,
                rating.series.arm,
                rating.criterion.key,
            )
        ]
        assert int(row["score"]) == rating.score
        assert row["study"] == "glioma"
        assert row["site"] == assignment.task.case.site.name
        assert row["reader_site"] == "NYU"
        assert row["pane"] == rating.pane.name
        assert row["position"] == {"A": "left", "B": "right"}[rating.pane.name]
        assert int(row["task"]) == assignment.task_id
        assert int(row["read_order"]) == assignment.read_order
        assert float(row["duration_s"]) == assignment.active_seconds
        assert row["submitted_at"].startswith(assignment.submitted_at.strftime("%Y-%m-%dT%H:%M"))


def test_the_export_passes_the_analysis_input_validation_with_its_own_scale(rated):
    frame = read_csv_bytes(study_export(study=rated, kind="ratings").content)
    clean, scale = validate_ratings(frame, line_offset=2)
    assert len(clean) == 56
    assert scale == (1, 5)
    assert set(frame["scale_min"]) == {"1"} and set(frame["scale_max"]) == {"5"}


def test_drafts_stay_out_of_the_ratings_export(rated):
    assert Rating.objects.filter(assignment__status="draft").exists()
    frame = ratings_frame(rated)
    assert set(frame["read_order"]) == {1, 2, 3, 4}
    assert len(ratings_frame(rated, include_drafts=True)) == 5 * 2 * 7


def test_the_unblinding_key_maps_each_pane_to_its_arm(rated):
    rows = _csv_rows(study_export(study=rated, kind="key").content)
    assert len(rows) == Pane.objects.count() == 6 * 2
    for row in rows:
        pane = Pane.objects.get(assignment__read_order=int(row["read_order"]), name=row["pane"])
        assert row["arm"] == pane.series.arm
        assert int(row["series"]) == pane.series_id
        assert row["label"] == f"Case {row['read_order']}"
        assert row["position"] == ("left" if row["pane"] == "A" else "right")
    # The builder puts DL on the left in odd read orders.
    first = [r for r in rows if r["read_order"] == "1"]
    assert {r["pane"]: r["arm"] for r in first} == {"A": "enhanced", "B": "conventional"}


def test_the_wide_table_has_one_row_per_reader_case_sequence_arm(rated):
    rows = _csv_rows(study_export(study=rated, kind="wide").content)
    criteria = list(rated.criteria.values_list("key", flat=True))
    assert len(rows) == 4 * 2
    assert list(rows[0])[-7:] == criteria
    assert "score" not in rows[0] and "criterion" not in rows[0]
    long = ratings_frame(rated)
    for row in rows:
        for key in criteria:
            match = long[
                (long["case"] == row["case"])
                & (long["sequence"] == row["sequence"])
                & (long["arm"] == row["arm"])
                & (long["criterion"] == key)
            ]
            assert int(row[key]) == int(match["score"].iloc[0])


def test_the_xlsx_export_opens_in_openpyxl_with_the_same_rows(rated):
    export = study_export(study=rated, kind="ratings", fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["ratings"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == EXPECTED_COLUMNS
    assert len(values) - 1 == export.rows == 56
    assert export.filename.endswith(".xlsx")


def test_the_xlsx_has_real_dates_a_filter_widths_and_the_same_values_as_the_csv(rated):
    from datetime import datetime

    workbook = openpyxl.load_workbook(
        io.BytesIO(study_export(study=rated, kind="ratings", fmt="xlsx").content)
    )
    sheet = workbook["ratings"]
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(EXPECTED_COLUMNS))}57"
    )
    header = [c.value for c in sheet[1]]
    submitted = header.index("submitted_at") + 1
    cell = sheet.cell(row=2, column=submitted)
    assert isinstance(cell.value, datetime) and cell.number_format == "yyyy-mm-dd hh:mm:ss"
    widths = {c: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
              for i, c in enumerate(header, start=1)}  # fmt: skip
    assert widths["submitted_at"] == 20 and 8 <= widths["case"] <= 60
    assert widths["reader_site"] >= len("reader_site")
    # The same rows as the CSV; the CSV keeps the timestamp as ISO 8601 UTC text.
    csv_rows = _csv_rows(study_export(study=rated, kind="ratings").content)
    for row, csv_row in zip(sheet.iter_rows(min_row=2, values_only=True), csv_rows, strict=True):
        got = dict(zip(header, row, strict=True))
        assert got["submitted_at"].strftime("%Y-%m-%dT%H:%M:%S") == csv_row["submitted_at"][:19]
        assert str(got["score"]) == csv_row["score"] and got["case"] == csv_row["case"]
        assert (got["scale_min"], got["scale_max"]) == (1, 5)


def test_the_xlsx_codebook_lists_criteria_anchors_direction_and_columns(rated):
    workbook = openpyxl.load_workbook(
        io.BytesIO(study_export(study=rated, kind="ratings", fmt="xlsx").content)
    )
    assert workbook.sheetnames == ["ratings", "codebook"]
    rows = [[v for v in row if v is not None] for row in workbook["codebook"].iter_rows(
        values_only=True)]  # fmt: skip
    assert rows[0] == ["Codebook"]
    criteria_header = rows.index(["Criteria"]) + 1
    assert rows[criteria_header] == ["criterion", "label", "scale_min", "scale_max", "direction",
                                     "anchors", "required", "non-inferiority"]  # fmt: skip
    by_key = {row[0]: row for row in rows[criteria_header + 1 : criteria_header + 8]}
    quality = by_key["overall_quality"]
    assert quality[1] == "Overall image quality" and quality[2:4] == [1, 5]
    assert quality[4] == "higher is better: 5 is the best score"
    assert quality[5].startswith("1 = ") and "; 5 = " in quality[5]
    assert by_key["motion_artifact"][4] == "higher is better: 5 is the best score, no artifact"
    columns_at = rows.index(["Columns of the ratings sheet"]) + 1
    meanings = {row[0]: row[1] for row in rows[columns_at + 1 :]}
    assert list(meanings) == EXPECTED_COLUMNS
    assert all(meanings.values())
    assert meanings["submitted_at"] == "When the reader submitted the task (UTC)."


def test_every_export_kind_has_a_codebook_for_each_of_its_columns(rated, alice):
    for kind in ("wide", "key", "provenance", "audit"):
        study_export(study=rated, kind="ratings", fmt="csv", actor=alice)  # something to audit
        workbook = openpyxl.load_workbook(
            io.BytesIO(study_export(study=rated, kind=kind, fmt="xlsx").content)
        )
        header = [c.value for c in workbook[kind][1]]
        rows = list(workbook["codebook"].iter_rows(values_only=True))
        at = next(i for i, row in enumerate(rows) if row[0] == f"Columns of the {kind} sheet")
        meanings = {row[0]: row[1] for row in rows[at + 2 :]}
        assert list(meanings) == header, kind
        assert all(meanings.values()), (kind, [c for c, m in meanings.items() if not m])


def test_text_starting_with_an_equals_sign_stays_text_in_xlsx():
    import pandas as pd

    content = frame_to_xlsx(pd.DataFrame({"case": ["=HYPERLINK(1)"], "score": [3]}))
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["data"]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "=HYPERLINK(1)"
    assert sheet["A2"].data_type == "s"


def test_the_provenance_report_lists_each_tell(rated):
    rows = _csv_rows(study_export(study=rated, kind="provenance").content)
    assert len(rows) == 2 * 3
    assert {r["attribute"] for r in rows} == {"SeriesDescription"}
    assert rows[0]["enhanced"] == "T2 AX DL"
    assert rows[0]["pair_status"] == "complete"


def test_every_export_is_audited(rated, alice):
    for kind in ("ratings", "wide", "key", "provenance", "audit"):
        study_export(study=rated, kind=kind, fmt="csv", actor=alice)
    actions = list(
        AuditEvent.objects.filter(action__startswith="export.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        f"export.{k}" for k in ("ratings", "wide", "key", "provenance", "audit")
    )


def test_export_ratings_writes_the_csv_from_the_command_line(rated, tmp_path):
    out = tmp_path / "ratings.csv"
    call_command("export_ratings", "glioma", "--out", str(out), stdout=io.StringIO())
    rows = _csv_rows(out.read_bytes())
    assert len(rows) == 56
    event = AuditEvent.objects.get(action="export.ratings")
    assert event.data["via"] == "cli"


def test_export_ratings_writes_xlsx_when_asked(rated, tmp_path):
    out = tmp_path / "ratings.xlsx"
    call_command(
        "export_ratings", "glioma", "--out", str(out), "--format", "xlsx", stdout=io.StringIO()
    )
    assert openpyxl.load_workbook(out)["ratings"].max_row == 57


def test_export_table_refuses_an_unknown_study(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No study with the slug 'nope'"):
        call_command("export_table", "nope", "key", "--out", str(tmp_path / "k.csv"))
