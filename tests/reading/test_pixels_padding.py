"""Padding of the pixel payload: both arms send the same bytes count; the data is unchanged."""

from __future__ import annotations

import gzip
import threading
import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from readerstudy.imaging.volumes import volume_load
from readerstudy.reading.models import Pane
from readerstudy.reading.pixels import payload as pixels
from readerstudy.reading.pixels.payload import (
    encode_slice,
    encoded_slices,
    final_padding,
    gzip_member,
    member_length,
    pair_series,
    pixel_payload,
    shuffle_slices,
    slice_cache,
)

SYNC_POINT = b"\x00\x00\x00\xff\xff"  # what a sync flush ends with: the stream is byte aligned


def _inflate_raw(data: bytes) -> tuple[bytes, bool, bytes]:
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(data)
    return out, inflater.eof, inflater.unused_data


def test_every_padding_length_is_reachable_and_decodes_to_nothing():
    for extra in range(0, 64):
        tail = final_padding(extra)
        assert len(tail) == len(final_padding(0)) + extra
        out, ended, unused = _inflate_raw(SYNC_POINT + tail)
        assert (out, ended, unused) == (b"", True, b""), extra


def test_a_large_padding_is_made_of_empty_stored_blocks():
    tail = final_padding(190_003)
    assert len(tail) == 2 + 190_003
    assert _inflate_raw(b"x" * 0 + SYNC_POINT + tail) == (b"", True, b"")


@given(
    st.integers(1, 4), st.integers(1, 8), st.integers(1, 8), st.integers(0, 2**16 - 1),
    st.integers(0, 700),
)  # fmt: skip
@settings(max_examples=80, deadline=None)
def test_a_padded_member_has_the_asked_length_and_the_same_data(slices, rows, cols, seed, extra):
    rng = np.random.default_rng(seed)
    volume = rng.integers(0, 4096, size=(slices, rows, cols)).astype("<i2")
    parts = [encode_slice(shuffle_slices(volume[i : i + 1])) for i in range(slices)]
    plain = gzip_member(parts)
    padded = gzip_member(parts, pad_to=len(plain) + extra)
    assert len(plain) == member_length(parts)
    assert len(padded) == len(plain) + extra
    # The gzip header (flags, mtime, XFL, OS) and the trailer are the same as without padding.
    assert padded[:10] == plain[:10] and padded[-8:] == plain[-8:]
    assert gzip.decompress(padded) == gzip.decompress(plain) == shuffle_slices(volume)
    inflater = zlib.decompressobj(31)  # what a browser's zlib does with Content-Encoding: gzip
    assert inflater.decompress(padded) == shuffle_slices(volume) and inflater.eof


def test_a_target_shorter_than_the_member_adds_nothing():
    parts = [encode_slice(b"\x01\x02" * 50)]
    assert gzip_member(parts, pad_to=3) == gzip_member(parts)


def test_both_arms_of_a_pair_send_the_same_length_for_every_range(opened, bob):
    slice_cache.clear()
    pane = Pane.objects.filter(assignment__reader=bob, name="A").select_related("series").first()
    series = pane.series
    (other,) = pair_series(series)
    assert {series.arm, other.arm} == {"conventional", "enhanced"}
    n = series.slices
    unpadded_differ = False
    for start in range(n + 1):
        for stop in range(start, n + 2):
            mine, theirs = pixel_payload(series, start, stop), pixel_payload(other, start, stop)
            assert len(mine.body) == len(theirs.body), (start, stop)
            for s, payload in ((series, mine), (other, theirs)):
                expected = shuffle_slices(volume_load(s.storage_key)[start:stop])
                assert gzip.decompress(payload.body) == expected
            plain = [member_length(encoded_slices(s, start, min(stop, n))) for s in (series, other)]
            assert len(mine.body) == max(plain)
            unpadded_differ |= plain[0] != plain[1]
    assert unpadded_differ, "the factories' arms compress alike: padding was never exercised"


def test_a_series_without_a_pair_is_not_padded(opened, bob):
    series = Pane.objects.filter(assignment__reader=bob).first().series
    parts = encoded_slices(series, 0, 2)
    assert pixel_payload(series, 0, 2, pair=[]).body == gzip_member(parts)


def test_warming_also_queues_the_other_arm_of_a_single_pane(opened, bob, settings, monkeypatch):
    settings.READING_PIXEL_PREWARM = True
    queued = []
    monkeypatch.setattr(pixels._warmer, "submit", lambda fn, arg: queued.append(arg))
    series = Pane.objects.filter(assignment__reader=bob).first().series
    pixels.prewarm([series])
    (other,) = pair_series(series)
    assert [s.pk for s in queued[0]] == [series.pk, other.pk]


# -- concurrent requests encode each slice once ---------------------------------------------


def _waiting_call(series, monkeypatch):
    """Run encoded_slices(series, 0, 1) in a thread; return (thread, result, waiting-event)."""
    waiting = threading.Event()
    claim = pixels._encoding.claim

    def spy(key):
        event = claim(key)
        if event is not None:
            waiting.set()
        return event

    monkeypatch.setattr(pixels._encoding, "claim", spy)
    result = {}
    thread = threading.Thread(target=lambda: result.update(parts=encoded_slices(series, 0, 1)))
    thread.start()
    return thread, result, waiting


def test_a_request_waits_for_a_slice_another_request_is_encoding(opened, bob, monkeypatch):
    slice_cache.clear()
    series = Pane.objects.filter(assignment__reader=bob).first().series
    key = pixels._cache_key(series, 0)
    assert pixels._encoding.claim(key) is None  # "another request" is encoding slice 0
    encoded = []
    monkeypatch.setattr(pixels, "encode_slice", lambda data: encoded.append(data))
    thread, result, waiting = _waiting_call(series, monkeypatch)
    assert waiting.wait(10)
    theirs = encode_slice(b"\x00\x01")
    slice_cache.put(key, theirs)
    pixels._encoding.release(key)
    thread.join(10)
    assert result["parts"] == [theirs] and result["parts"][0] is theirs
    assert encoded == []


def test_a_waiting_request_encodes_itself_when_the_other_one_failed(opened, bob, monkeypatch):
    slice_cache.clear()
    series = Pane.objects.filter(assignment__reader=bob).first().series
    key = pixels._cache_key(series, 0)
    assert pixels._encoding.claim(key) is None
    thread, result, waiting = _waiting_call(series, monkeypatch)
    assert waiting.wait(10)
    pixels._encoding.release(key)  # released without a cached result
    thread.join(10)
    expected = shuffle_slices(volume_load(series.storage_key)[0:1])
    assert gzip.decompress(gzip_member(result["parts"])) == expected
