"""CSV exports neutralise text that a spreadsheet would run as a formula (OWASP "CSV injection"):
case ids and site names come from manifests and headers, usernames from people. Web, API and
command-line exports share one writer; XLSX keeps such text as text cells."""

import csv
import io

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command

from readerstudy.coordinator.exports.files import frame_to_csv, study_export
from readerstudy.studies.models import Case, Site
from readerstudy.studies.spreadsheet_safety import neutralise
from tests.studies.builders import add_cases, add_schedule

EVIL = ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)", "+1+2", "-2+3", "\tTAB", "\rCR"]


@pytest.mark.parametrize("value", EVIL)
def test_each_trigger_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["-0.5", "+3", "-12", "1e-3", "-.25", "P001", "NYU", ""])
def test_plain_numbers_and_ordinary_text_are_left_alone(value):
    assert neutralise(value) == value


@pytest.fixture
def evil_study(study, bob):
    add_cases(study, 1)
    Site.objects.filter(study=study, name="NYU").update(name="@SUM(1+1)")
    Case.objects.filter(study=study).update(identifier='=HYPERLINK("http://evil.example","x")')
    add_schedule(study, bob, submit=1)
    return study


def _rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("kind", ["ratings", "wide", "key", "provenance"])
def test_no_exported_csv_cell_starts_a_formula(evil_study, kind):
    rows = _rows(study_export(study=evil_study, kind=kind).content)
    assert rows
    cells = [value for row in rows for value in row.values() if value]
    assert not [c for c in cells if c[0] in "=+@\t\r" or (c[0] == "-" and not _number(c))]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_api_and_the_command_line_write_the_same_neutralised_csv(
    client, evil_study, alice, tmp_path
):
    client.force_login(alice)
    api = client.get("/api/studies/glioma/exports/ratings.csv").content
    page = client.get("/studies/glioma/exports/ratings.csv").content
    out = tmp_path / "ratings.csv"
    call_command("export_table", "glioma", "ratings", "--out", str(out), stdout=io.StringIO())
    for content in (api, page, out.read_bytes()):
        assert b"'=HYPERLINK" in content and b"'@SUM" in content


def test_genuine_negative_numbers_round_trip():
    frame = pd.DataFrame({"difference": [-0.5, 1.25], "label": ["-1", "=1+1"], "n": [-3, 4]})
    back = pd.read_csv(io.BytesIO(frame_to_csv(frame)), encoding="utf-8-sig")
    assert back["difference"].tolist() == [-0.5, 1.25]
    assert back["n"].tolist() == [-3, 4]
    assert back["label"].tolist() == ["-1", "'=1+1"]


def test_xlsx_keeps_the_original_text_as_text(evil_study):
    content = study_export(study=evil_study, kind="ratings", fmt="xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    case = sheet.cell(row=2, column=header.index("case") + 1)
    site = sheet.cell(row=2, column=header.index("site") + 1)
    assert case.value.startswith("=HYPERLINK") and case.data_type == "s"
    assert site.value == "@SUM(1+1)" and site.data_type == "s"
