"""The blinding whitelist: readers get pixels and viewer geometry, and nothing from any header."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

from readerstudy.imaging.blinding import (
    READER_SERIES_KEYS,
    display_defaults,
    reader_series_pixels,
    reader_series_view,
)
from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import import_dicom
from readerstudy.imaging.volumes import volume_load
from tests.imaging.dicom_factory import write_series

# The only Series fields the whitelist may read.
WHITELISTED_FIELDS = {
    "rows",
    "columns",
    "slices",
    "pixel_spacing_row",
    "pixel_spacing_column",
    "slice_spacing",
    "dtype",
    "window_center",
    "window_width",
    "intensity_low",
    "intensity_high",
}
PAIR = b"case,site,sequence,arm,path\nC1,NYU,T2W,conventional,conv\nC1,NYU,T2W,enhanced,dl\n"
TELLS = {
    "description": "T2 AX DEEPRECON",
    "SoftwareVersions": ["VE11C", "DeepRecon-2.1-secret"],
    "DerivationDescription": "Deep learning denoising",
    "ImageType": ["DERIVED", "SECONDARY", "DLRECON"],
    "SeriesNumber": 1703,
    "WindowCenter": 4321,
    "WindowWidth": 8765,
    "ProtocolName": "t2_tse_tra_DL",
    "Manufacturer": "DL Vendor Inc",
}


@pytest.fixture
def pair(study, tmp_path):
    write_series(tmp_path / "conv", description="T2 AX", seed=1, WindowCenter=600, WindowWidth=900)
    write_series(tmp_path / "dl", seed=2, **TELLS)
    import_dicom(study=study, path=tmp_path, manifest=PAIR)
    return {s.arm: s for s in Series.objects.select_related("provenance")}


class RecordingSeries:
    """Stands in for a Series and records every attribute the whitelist reads."""

    def __init__(self, series: Series):
        self._series = series
        self.read: set[str] = set()

    def __getattr__(self, name):
        self.read.add(name)
        return getattr(self._series, name)


def test_the_reader_view_has_exactly_the_whitelisted_keys(pair):
    for series in pair.values():
        view = reader_series_view(series)
        assert set(view) == READER_SERIES_KEYS


def test_the_reader_view_reads_no_field_outside_the_whitelist(pair):
    recorder = RecordingSeries(pair["enhanced"])
    reader_series_view(recorder)
    assert recorder.read <= WHITELISTED_FIELDS


def test_no_header_value_passes_through_the_reader_view(pair):
    enhanced = pair["enhanced"]
    headers = enhanced.provenance.headers
    assert headers["SoftwareVersions"] == TELLS["SoftwareVersions"]  # the tells were kept...
    text = json.dumps([reader_series_view(s) for s in pair.values()])
    # ...but none of them, nor any identifier, reaches the reader.
    forbidden = [
        enhanced.series_uid,
        enhanced.storage_key,
        enhanced.content_sha256,
        headers["SOPInstanceUID"],
        headers["StudyInstanceUID"],
        headers["PatientID"],
        "DEEPRECON",
        "DeepRecon",
        "Deep learning",
        "DERIVED",
        "1703",
        "4321",
        "8765",
        "t2_tse_tra_DL",
        "DL Vendor",
        "enhanced",
        "conventional",
    ]
    for value in forbidden:
        assert str(value) not in text, value


def test_the_reader_view_is_built_from_whitelisted_values_only():
    series = Series(
        rows=4,
        columns=5,
        slices=6,
        dtype="uint16",
        pixel_spacing_row=0.812345,
        pixel_spacing_column=None,
        slice_spacing=3.0,
        window_center=10.123,
        window_width=20.456,
        intensity_low=1.0,
        intensity_high=2.0,
        series_uid="1.2.3.999",
        storage_key="v/ab/secret.npy",
        arm="enhanced",
    )
    assert reader_series_view(series) == {
        "rows": 4,
        "columns": 5,
        "slices": 6,
        "pixel_spacing": [0.8123, 1.0],
        "slice_spacing": 3.0,
        "dtype": "uint16",
        "window": {"center": 10.12, "width": 20.46},
        "range": {"low": 1.0, "high": 2.0},
    }


def test_reader_pixels_are_the_stored_values(pair):
    series = pair["conventional"]
    assert np.array_equal(reader_series_pixels(series, 1, 3), volume_load(series.storage_key)[1:3])


def test_display_defaults_take_only_the_pixels():
    assert list(inspect.signature(display_defaults).parameters) == ["volume"]


def test_display_defaults_ignore_the_header_window(pair):
    # Both arms' windows come from their pixels, never from WindowCenter/Width (600/900, 4321/8765).
    for series in pair.values():
        expected = display_defaults(volume_load(series.storage_key))
        assert series.window_center == pytest.approx(expected["window_center"])
        assert series.window_width == pytest.approx(expected["window_width"])
        assert series.window_center not in (600, 4321)


def test_display_defaults_follow_the_same_rule_for_both_arms():
    rng = np.random.default_rng(0)
    conventional = rng.normal(800, 100, size=(8, 32, 32)).clip(0).astype(np.int16)
    conventional[:, :4, :] = 0  # background air
    rescaled = (conventional.astype(np.int32) * 2).astype(np.int16)  # DL output, rescaled

    a, b = display_defaults(conventional), display_defaults(rescaled)

    assert a == display_defaults(conventional.copy())  # deterministic
    for key in a:
        assert b[key] == pytest.approx(2 * a[key], rel=1e-6)  # relative, not header-based
    assert a["intensity_low"] > 0  # the air does not drag the window down


def test_display_defaults_of_a_flat_volume_have_a_positive_width():
    flat = np.full((2, 4, 4), 7, dtype=np.int16)
    defaults = display_defaults(flat)
    assert defaults["window_width"] > 0
    assert defaults["intensity_low"] == 7


@pytest.mark.parametrize("dtype", [np.int16, np.uint16])
def test_integer_percentiles_match_numpys_linear_rule(dtype):
    from readerstudy.imaging.blinding import _percentiles

    rng = np.random.default_rng(3)
    low = -300 if dtype == np.int16 else 0
    sample = rng.integers(low, 4000, size=10_001).astype(dtype)
    quantiles = [0, 1, 37.5, 99, 99.5, 100]
    assert _percentiles(sample, quantiles) == pytest.approx(
        list(np.percentile(sample.astype(np.float64), quantiles)), abs=1e-9
    )


def test_the_integer_fast_path_gives_the_same_window_as_the_float_rule():
    rng = np.random.default_rng(5)
    volume = rng.normal(900, 150, size=(20, 40, 40)).clip(0).astype(np.uint16)
    volume[:, :10] = rng.integers(0, 30, size=(20, 10, 40))  # noisy air
    fast, reference = display_defaults(volume), display_defaults(volume.astype(np.float64))
    for key in fast:
        assert fast[key] == pytest.approx(reference[key], abs=1e-6), key
