"""Series assembly: grouping, splitting, duplicates, ordering along the normal, spacing checks."""

from __future__ import annotations

import math
import shutil

import numpy as np

from readerstudy.imaging.dicom.read import read_file_headers
from readerstudy.imaging.intake.assembly import assemble
from tests.imaging.dicom_factory import write_series


def headers_of(folder):
    return [
        header
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        for header in read_file_headers(str(path), path.relative_to(folder).as_posix())
    ]


def stored_order(stack):
    """The InstanceNumbers in stack order (the factory numbers slices anatomically from 1)."""
    return [s.instance_number for s in stack.slices]


def test_oblique_slices_are_ordered_along_the_normal_not_by_file_name(tmp_path):
    angle = math.radians(20)
    orientation = (1.0, 0.0, 0.0, 0.0, math.cos(angle), math.sin(angle))  # oblique axial
    write_series(tmp_path / "s", slices=6, orientation=orientation, seed=4)

    [stack] = assemble(headers_of(tmp_path))

    assert stored_order(stack) == [1, 2, 3, 4, 5, 6]
    assert [s.name for s in stack.slices] != sorted(s.name for s in stack.slices)
    assert stack.slice_spacing == 2.0
    assert stack.warnings == [] and stack.problem is None


def test_instance_number_is_the_fallback_when_positions_are_missing(tmp_path):
    write_series(tmp_path / "s", slices=4, per_slice=[{"position": None}] * 4, seed=2)
    headers = headers_of(tmp_path)
    assert all(h.position is None for h in headers)

    [stack] = assemble(headers)

    assert stored_order(stack) == [1, 2, 3, 4]
    assert stack.warnings == [
        "slices were ordered by InstanceNumber: ImagePositionPatient or ImageOrientationPatient "
        "is missing"
    ]


def test_slices_without_position_or_instance_number_are_refused(tmp_path):
    write_series(
        tmp_path / "s", slices=3, per_slice=[{"position": None, "instance_number": None}] * 3
    )
    [stack] = assemble(headers_of(tmp_path))
    assert stack.problem == (
        "its slices have neither ImagePositionPatient/ImageOrientationPatient nor InstanceNumber, "
        "so their order cannot be known"
    )


def test_duplicate_sop_instance_uids_are_dropped(tmp_path):
    write_series(tmp_path / "s", slices=3)
    shutil.copy(tmp_path / "s" / "IM0001", tmp_path / "s" / "IM0001 copy")

    [stack] = assemble(headers_of(tmp_path))

    assert len(stack.slices) == 3
    assert stack.warnings == [
        "1 duplicate file(s) with an already seen SOPInstanceUID were dropped: s/IM0001 copy"
    ]


def test_a_series_mixing_orientations_is_split_into_stacks(tmp_path):
    uid, _ = write_series(tmp_path / "ax", slices=4)
    write_series(
        tmp_path / "sag", slices=2, series_uid=uid, orientation=(0, 1, 0, 0, 0, -1), seed=3
    )

    stacks = assemble(headers_of(tmp_path))

    assert sorted((len(s.slices), s.part) for s in stacks) == [
        (2, "stack 2 of 2"),
        (4, "stack 1 of 2"),
    ]
    assert all(
        "the series mixes orientations or matrices and was split into 2 stacks" in s.warnings
        for s in stacks
    )


def test_a_series_mixing_matrices_is_split(tmp_path):
    uid, _ = write_series(tmp_path / "a", slices=3, rows=8)
    write_series(tmp_path / "b", slices=3, rows=10, series_uid=uid, seed=9)
    assert len(assemble(headers_of(tmp_path))) == 2


def test_a_gap_is_reported_as_missing_slices(tmp_path):
    write_series(tmp_path / "s", slices=6)
    third = next(h for h in headers_of(tmp_path) if h.instance_number == 3)
    (tmp_path / third.name).unlink()

    [stack] = assemble(headers_of(tmp_path))

    assert stack.warnings == [
        "missing slices: a gap of 4.00 mm between slices 2 and 3 (about 1 slice missing at "
        "2.00 mm spacing)"
    ]


def test_uneven_spacing_is_reported(tmp_path):
    positions = [{"position": (0.0, 0.0, z)} for z in (0.0, 2.0, 4.0, 5.0, 7.0, 9.0)]
    write_series(tmp_path / "s", slices=6, per_slice=positions)

    [stack] = assemble(headers_of(tmp_path))

    assert stack.warnings == [
        "uneven slice spacing: 1.00 mm between slices 3 and 4, where the usual spacing is 2.00 mm"
    ]


def test_slices_sharing_positions_are_refused(tmp_path):
    positions = [{"position": (0.0, 0.0, z)} for z in (0.0, 2.0, 0.0, 2.0)]
    write_series(tmp_path / "s", slices=4, per_slice=positions)

    [stack] = assemble(headers_of(tmp_path))

    assert stack.problem == (
        "its 4 slices share positions (2 distinct positions): it holds several volumes (echoes, "
        "time points or stacks); export each as its own series"
    )


def test_files_of_several_series_in_one_folder_are_grouped_by_series_uid(tmp_path):
    uid_a, _ = write_series(tmp_path / "mixed", slices=3, seed=1)
    for path in (tmp_path / "mixed").iterdir():
        path.rename(path.with_name("a-" + path.name))
    uid_b, _ = write_series(tmp_path / "mixed", slices=2, seed=2)

    stacks = assemble(headers_of(tmp_path))

    assert {s.series_uid: len(s.slices) for s in stacks} == {uid_a: 3, uid_b: 2}


def test_the_slice_normal_is_the_cross_product_of_the_orientation_vectors():
    from readerstudy.imaging.intake.assembly import slice_normal

    assert np.allclose(slice_normal((1, 0, 0, 0, 1, 0)), (0, 0, 1))
    assert np.allclose(slice_normal((0, 1, 0, 0, 0, -1)), (-1, 0, 0))
