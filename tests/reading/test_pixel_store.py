"""Encoded slices stored when a study opens: read instead of encoded, and never wrong."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.base import ContentFile

from readerstudy.imaging.volumes import volume_storage
from readerstudy.reading.models import Pane
from readerstudy.reading.pixels import payload as pixels
from readerstudy.reading.pixels import store as pixel_store
from readerstudy.reading.pixels.payload import (
    STORED_ENCODING,
    encode_slice,
    pixel_payload,
    shuffle_slices,
    slice_cache,
    store_encoded,
)
from readerstudy.reading.services import study_open
from readerstudy.reading.tasks import store_series_pixels
from tests.factories import add_reader
from tests.reading.conftest import PASSWORD, SEED


def _series_of(reader):
    return Pane.objects.filter(assignment__reader=reader).select_related("series").first().series


def _refuse_encoding(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("encoded on the request path although the slices were stored")

    monkeypatch.setattr(pixels, "encode_slice", refuse)


def test_stored_slices_equal_freshly_encoded_ones(opened, bob):
    series = _series_of(bob)
    assert store_encoded(series) is True
    assert store_encoded(series) is False  # already there: not written twice
    volume = pixels.reader_series_pixels(series, 0, series.slices)
    fresh = [encode_slice(shuffle_slices(volume[i : i + 1])) for i in range(series.slices)]
    assert pixel_store.read(series, STORED_ENCODING, 0, series.slices) == fresh
    assert pixel_store.read(series, STORED_ENCODING, 1, 3) == fresh[1:3]


def test_a_cold_server_serves_stored_slices_without_encoding(opened, bob, monkeypatch):
    series = _series_of(bob)
    store_series_pixels([series.pk, *(o.pk for o in pixels.pair_series(series))])
    expected = {span: pixel_payload(series, *span).body for span in [(0, 4), (1, 3), (2, 3)]}
    slice_cache.clear()  # a restarted server process
    _refuse_encoding(monkeypatch)
    for span, body in expected.items():
        assert pixel_payload(series, *span).body == body
    assert slice_cache.misses > 0  # the memory cache missed; the stored file answered


@pytest.mark.parametrize("cut", [0, 3, 9, 40, -1])
def test_a_cut_off_or_foreign_file_is_ignored_and_slices_are_encoded(opened, bob, cut):
    series = _series_of(bob)
    store_encoded(series)
    key = pixel_store.store_key(series, STORED_ENCODING)
    storage = volume_storage()
    with storage.open(key, "rb") as handle:
        whole = handle.read()
    storage.delete(key)
    storage.save(key, ContentFile(whole[:cut] if cut >= 0 else b"GIF89a" + whole))
    assert pixel_store.read(series, STORED_ENCODING, 0, series.slices) is None
    slice_cache.clear()
    body = pixel_payload(series, 0, series.slices, pair=[]).body
    volume = pixels.reader_series_pixels(series, 0, series.slices)
    assert gzip.decompress(body) == shuffle_slices(volume)
    # The next preparation replaces the broken file.
    assert store_encoded(series) is True
    assert pixel_store.read(series, STORED_ENCODING, 0, series.slices) is not None


def test_a_file_for_another_slice_count_or_range_is_not_used(opened, bob):
    series = _series_of(bob)
    store_encoded(series)
    assert pixel_store.read(series, STORED_ENCODING, 0, series.slices + 1) is None
    assert pixel_store.read(series, STORED_ENCODING, 2, 2) is None
    assert pixel_store.read(series, "another-encoding", 0, 1) is None
    series.slices += 1  # a volume re-imported with another geometry
    assert pixel_store.read(series, STORED_ENCODING, 0, 1) is None


def test_a_losing_concurrent_writer_leaves_one_whole_file(opened, bob):
    series = _series_of(bob)
    parts = pixel_store.read(series, STORED_ENCODING, 0, series.slices)
    assert parts is None
    store_encoded(series)
    parts = pixel_store.read(series, STORED_ENCODING, 0, series.slices)
    assert pixel_store.write(series, STORED_ENCODING, parts[::-1]) is False
    assert pixel_store.read(series, STORED_ENCODING, 0, series.slices) == parts
    folder = pixel_store.store_key(series, STORED_ENCODING).rsplit("/", 1)[0]
    names = [n for n in volume_storage().listdir(folder)[1] if STORED_ENCODING in n]
    assert len(names) == 1


def test_opening_a_study_stores_every_panes_slices_once_committed(
    small_study, django_capture_on_commit_callbacks, monkeypatch
):
    add_reader(small_study, "erin", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        study_open(study=small_study, seed=SEED)
    assert callbacks, "nothing was queued on commit"
    panes = Pane.objects.filter(assignment__study=small_study).select_related("series")
    series = {p.series.pk: p.series for p in panes}
    assert series
    for s in series.values():
        assert pixel_store.read(s, STORED_ENCODING, 0, s.slices) is not None
    slice_cache.clear()
    _refuse_encoding(monkeypatch)
    for s in series.values():
        pixel_payload(s, 0, s.slices)


def test_one_failing_series_does_not_stop_the_others(opened, bob, monkeypatch):
    first, second = (p.series for p in Pane.objects.filter(assignment__reader=bob)[:2])
    real = pixels.store_encoded

    def flaky(series):
        if series.pk == first.pk:
            raise OSError("disk full")
        return real(series)

    monkeypatch.setattr(pixels, "store_encoded", flaky)
    assert store_series_pixels([first.pk, second.pk]) == 1
    assert pixel_store.read(first, STORED_ENCODING, 0, first.slices) is None
    assert pixel_store.read(second, STORED_ENCODING, 0, second.slices) is not None


@pytest.mark.parametrize("stored_arms", [(), (0,), (1,), (0, 1)])
def test_both_arms_send_equal_lengths_whichever_of_them_is_stored(opened, bob, stored_arms):
    series = _series_of(bob)
    arms = [series, *pixels.pair_series(series)]
    expected = {}
    for arm in arms:  # nothing stored: the reference bodies
        for span in [(0, 1), (0, 4), (2, 3)]:
            expected[arm.pk, span] = pixel_payload(arm, *span).body
    for index in stored_arms:
        store_encoded(arms[index])
    slice_cache.clear()
    for (pk, span), body in expected.items():
        arm = next(a for a in arms if a.pk == pk)
        assert pixel_payload(arm, *span).body == body
    for span in [(0, 1), (0, 4), (2, 3)]:
        assert len({len(pixel_payload(arm, *span).body) for arm in arms}) == 1


def test_lengths_come_only_from_a_whole_file(opened, bob):
    series = _series_of(bob)
    assert pixel_store.lengths(series, STORED_ENCODING) is None
    store_encoded(series)
    key = pixel_store.store_key(series, STORED_ENCODING)
    storage = volume_storage()
    with storage.open(key, "rb") as handle:
        whole = handle.read()
    pixel_store.delete(series, STORED_ENCODING)
    storage.save(key, ContentFile(whole[:-1]))
    assert pixel_store.lengths(series, STORED_ENCODING) is None
    storage.delete(key)
    storage.save(key, ContentFile(whole))
    parts = pixel_store.read(series, STORED_ENCODING, 0, series.slices)
    assert pixel_store.lengths(series, STORED_ENCODING) == tuple(len(p.deflate) for p in parts)


def test_pixel_storing_yields_to_imports_and_analyses_in_the_queue():
    from readerstudy.analysis.tasks import analysis_run_task
    from readerstudy.imaging.tasks import import_job_run
    from readerstudy.reading.tasks import store_series_pixels_task

    assert store_series_pixels_task.priority < import_job_run.priority
    assert store_series_pixels_task.priority < analysis_run_task.priority


def test_store_pixels_stores_open_studies_and_prunes_other_encodings(opened, bob, capsys):
    from django.core.management import CommandError, call_command

    series = _series_of(bob)
    stale = pixel_store.store_key(series, "shuffle-deflate1-3-zlib0.9")
    volume_storage().save(stale, ContentFile(b"RSPX\x01 from an older zlib"))

    call_command("store_pixels", "--prune")
    out = capsys.readouterr().out
    panes = Pane.objects.filter(assignment__study=opened).select_related("series")
    every = {p.series.pk: p.series for p in panes}
    assert f"glioma: {len(every)} series stored, 0 already there" in out
    assert "Deleted 1 stored file(s) of other encodings." in out
    assert not volume_storage().exists(stale)
    for s in every.values():
        assert pixel_store.read(s, STORED_ENCODING, 0, s.slices) is not None
        assert volume_storage().exists(s.storage_key)  # volumes are never pruned

    call_command("store_pixels", "glioma")
    assert f"glioma: 0 series stored, {len(every)} already there" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No study with the slug"):
        call_command("store_pixels", "nope")
