"""The pixel payload: byte shuffle, per-slice deflate blocks joined into one gzip member."""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from readerstudy.reading.models import Assignment, Pane
from readerstudy.reading.pixels import payload as pixels
from readerstudy.reading.pixels.payload import (
    crc32_combine,
    encode_slice,
    gzip_member,
    pixel_payload,
    shuffle_slices,
    slice_cache,
)


@given(st.binary(max_size=300), st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_crc32_combine_matches_zlib_on_the_concatenation(a, b):
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_shuffling_puts_each_slices_low_bytes_before_its_high_bytes():
    volume = np.array([[[0x0102, 0x0304]], [[-2, 0x7F00]]], dtype="<i2")
    assert shuffle_slices(volume) == bytes([0x02, 0x04, 0x01, 0x03, 0xFE, 0x00, 0xFF, 0x7F])
    big_endian = volume.astype(">i2")
    assert shuffle_slices(big_endian) == shuffle_slices(volume)


@given(
    st.integers(1, 6), st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**16 - 1),
    st.sampled_from(["<i2", "<u2"]),
)  # fmt: skip
@settings(max_examples=60, deadline=None)
def test_any_run_of_cached_slices_is_one_valid_gzip_member(slices, rows, cols, seed, dtype):
    rng = np.random.default_rng(seed)
    volume = rng.integers(0, 4096, size=(slices, rows, cols)).astype(dtype)
    parts = [encode_slice(shuffle_slices(volume[i : i + 1])) for i in range(slices)]
    for start in range(slices):
        for stop in range(start, slices + 1):
            body = gzip_member(parts[start:stop])
            assert gzip.decompress(body) == shuffle_slices(volume[start:stop])


def test_the_payload_is_smaller_than_raw_on_noisy_phantom_data():
    from tests.factories import phantom_volume

    volume = phantom_volume((4, 128, 128), seed=3, enhanced=False)
    parts = [encode_slice(shuffle_slices(volume[i : i + 1])) for i in range(4)]
    assert len(gzip_member(parts)) < 0.6 * volume.nbytes


def test_slices_are_served_from_the_cache_once_encoded(opened, bob):
    slice_cache.clear()
    series = Pane.objects.filter(assignment__reader=bob).first().series
    first = pixel_payload(series, 0, 4)
    # The pair's other arm is encoded too: its size is the padding target.
    assert (slice_cache.hits, slice_cache.misses) == (0, 8)
    again = pixel_payload(series, 1, 3)
    assert slice_cache.hits == 4
    assert gzip.decompress(again.body) == gzip.decompress(first.body)[2 * 256 : 6 * 256]


def test_the_cache_stays_within_its_byte_budget(opened, bob, settings):
    slice_cache.clear()
    settings.READING_PIXEL_CACHE_MB = 0  # nothing fits
    series = Pane.objects.filter(assignment__reader=bob).first().series
    pixel_payload(series, 0, 4)
    pixel_payload(series, 0, 4)
    assert slice_cache.hits == 0


def test_warming_encodes_the_next_tasks_panes(opened, bob):
    slice_cache.clear()
    series = [
        p.series for p in Pane.objects.filter(assignment__reader=bob, assignment__read_order=2)
    ]
    pixels._warm(series)
    hits, misses = slice_cache.hits, slice_cache.misses
    for s in series:
        pixel_payload(s, 0, s.slices)
    assert slice_cache.misses == misses
    # Each payload reads its own slices and, for the padding, the other arm's: all cached.
    assert slice_cache.hits - hits == 2 * sum(s.slices for s in series)


@pytest.mark.parametrize("enabled", [True, False])
def test_opening_a_task_queues_warming_only_when_enabled(
    opened, bob, settings, monkeypatch, enabled
):
    from rest_framework.test import APIClient

    settings.READING_PIXEL_PREWARM = enabled
    queued = []
    monkeypatch.setattr(pixels._warmer, "submit", lambda fn, arg: queued.append(arg))
    client = APIClient()
    client.force_authenticate(bob)
    client.get("/api/reading/glioma/assignments/1/")
    expected = {
        p.series_id for p in Pane.objects.filter(assignment__reader=bob, assignment__read_order=2)
    }
    if enabled:
        assert len(queued) == 1 and {s.pk for s in queued[0]} == expected
    else:
        assert queued == []


@pytest.mark.parametrize("url", ["/read/", "/api/reading/worklist"])
def test_the_worklist_warms_the_continue_task(opened, bob, settings, monkeypatch, url):
    settings.READING_PIXEL_PREWARM = True
    queued = []
    monkeypatch.setattr(pixels._warmer, "submit", lambda fn, arg: queued.append(arg))
    Assignment.objects.filter(reader=bob, read_order=1).update(
        status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
    )
    client = Client()
    client.force_login(bob)
    assert client.get(url).status_code == 200
    expected = {
        p.series_id for p in Pane.objects.filter(assignment__reader=bob, assignment__read_order=2)
    }
    assert len(queued) == 1 and {s.pk for s in queued[0]} == expected
    assert b"following" not in client.get("/api/reading/worklist").content
