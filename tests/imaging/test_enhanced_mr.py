"""Enhanced MR multi-frame: per-frame positions decide the order, per-frame rescale applies."""

from __future__ import annotations

import numpy as np

from readerstudy.imaging.dicom.read import read_file_headers
from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import import_dicom
from readerstudy.imaging.volumes import volume_load
from tests.imaging.dicom_factory import enhanced_mr_dataset

MANIFEST = "case,site,sequence,arm,path\nE1,NYU,T1CE,conventional,enhanced\n"


def test_frames_in_shuffled_order_are_stored_along_the_slice_normal(study, tmp_path):
    ds, stored, order = enhanced_mr_dataset(frames=5, order=[3, 0, 4, 1, 2])
    (tmp_path / "enhanced").mkdir()
    ds.save_as(tmp_path / "enhanced" / "MF0001", enforce_file_format=True)

    report = import_dicom(study=study, path=tmp_path, manifest=MANIFEST.encode())

    assert report.rejected == [], report.rejected
    series = Series.objects.get(case__identifier="E1")
    volume = volume_load(series.storage_key)
    expected = np.empty_like(stored)
    for frame, position in enumerate(order):
        expected[position] = stored[frame]
    assert np.array_equal(volume, expected)
    assert series.slices == 5
    assert series.slice_spacing == 3.0
    assert series.orientation == [1.0, 0.0, 0.0, 0.0, 0.0, -1.0]
    assert (series.pixel_spacing_row, series.pixel_spacing_column) == (0.5, 0.5)


def test_each_frame_gets_its_own_rescale(study, tmp_path):
    slopes = [1, 2, 3, 1, 2]
    intercepts = [0, -100, 50, -1000, 7]
    ds, stored, order = enhanced_mr_dataset(
        frames=5, order=[4, 2, 0, 3, 1], slopes=slopes, intercepts=intercepts
    )
    (tmp_path / "enhanced").mkdir()
    ds.save_as(tmp_path / "enhanced" / "MF0001", enforce_file_format=True)

    import_dicom(study=study, path=tmp_path, manifest=MANIFEST.encode())

    volume = volume_load(Series.objects.get(case__identifier="E1").storage_key)
    for frame, position in enumerate(order):
        expected = stored[frame].astype(np.float64) * slopes[frame] + intercepts[frame]
        assert np.array_equal(volume[position], expected), frame


def test_frame_headers_come_from_the_functional_groups(tmp_path):
    ds, _, order = enhanced_mr_dataset(frames=3, order=[2, 0, 1], slopes=[1, 2, 3])
    ds.save_as(tmp_path / "MF", enforce_file_format=True)

    headers = read_file_headers(str(tmp_path / "MF"), "MF")

    assert [h.frame for h in headers] == [0, 1, 2]
    assert [h.slope for h in headers] == [1.0, 2.0, 3.0]
    assert [h.position[1] for h in headers] == [3.0 * n for n in order]
    assert all(h.orientation == (1.0, 0.0, 0.0, 0.0, 0.0, -1.0) for h in headers)
    assert all(h.pixel_offset is not None for h in headers)  # native: read straight from disk
