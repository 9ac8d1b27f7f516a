"""Validation of the ratings and ROI tables: every problem named by line and column."""

import pandas as pd
import pytest

from readerstudy.analysis.stats.io import (
    AnalysisInputError,
    criterion_scales,
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


def test_it_normalises_values_and_fills_the_scale_given():
    frame = _csv("s,A, r1 ,c1,T2W,Enhanced,noise,2\ns,A,r1,c1,T2W,conventional,noise,4\n")
    clean, scale = validate_ratings(frame, scale=(1, 5))
    assert scale == (1, 5)
    assert clean["reader"].tolist() == ["r1", "r1"]
    assert clean["arm"].tolist() == ["enhanced", "conventional"]
    assert clean["score"].dtype == "int64"
    assert clean["scale_min"].tolist() == [1, 1] and clean["scale_max"].tolist() == [5, 5]


def test_it_never_takes_the_observed_range_for_the_scale():
    # Scores 2-4 on a 5-point instrument: taking 2-4 for the scale would change kappa and AC2.
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,2\ns,A,r1,c1,T2W,conventional,noise,4\n")
    message = _error(frame)
    assert message.startswith(
        "ratings.csv: the scale of the scores is unknown: the file has no scale_min and "
        "scale_max columns"
    )
    assert "--scale MIN-MAX" in message and "scale=(MIN, MAX)" in message


SCALED = "study,site,reader,case,sequence,arm,criterion,score,scale_min,scale_max\n"


def test_the_files_scale_columns_give_each_criterion_its_scale():
    frame = read_csv_bytes(
        (
            SCALED + "s,A,r1,c1,T2W,enhanced,noise,4,1,5\n"
            "s,A,r1,c1,T2W,conventional,noise,3,1,5\n"
            "s,A,r1,c1,T2W,enhanced,motion,2,1,4\n"
        ).encode()
    )
    clean, scale = validate_ratings(frame)
    assert scale == (1, 5)
    assert criterion_scales(clean) == {"noise": (1, 5), "motion": (1, 4)}
    # --scale that agrees with every criterion is accepted; one that does not is refused.
    assert validate_ratings(frame.iloc[:2], scale=(1, 5))[1] == (1, 5)
    assert _error(frame, scale=(1, 5)) == (
        'ratings.csv: --scale 1-5 disagrees with the file\'s scale of criterion "motion" (1-4, '
        "from its scale_min and scale_max columns). Leave --scale out to use the file's scale, "
        "or correct the file."
    )


def test_bad_scale_columns_are_named_by_line():
    frame = read_csv_bytes(
        (
            SCALED + "s,A,r1,c1,T2W,enhanced,noise,4,1,x\ns,A,r1,c1,T2W,conventional,noise,3,5,1\n"
        ).encode()
    )
    assert _error(frame) == 'ratings.csv, line 2: column "scale_max" is "x", not an integer.'
    assert _error(frame.iloc[1:]) == (
        'ratings.csv, line 2: the scale 5-1 is not ordered: "scale_min" must be lower than '
        '"scale_max".'
    )
    mixed = read_csv_bytes(
        (
            SCALED + "s,A,r1,c1,T2W,enhanced,noise,4,1,5\n"
            "s,A,r1,c1,T2W,conventional,noise,3,0,4\n"
            "s,A,r1,c2,T2W,conventional,noise,7,1,5\n"
        ).encode()
    )
    assert _error(mixed).splitlines() == [
        'ratings.csv: criterion "noise" has more than one scale (1-5, 0-4); every score of a '
        "criterion must carry the same scale_min and scale_max.",
    ]
    only_min = read_csv_bytes(
        b"study,site,reader,case,sequence,arm,criterion,score,scale_min\ns,A,r,c,T,enhanced,n,3,1\n"
    )
    assert _error(only_min) == "ratings.csv: has a scale_min column but no scale_max column."


def test_a_score_outside_its_criterions_scale_is_refused():
    frame = read_csv_bytes((SCALED + "s,A,r1,c1,T2W,enhanced,motion,5,1,4\n").encode())
    assert _error(frame) == 'ratings.csv, line 2: column "score" is 5, outside the scale 1-4.'


def test_parse_scale_reads_min_max_and_refuses_nonsense():
    assert parse_scale("1-5") == (1, 5)
    with pytest.raises(AnalysisInputError) as info:
        parse_scale("5-1")
    assert str(info.value) == '--scale "5-1": MIN must be lower than MAX.'
    with pytest.raises(AnalysisInputError, match="not of the form MIN-MAX"):
        parse_scale("five")


def test_the_checksum_ignores_row_order_and_extra_columns():
    frame = _csv("s,A,r1,c1,T2W,enhanced,noise,4\ns,A,r1,c1,T2W,conventional,noise,3\n")
    clean, _ = validate_ratings(frame, scale=(1, 5))
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
