"""Manifest parsing: every error names the row (data row and file line) and the bad value."""

from __future__ import annotations

import pytest

from readerstudy.imaging.intake.manifest import ManifestError, parse_manifest
from readerstudy.imaging.services.intake import ImportRefused, import_dicom

SEQUENCES = ["T2W", "FLAIR", "T1CE"]
HEADER = "case,site,sequence,arm,path\n"


def errors_of(text: str) -> list[str]:
    with pytest.raises(ManifestError) as error:
        parse_manifest(text.encode(), sequences=SEQUENCES)
    return error.value.errors


def test_a_good_manifest_gives_rows_in_the_studys_spelling():
    rows = parse_manifest(
        (HEADER + "C1,NYU,t2w,Conventional,a/b/\nC1,NYU,FLAIR,enhanced,c\n").encode(),
        sequences=SEQUENCES,
    )
    assert [(r.row, r.line, r.sequence, r.arm, r.path) for r in rows] == [
        (1, 2, "T2W", "conventional", "a/b"),
        (2, 3, "FLAIR", "enhanced", "c"),
    ]


def test_an_unknown_sequence_is_named_with_its_row():
    assert errors_of(HEADER + "C1,NYU,T2W,conventional,a\nC1,NYU,T3,enhanced,b\n") == [
        "Manifest row 2 (line 3): unknown sequence 'T3'; the study's sequences are T2W, FLAIR, "
        "T1CE."
    ]


def test_an_unknown_arm_is_named_with_its_row():
    assert errors_of(HEADER + "C1,NYU,T2W,dl,a\n") == [
        "Manifest row 1 (line 2): unknown arm 'dl'; use 'conventional' or 'enhanced'."
    ]


def test_a_missing_column_is_named():
    assert errors_of("case,site,sequence,path\nC1,NYU,T2W,a\n") == [
        "The manifest has no 'arm' column (line 1); it needs case, site, sequence, arm and "
        "series_uid or path."
    ]


def test_a_manifest_without_series_uid_or_path_column_is_refused():
    assert errors_of("case,site,sequence,arm\nC1,NYU,T2W,enhanced\n") == [
        "The manifest needs a 'series_uid' or a 'path' column (line 1)."
    ]


def test_a_duplicate_row_names_both_rows():
    text = HEADER + (
        "C1,NYU,T2W,conventional,a\nC2,NYU,T2W,conventional,b\nC1,NYU,T2W,conventional,c\n"
    )
    assert errors_of(text) == [
        "Manifest row 3 (line 4) repeats row 1 (line 2): case C1, T2W, conventional appears twice."
    ]


def test_the_same_path_mapped_twice_is_a_duplicate():
    assert errors_of(HEADER + "C1,NYU,T2W,conventional,a\nC1,NYU,T2W,enhanced,a\n") == [
        "Manifest row 2 (line 3) repeats row 1 (line 2): path 'a' is mapped twice."
    ]


def test_empty_values_and_missing_sources_are_named():
    assert errors_of(HEADER + ",NYU,T2W,conventional,a\nC1,NYU,T2W,enhanced,\n") == [
        "Manifest row 1 (line 2): 'case' is empty.",
        "Manifest row 2 (line 3): give a series_uid or a path.",
    ]


def test_all_errors_are_listed_at_once():
    text = HEADER + "C1,NYU,T9,conventional,a\nC1,NYU,T2W,xx,b\n"
    assert len(errors_of(text)) == 2


def test_blank_lines_are_ignored_and_a_semicolon_file_is_read():
    rows = parse_manifest(
        b"\xef\xbb\xbfcase;site;sequence;arm;series_uid\n\nC1;NYU;T2W;enhanced;1.2.3\n;;;;\n",
        sequences=SEQUENCES,
    )
    assert [(r.row, r.line, r.series_uid) for r in rows] == [(1, 3, "1.2.3")]


def test_an_empty_manifest_is_refused():
    assert errors_of("") == ["The manifest is empty; its first line must name the columns."]
    assert errors_of(HEADER) == ["The manifest has a header but no rows."]


def test_a_manifest_that_is_not_text_is_refused():
    with pytest.raises(ManifestError) as error:
        parse_manifest(b"\x89PNG\r\n\x1a\n\xff\xfe", sequences=SEQUENCES)
    assert error.value.errors == ["The manifest is not UTF-8 text; save it as CSV (UTF-8)."]


def test_the_import_is_refused_as_a_whole_on_a_manifest_error(study, tmp_path):
    with pytest.raises(ImportRefused) as refused:
        import_dicom(study=study, path=tmp_path, manifest=(HEADER + "C1,NYU,T2W,dl,a\n").encode())
    assert str(refused.value) == (
        "Manifest row 1 (line 2): unknown arm 'dl'; use 'conventional' or 'enhanced'."
    )


def test_a_manifest_file_path_is_read(study, tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text(HEADER + "C1,NYU,T2W,dl,a\n")
    with pytest.raises(ImportRefused, match="unknown arm 'dl'"):
        import_dicom(study=study, path=tmp_path, manifest=manifest)
