"""Background work of the reading app: encoding a study's pixels when it opens (django-tasks)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Min
from django_tasks import task

from readerstudy.imaging.models import Series
from readerstudy.reading.models import Pane

logger = logging.getLogger(__name__)
SERIES_PER_TASK = 20  # a killed worker loses at most this much work (it is only a cache)


def store_series_pixels(series_ids: list[int]) -> int:
    """Encode and store each series' slices (pixels.store_encoded); returns how many were new.

    A failure on one series is logged and skipped: readers of it get slices encoded on request.
    """
    from readerstudy.reading.pixels.payload import store_encoded

    stored = 0
    for series in Series.objects.filter(pk__in=series_ids).order_by("pk"):
        try:
            stored += store_encoded(series)
        except Exception:
            logger.exception("Could not store the encoded pixels of series %s", series.pk)
    return stored


# Below the default priority: an import or an analysis queued after a large study opened must
# not wait behind minutes of encoding (and a reader is served meanwhile by on-request encoding).
STORE_PIXELS_PRIORITY = -10


@task(priority=STORE_PIXELS_PRIORITY)
def store_series_pixels_task(*, series_ids: list[int]) -> int:
    return store_series_pixels(series_ids)


def series_of_panes(study) -> list[int]:
    """Every series the study's panes show, those read first (lowest reading order) first."""
    return list(
        Pane.objects.filter(assignment__study=study)
        .values("series_id")
        .annotate(first=Min("assignment__read_order"))
        .order_by("first", "series_id")
        .values_list("series_id", flat=True)
    )


def enqueue_study_pixels(study) -> None:
    """After the current transaction commits, store every pane's encoded slices."""
    series_ids = series_of_panes(study)

    def enqueue():
        for i in range(0, len(series_ids), SERIES_PER_TASK):
            store_series_pixels_task.enqueue(series_ids=series_ids[i : i + SERIES_PER_TASK])

    transaction.on_commit(enqueue)
