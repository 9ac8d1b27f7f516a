"""ROI CSV import (service and ``manage.py import_rois``): good lines, bad lines with exact
messages naming the line, all or nothing, re-runs change nothing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.models import ROI
from readerstudy.imaging.services.rois_csv import ROIImportError, rois_import_csv
from readerstudy.studies.models import Case
from tests.factories import make_series

HEADER = "case,sequence,label,slice,shape,points\n"


@pytest.fixture
def case(study):
    """Case NYU-01 with a 4 × 20 × 30 T2W pair (rows 20, columns 30)."""
    case = Case.objects.create(study=study, site=study.sites.first(), identifier="NYU-01")
    sequence = study.sequences.get(key="T2W")
    volume = np.full((4, 20, 30), 300, dtype="<i2")
    for arm in ("conventional", "enhanced"):
        make_series(case=case, sequence=sequence, arm=arm, volume=volume)
    return case


def test_good_lines_in_text_and_json_points_are_imported(case, alice):
    text = HEADER + (
        'NYU-01,T2W,white_matter,2,ellipse,"10 8; 4 3"\n'
        'NYU-01,t2w,Lesion,4,polygon,"[[1,1],[9,1],[9,7.5],[1,7]]"\n'
        "NYU-01,T2W,custom,1,polygon,2 2; 6 2; 4 6\n"
    )
    report = rois_import_csv(study=case.study, csv_text_or_path=text, actor=alice)
    assert (report.created, report.skipped, report.lines) == (3, 0, 3)
    assert report.as_text() == "3 ROIs imported, 0 already present, from 3 lines."
    rois = {r.label: r for r in ROI.objects.all()}
    assert rois["white_matter"].slice_index == 1  # slice is 1-based in the CSV
    assert rois["white_matter"].points == [[10.0, 8.0], [4.0, 3.0]]
    assert rois["lesion"].points == [[1, 1], [9, 1], [9, 7.5], [1, 7]]
    assert rois["lesion"].sequence.key == "T2W" and rois["lesion"].slice_index == 3
    assert rois["custom"].created_by == alice
    assert AuditEvent.objects.filter(action="roi.import").get().data["created"] == 3


def test_an_optional_name_column_names_custom_rois(case):
    text = HEADER.replace("points", "points,name") + "NYU-01,T2W,custom,1,ellipse,5 5; 2 2,Pons\n"
    rois_import_csv(study=case.study, csv_text_or_path=text)
    assert ROI.objects.get().name == "Pons"


def test_importing_the_same_file_again_adds_nothing(case, tmp_path):
    path = tmp_path / "rois.csv"
    path.write_text(HEADER + 'NYU-01,T2W,csf,1,ellipse,"5 5; 2 2"\n', encoding="utf-8")
    assert rois_import_csv(study=case.study, csv_text_or_path=path).created == 1
    again = rois_import_csv(study=case.study, csv_text_or_path=str(path))
    assert (again.created, again.skipped) == (0, 1)
    assert ROI.objects.count() == 1


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_imported(case):
    text = HEADER + (
        'NYU-01,T2W,csf,1,ellipse,"5 5; 2 2"\n'  # good, but the file is rejected as a whole
        'NYU-99,T2W,csf,1,ellipse,"5 5; 2 2"\n'
        'NYU-01,DWI,csf,1,ellipse,"5 5; 2 2"\n'
        'NYU-01,T2W,tumor,1,ellipse,"5 5; 2 2"\n'
        'NYU-01,T2W,csf,1,circle,"5 5; 2 2"\n'
        'NYU-01,T2W,csf,first,ellipse,"5 5; 2 2"\n'
        "\n"
        'NYU-01,T2W,csf,1,ellipse,"5 5; two 2"\n'
        'NYU-01,T2W,csf,1,polygon,"[[1, 2], [3, 4]"\n'
        'NYU-01,T2W,csf,5,ellipse,"5 5; 2 2"\n'
        'NYU-01,T2W,csf,1,ellipse,"30 5; 2 2"\n'
        'NYU-01,T2W,csf,1,polygon,"1 1; 3 1"\n'
        'NYU-01,T2W,csf,1,ellipse,"5 5; 2 2; 1 1"\n'
        'NYU-01,T2W,csf,1,polygon,"1 1; 35 1; 3 3"\n'
        "NYU-01,T2W,,1,ellipse,5 5; 2 2\n"
        'NYU-01,FLAIR,csf,1,ellipse,"5 5; 2 2"\n'
    )
    with pytest.raises(ROIImportError) as rejected:
        rois_import_csv(study=case.study, csv_text_or_path=text)
    assert rejected.value.problems == [
        'rois.csv, line 3: column "case" is "NYU-99", not a case of study "glioma".',
        'rois.csv, line 4: column "sequence" is "DWI"; expected one of T2W, FLAIR, T1CE.',
        'rois.csv, line 5: column "label" is "tumor"; expected one of lesion, white_matter, '
        "gray_matter, csf, background, custom.",
        'rois.csv, line 6: column "shape" is "circle"; expected "ellipse" or "polygon".',
        'rois.csv, line 7: column "slice" is "first", not a whole number (1 = first slice).',
        'rois.csv, line 9: column "points" needs pairs of numbers (x y): "5 5; two 2".',
        'rois.csv, line 10: column "points" is not valid JSON: "[[1, 2], [3, 4]".',
        "rois.csv, line 11: the ROI is not valid: slice 5 is outside 1–4.",
        "rois.csv, line 12: the ROI is not valid: the ellipse centre (30, 5) is outside the "
        "30×20 image.",
        "rois.csv, line 13: the ROI is not valid: a polygon needs 3 to 1000 points.",
        "rois.csv, line 14: the ROI is not valid: an ellipse needs its centre and its radii: "
        "cx cy; rx ry.",
        "rois.csv, line 15: the ROI is not valid: the point (35, 1) is outside the 30×20 image.",
        'rois.csv, line 16: column "label" is empty.',
        "rois.csv, line 17: case NYU-01 has no FLAIR series imported.",
    ]
    assert not ROI.objects.exists()
    assert not AuditEvent.objects.filter(action="roi.import").exists()


def test_a_file_without_the_required_columns_or_rows_is_refused(case):
    with pytest.raises(ROIImportError) as missing:
        rois_import_csv(study=case.study, csv_text_or_path="case,sequence,label,slice\n")
    assert missing.value.problems == [
        "rois.csv: missing column(s): shape, points. Required: case, sequence, label, slice, "
        "shape, points (optional: name)."
    ]
    with pytest.raises(ROIImportError) as empty:
        rois_import_csv(study=case.study, csv_text_or_path=HEADER)
    assert empty.value.problems == ["rois.csv: no rows after the header."]


def test_the_command_imports_and_prints_a_summary(case, tmp_path):
    path = tmp_path / "my_rois.csv"
    path.write_text(HEADER + "NYU-01,T2W,white_matter,2,ellipse,10 8; 4 3\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_rois", "glioma", str(path), stdout=out)
    assert out.getvalue().strip() == "1 ROI imported, 0 already present, from 1 line."


def test_the_command_names_the_file_and_line_of_each_problem(case, tmp_path):
    path = tmp_path / "my_rois.csv"
    path.write_text(HEADER + "NYU-01,T2W,white_matter,9,ellipse,10 8; 4 3\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        call_command("import_rois", "glioma", str(path))
    assert str(failed.value) == (
        "Nothing was imported:\nmy_rois.csv, line 2: the ROI is not valid: slice 9 is outside 1–4."
    )


def test_the_command_refuses_an_unknown_study_or_file(case, tmp_path):
    with pytest.raises(CommandError) as no_study:
        call_command("import_rois", "nope", str(tmp_path / "x.csv"))
    assert str(no_study.value) == 'There is no study "nope".'
    with pytest.raises(CommandError) as no_file:
        call_command("import_rois", "glioma", str(tmp_path / "x.csv"))
    assert str(no_file.value) == f"{tmp_path / 'x.csv'}: no such file."


def test_a_file_that_is_not_utf8_is_refused(case, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes((HEADER + "NYU-01,T2W,custom,1,ellipse,5 5; 2 2\n").encode() + b"\xff\xfe")
    with pytest.raises(ROIImportError) as refused:
        rois_import_csv(study=case.study, csv_text_or_path=path)
    assert refused.value.problems == ["latin.csv: the file is not UTF-8 text."]
