"""Acceptance: the MR test files inside the pydicom wheel import, pair, and equal pydicom's pixels.

The reference is pydicom itself: ``dcmread(...).pixel_array`` followed by ``apply_rescale``.
"""

from __future__ import annotations

import shutil

import gdcm
import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_rescale
from pydicom.uid import DeflatedExplicitVRLittleEndian, JPEGLosslessSV1

from readerstudy.imaging.blinding import display_defaults
from readerstudy.imaging.models import PairCheck, Series, SeriesProvenance
from readerstudy.imaging.services.intake import import_dicom
from readerstudy.imaging.volumes import volume_load

# The MR files shipped in the wheel: explicit, implicit, big endian, RLE, JPEG 2000 lossless and
# JPEG-LS lossless variants of MR_small, and a Siemens MR with an overlay. pydicom's larger
# overlay example (MR-SIEMENS-DICOM-WithOverlays.dcm) is a download, not in the wheel, so the
# wheel's own overlay MR, examples_overlay.dcm, stands in for it.
VARIANTS = [
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_RLE.dcm",
    "MR_small_jp2klossless.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
]
OVERLAY = "examples_overlay.dcm"


def wheel_file(name: str) -> str:
    path = get_testdata_file(name, download=False)
    assert path, f"{name} should ship inside the pydicom wheel"
    return path


def reference(path: str) -> np.ndarray:
    ds = pydicom.dcmread(path)
    return apply_rescale(ds.pixel_array, ds)


def write_jpeg_lossless(source: str, target) -> None:
    """Re-encode with GDCM (pydicom has no JPEG lossless encoder)."""
    reader = gdcm.ImageReader()
    reader.SetFileName(source)
    assert reader.Read()
    change = gdcm.ImageChangeTransferSyntax()
    change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEGLosslessProcess14_1))
    change.SetInput(reader.GetImage())
    assert change.Change()
    writer = gdcm.ImageWriter()
    writer.SetFile(reader.GetFile())
    writer.SetImage(change.GetOutput())
    writer.SetFileName(str(target))
    assert writer.Write()
    # GDCM adds SpacingBetweenSlices 1; drop it so the geometry matches its partner again.
    ds = pydicom.dcmread(target)
    del ds.SpacingBetweenSlices
    ds.save_as(target)


@pytest.fixture
def wheel_export(tmp_path):
    """Each variant in its own folder, plus JPEG Lossless and deflate versions made from MR_small,
    and a manifest pairing them as conventional/enhanced of one case each."""
    root = tmp_path / "export"
    for name in [*VARIANTS, OVERLAY]:
        folder = root / name.removesuffix(".dcm")
        folder.mkdir(parents=True)
        shutil.copy(wheel_file(name), folder / "IM0001")
    (root / "jpeg_lossless").mkdir()
    write_jpeg_lossless(wheel_file("MR_small.dcm"), root / "jpeg_lossless" / "IM0001")
    (root / "deflate").mkdir()
    ds = pydicom.dcmread(wheel_file("MR_small.dcm"))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(root / "deflate" / "IM0001", enforce_file_format=True)
    folders = [name.removesuffix(".dcm") for name in VARIANTS] + ["jpeg_lossless", "deflate"]
    lines = ["case,site,sequence,arm,path"]
    for index, folder in enumerate(folders):
        arm = "conventional" if index % 2 == 0 else "enhanced"
        lines.append(f"C{index // 2 + 1},NYU,T2W,{arm},{folder}")
    lines.append(f"OVL,SNUH,FLAIR,conventional,{OVERLAY.removesuffix('.dcm')}")
    (tmp_path / "manifest.csv").write_text("\n".join(lines) + "\n")
    return root, tmp_path / "manifest.csv"


def test_every_wheel_variant_imports_and_equals_pydicoms_rescaled_pixels(study, wheel_export):
    root, manifest = wheel_export
    report = import_dicom(study=study, path=root, manifest=manifest)

    assert report.rejected == [] and report.unmatched == [] and report.files_skipped == []
    assert len(report.imported) == 9
    sources = {
        "MR_small": "MR_small.dcm",
        "MR_small_implicit": "MR_small_implicit.dcm",
        "MR_small_bigendian": "MR_small_bigendian.dcm",
        "MR_small_RLE": "MR_small_RLE.dcm",
        "MR_small_jp2klossless": "MR_small_jp2klossless.dcm",
        "MR_small_jpeg_ls_lossless": "MR_small_jpeg_ls_lossless.dcm",
        "jpeg_lossless": "MR_small.dcm",
        "deflate": "MR_small.dcm",
        "examples_overlay": OVERLAY,
    }
    for series in Series.objects.filter(case__study=study).select_related("provenance"):
        folder = series.provenance.source.rsplit("/", 1)[-1]
        expected = reference(wheel_file(sources[folder]))
        stored = volume_load(series.storage_key)
        assert stored.shape == (1, *expected.shape), folder
        assert np.array_equal(stored[0], expected), folder
        assert stored.dtype.name == series.dtype
        assert (series.rescale_slope, series.rescale_intercept) == (1.0, 0.0)


def test_the_variants_pair_up_with_matching_geometry(study, wheel_export):
    root, manifest = wheel_export
    import_dicom(study=study, path=root, manifest=manifest)

    checks = {c.case.identifier: c for c in PairCheck.objects.filter(case__study=study)}
    for case in ("C1", "C2", "C3", "C4"):
        assert checks[case].status == "complete", checks[case].reason
    assert checks["OVL"].status == "incomplete"
    assert checks["OVL"].reason == "The enhanced series is missing."


def test_provenance_records_each_transfer_syntax(study, wheel_export):
    root, manifest = wheel_export
    import_dicom(study=study, path=root, manifest=manifest)

    syntaxes = {
        p.source.rsplit("/", 1)[-1]: p.transfer_syntaxes
        for p in SeriesProvenance.objects.filter(series__case__study=study)
    }
    assert syntaxes["jpeg_lossless"] == [JPEGLosslessSV1]
    assert syntaxes["deflate"] == [DeflatedExplicitVRLittleEndian]
    assert syntaxes["MR_small_RLE"] == ["1.2.840.10008.1.2.5"]


def test_display_defaults_come_from_the_pixels_not_the_header(study, wheel_export):
    root, manifest = wheel_export
    import_dicom(study=study, path=root, manifest=manifest)

    series = Series.objects.get(case__identifier="OVL")
    expected = display_defaults(volume_load(series.storage_key))
    assert series.window_center == pytest.approx(expected["window_center"])
    assert series.window_width == pytest.approx(expected["window_width"])
