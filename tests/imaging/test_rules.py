"""Imports without a manifest: the study's import rules decide, and nothing is guessed."""

from __future__ import annotations

import pytest

from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.studies.models import Case
from tests.imaging.dicom_factory import write_series

RULES = {
    "T2W": {"conventional": r"(?i)^t2 ax$", "enhanced": r"(?i)^t2 ax dl$"},
    "FLAIR": {"conventional": r"(?i)^flair$", "enhanced": r"(?i)^flair dl$"},
    "_site": "NYU",
}


@pytest.fixture
def ruled_study(study):
    study.import_rules = RULES
    study.save()
    return study


def test_rules_map_series_by_description_and_case_by_patient_id(ruled_study, tmp_path):
    write_series(tmp_path / "a", description="T2 AX", patient_id="P7", seed=1)
    write_series(tmp_path / "b", description="T2 AX DL", patient_id="P7", seed=2)

    report = import_dicom(study=ruled_study, path=tmp_path)

    assert sorted((e["case"], e["sequence"], e["arm"]) for e in report.imported) == [
        ("P7", "T2W", "conventional"),
        ("P7", "T2W", "enhanced"),
    ]
    assert report.imported[0]["decided_by"].startswith("import rule T2W/")
    assert Case.objects.get(identifier="P7").site.name == "NYU"


def test_a_series_matching_no_rule_is_listed_not_guessed(ruled_study, tmp_path):
    write_series(tmp_path / "a", description="Localizer")

    report = import_dicom(study=ruled_study, path=tmp_path)

    assert report.unmatched[0]["reason"] == "its description “Localizer” matches no import rule"
    assert not Series.objects.exists()
    assert report.failed


def test_a_series_matching_two_rules_is_listed_not_guessed(ruled_study, tmp_path):
    ruled_study.import_rules = {**RULES, "T1CE": {"conventional": "(?i)t2"}}
    ruled_study.save()
    write_series(tmp_path / "a", description="T2 AX")

    report = import_dicom(study=ruled_study, path=tmp_path)

    assert report.unmatched[0]["reason"] == (
        "its description “T2 AX” matches several import rules (T1CE/conventional, T2W/conventional)"
    )


def test_two_series_for_one_slot_are_both_rejected(ruled_study, tmp_path):
    write_series(tmp_path / "a", description="T2 AX", seed=1)
    write_series(tmp_path / "b", description="T2 AX", seed=2)

    report = import_dicom(study=ruled_study, path=tmp_path)

    assert len(report.rejected) == 2
    assert report.rejected[0]["reason"].startswith("2 series match case P001 T2W conventional (")
    assert not Series.objects.exists()


def test_a_new_case_needs_a_site_in_the_rules(study, tmp_path):
    study.import_rules = {"T2W": {"conventional": "T2"}}
    study.save()
    write_series(tmp_path / "a", description="T2 AX", patient_id="NEW1")

    report = import_dicom(study=study, path=tmp_path)

    assert report.unmatched[0]["reason"] == (
        "case 'NEW1' is not in the study yet and the import rules name no '_site' for new cases; "
        "use a manifest"
    )


def test_no_manifest_and_no_rules_is_refused(study, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=tmp_path)
    assert str(refused.value) == (
        "Without a manifest the study needs import rules (a pattern per sequence and arm)."
    )


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"T9": {"enhanced": "x"}}, "The import rules name sequence 'T9', which the study does "
         "not have."),
        ({"T2W": {"dl": "x"}}, "The import rule T2W/dl names an unknown arm; use 'conventional' "
         "or 'enhanced'."),
        ({"T2W": {"enhanced": "("}}, "The import rule T2W/enhanced is not a valid regular "
         "expression: missing ), unterminated subpattern at position 0."),
        ({"T2W": {"enhanced": "x"}, "_case": "Height"}, "The import rules' '_case' must be one "
         "of PatientID, PatientName, AccessionNumber, StudyID, not 'Height'."),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_with_the_rule_named(study, tmp_path, rules, message):
    study.import_rules = rules
    study.save()
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=tmp_path)
    assert str(refused.value) == message
