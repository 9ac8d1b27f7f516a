"""Validation of the ratings and ROI tables: every problem named by line and column."""

import pandas as pd
import pytest

from readerstudy.analysis.stats.io import (
    AnalysisInputError,
    frame_checksum,
    parse_scale,
    read_csv_bytes,
    validate_ratings,
    validate_roi_stats,
)

HEADER = "study,site,reader,case,sequence,arm,criterion,score\n"


def _csv(body: str) -> pd.DataFrame:
    return read_csv_bytes((HEADER + body).encode())


def _error(frame, **kwargs) -> str:
    with pytest.raises(AnalysisInputError) as info:
        validate_ratings(frame, source="ratings.csv", line_offset=2, **kwargs)
    return str(info.value)


def test_it_names_missing_columns():
    frame = read_csv_bytes(
        b"study,site,reader,case,sequence,arm,criterion\ns,A,r,c,T2W,enhanced,x\n"
    )
    assert _error(frame) == (
        "ratings.csv: missing required column(s): score. Required: study, site, reader, case, "
        "sequence, arm, criterion, score."
    )


def test_it_names_a_bad_arm_with_its_line():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,4\ns,A,r1,c1,T2W,dl,noise,3\n")
    assert _error(frame) == (
        'ratings.csv, line 3: column "arm" is "dl"; expected "conventional" or "enhanced".'
    )


def test_it_refuses_a_score_that_is_not_an_integer():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,4.5\ns,A,r1,c1,T2W,conventional,noise,four\n")
    assert _error(frame) == (
        'ratings.csv, line 2: column "score" is "4.5", not an integer.\n'
        'ratings.csv, line 3: column "score" is "four", not an integer.'
    )


def test_it_refuses_a_score_outside_the_given_scale():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,7\n")
    assert _error(frame, scale=(1, 5)) == (
        'ratings.csv, line 2: column "score" is 7, outside the scale 1-5.'
    )


def test_it_refuses_a_duplicate_score_and_points_at_the_first():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,4\ns,A,r1,c2,T2W,enhanced,noise,4\n"
                 "s,A,r1,c1,T2W,enhanced,noise,5\n")  # fmt: skip
    assert _error(frame) == (
        'ratings.csv, line 4: duplicate score for reader "r1", case "c1", sequence "T2W", '
        'arm "enhanced", criterion "noise" (first given on line 2).'
    )


def test_it_names_empty_values_and_lists_problems_in_file_order():
    frame = _csv("s,A,,c1,T2W,enhanced,noise,4\ns,A,r1,c1,T2W,dl,noise,9\n")
    assert _error(frame, scale=(1, 5)).splitlines() == [
        'ratings.csv, line 2: column "reader" is empty.',
        'ratings.csv, line 3: column "arm" is "dl"; expected "conventional" or "enhanced".',
        'ratings.csv, line 3: column "score" is 9, outside the scale 1-5.',
    ]


def test_it_refuses_two_studies_in_one_file():
    frame = _csv("a,A,r1,c1,T2W,enhanced,noise,4\nb,A,r1,c1,T2W,conventional,noise,4\n")
    assert _error(frame) == (
        'ratings.csv: holds ratings of 2 studies ("a", "b"); analyse one study at a time.'
    )


def test_it_refuses_a_header_without_rows():
    assert _error(_csv("")) == "ratings.csv: no rows after the header."


def test_frame_rows_are_named_by_position_without_a_line_offset():
    row = {"study": "s", "site": "A", "reader": "r", "case": "c", "sequence": "T2W", "arm": "DL"}
    frame = pd.DataFrame([row | {"criterion": "x", "score": 3}])
    with pytest.raises(AnalysisInputError, match=r'^ratings, row 0: column "arm" is "DL"'):
        validate_ratings(frame)


def test_it_infers_the_scale_and_normalises_values():
    frame = _csv("s,A, r1 ,c1,T2W,Enhanced,noise,2\ns,A,r1,c1,T2W,conventional,noise,4\n")
    clean, scale = validate_ratings(frame)
    assert scale == (2, 4)
    assert clean["reader"].tolist() == ["r1", "r1"]
    assert clean["arm"].tolist() == ["enhanced", "conventional"]
    assert clean["score"].dtype == "int64"


def test_parse_scale_reads_min_max_and_refuses_nonsense():
    assert parse_scale("1-5") == (1, 5)
    with pytest.raises(AnalysisInputError) as info:
        parse_scale("5-1")
    assert str(info.value) == '--scale "5-1": MIN must be lower than MAX.'
    with pytest.raises(AnalysisInputError, match="not of the form MIN-MAX"):
        parse_scale("five")


def test_the_checksum_ignores_row_order_and_extra_columns():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,4\ns,A,r1,c1,T2W,conventional,noise,3\n")
    clean, _ = validate_ratings(frame)
    shuffled = clean.iloc[::-1].assign(duration_s=[1.0, 2.0])
    assert frame_checksum(clean) == frame_checksum(shuffled)
    assert len(frame_checksum(clean)) == 64


def test_roi_validation_names_bad_numbers_and_duplicates():
    roi = read_csv_bytes(
        b"case,sequence,label,arm,mean,sd,n_pixels\n"
        b"c1,T2W,white_matter,enhanced,400,x,50\n"
        b"c1,T2W,white_matter,enhanced,400,-1,0\n"
    )
    with pytest.raises(AnalysisInputError) as info:
        validate_roi_stats(roi, source="rois.csv", line_offset=2)
    assert str(info.value).splitlines() == [
        'rois.csv, line 2: column "sd" is "x", not a number.',
        'rois.csv, line 3: column "sd" is -1, below zero.',
        'rois.csv, line 3: column "n_pixels" is "0", not a positive integer.',
        'rois.csv, line 3: duplicate ROI "white_matter" for case "c1", sequence "T2W", '
        'arm "enhanced".',
    ]
