"""The leak crawl's size check over every slice range: the arms' pixel responses look alike.

The DL arm compresses better, so without padding the transfer sizes in the browser's developer
tools would tell the arms apart. The study comes through the real import path (phantom DICOM,
as in test_leak_crawl.py); for every pane bob can read, every slice range (including clamped and
empty ones) is fetched through the API and compared with the same range of the other arm.
"""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from readerstudy.imaging.volumes import volume_load
from readerstudy.middleware import IdleSessionTimeoutMiddleware
from readerstudy.reading.models import Pane, Schedule
from readerstudy.reading.pixels.payload import encoded_slices, member_length, shuffle_slices
from readerstudy.studies.models import Study
from tests.reading.test_leak_crawl import _build, pixel_size_problems

SLICES = 4


def _ranges(n: int) -> list[tuple[int, int]]:
    every = [(start, stop) for start in range(n + 1) for stop in range(start, n + 1)]
    return [*every, (1, n + 9), (n + 2, n + 5)]  # clamped to the volume, and empty


@pytest.mark.parametrize("design", [Study.Design.SIDE_BY_SIDE, Study.Design.SEQUENTIAL])
def test_both_arms_answer_every_range_with_the_same_size_and_headers(
    study, bob, design, tmp_path, monkeypatch
):
    monkeypatch.setattr(IdleSessionTimeoutMiddleware, "WRITE_EVERY_SECONDS", 10**9)
    study, _ = _build(study, design, "import", tmp_path, matrix=48, slices=SLICES)
    if design == Study.Design.SEQUENTIAL:
        # Session 2 (the other arm of each case) opens once session 1 is done (washout 0 days).
        Schedule.objects.filter(study=study, reader=bob).update(
            session1_completed_at=timezone.now() - timedelta(minutes=1)
        )
    client = Client()
    client.force_login(bob)
    client.get("/api/reading/worklist")  # the session's first request writes its stamp
    panes = list(Pane.objects.filter(assignment__reader=bob).select_related("series"))
    assert len(panes) == 12  # 2 cases × 3 sequences × 2 arms, in one or two panes per task

    responses, unpadded_differ = {}, 0
    for pane in panes:
        series = pane.series
        volume = volume_load(series.storage_key)
        for start, stop in _ranges(series.slices):
            url = f"/api/reading/panes/{pane.token}/slices?start={start}&stop={stop}"
            response = client.get(url)
            assert response.status_code == 200, url
            responses[url] = response
            # The data is exactly what it was before padding.
            expected = shuffle_slices(volume[start:stop])
            assert gzip.decompress(response.content) == expected
            first, count = int(response["X-Slice-Start"]), int(response["X-Slice-Count"])
            plain = member_length(encoded_slices(series, first, first + count))
            unpadded_differ += plain != len(response.content)

    problems = pixel_size_problems(responses)
    assert problems == [], "\n".join(problems[:20])
    assert len(responses) == len(panes) * len(_ranges(SLICES))
    assert unpadded_differ > 0, "no range needed padding: the check exercised nothing"


def test_padding_costs_only_the_gap_between_the_arms(study, bob, tmp_path):
    """Bandwidth: a pair's padded bytes equal twice the larger arm, never more."""
    study, _ = _build(study, Study.Design.SIDE_BY_SIDE, "import", tmp_path, matrix=48, slices=3)
    client = Client()
    client.force_login(bob)
    for pane in Pane.objects.filter(assignment__reader=bob, name="A").select_related("series"):
        other = pane.assignment.panes.get(name="B")
        sizes = []
        for each in (pane, other):
            body = client.get(f"/api/reading/panes/{each.token}/slices").content
            sizes.append((len(body), member_length(encoded_slices(each.series, 0, 3))))
        (padded_a, plain_a), (padded_b, plain_b) = sizes
        assert padded_a == padded_b == max(plain_a, plain_b)
        assert padded_a + padded_b - plain_a - plain_b == abs(plain_a - plain_b)
