"""The tidy ratings frame: one row per score, the input of the analysis and the ratings export.

Everything else in ``readerstudy.analysis`` is pure functions on the frame this returns, so the same
analysis runs on the database and on an exported CSV with no database at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from readerstudy.reading.models import Assignment, Rating
from readerstudy.studies.models import Membership, Study
from readerstudy.studies.vocabulary import (
    RATINGS_OPTIONAL_COLUMNS as OPTIONAL_COLUMNS,
)
from readerstudy.studies.vocabulary import (
    RATINGS_REQUIRED_COLUMNS as REQUIRED_COLUMNS,
)
from readerstudy.studies.vocabulary import (
    RATINGS_SCALE_COLUMNS as SCALE_COLUMNS,
)

# The ratings table (readerstudy.studies.vocabulary) in export order: reader_site beside reader,
# the criterion's scale beside the score.
RATINGS_COLUMNS = (
    *REQUIRED_COLUMNS[:3],
    "reader_site",
    *REQUIRED_COLUMNS[3:],
    *SCALE_COLUMNS,
    *(column for column in OPTIONAL_COLUMNS if column not in ("reader_site", *SCALE_COLUMNS)),
)

_POSITION = {"A": "left", "B": "right"}


def iso_utc(value: datetime | None) -> str:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC; empty for None."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reader_sites(study: Study) -> dict[int, str]:
    """user id → name of the site the user reads for in this study (deactivated readers too)."""
    rows = Membership.objects.filter(study=study, role=Membership.Role.READER).values_list(
        "user_id", "site__name"
    )
    return {user_id: site or "" for user_id, site in rows}


def ratings_frame(study: Study, *, include_drafts: bool = False) -> pd.DataFrame:
    """One row per score of ``study``, with the columns of :data:`RATINGS_COLUMNS`.

    Parameters
    ----------
    study : Study
        The study whose ratings to read.
    include_drafts : bool
        Also include scores of tasks that are not submitted yet (default: submitted only,
        which is what any analysis should use).

    Returns
    -------
    DataFrame
        ``reader`` is the reader's username, ``site`` the case's site name, ``reader_site`` the
        reader's site, ``arm`` ``conventional`` or ``enhanced``, ``scale_min`` and ``scale_max``
        the criterion's lowest and highest score, ``task`` the task id (one case ×
        sequence, or case × sequence × arm in the sequential design), ``pane`` ``A``/``B`` with
        ``position`` ``left``/``right``, ``read_order`` the reader's 1-based position of the task,
        timestamps ISO 8601 UTC text, ``duration_s`` the active reading time in seconds. Sorted by
        reader, read order, pane and criterion order.
    """
    ratings = Rating.objects.filter(assignment__study=study)
    if not include_drafts:
        ratings = ratings.filter(assignment__status=Assignment.Status.SUBMITTED)
    rows = ratings.order_by(
        "assignment__reader__username",
        "assignment__read_order",
        "pane__name",
        "criterion__order",
        "criterion__key",
    ).values_list(
        "assignment__reader_id",
        "assignment__reader__username",
        "assignment__task__case__site__name",
        "assignment__task__case__identifier",
        "assignment__task__sequence__key",
        "series__arm",
        "criterion__key",
        "score",
        "criterion__scale_min",
        "criterion__scale_max",
        "assignment__task_id",
        "pane__name",
        "assignment__read_order",
        "assignment__started_at",
        "assignment__submitted_at",
        "assignment__active_seconds",
    )
    sites = reader_sites(study)
    records = [
        (
            study.slug,
            site,
            username,
            sites.get(reader_id, ""),
            case,
            sequence,
            arm,
            criterion,
            int(score),
            int(scale_min),
            int(scale_max),
            int(task),
            pane,
            _POSITION[pane],
            int(read_order),
            iso_utc(started_at),
            iso_utc(submitted_at),
            round(float(seconds), 3),
        )
        for (
            reader_id,
            username,
            site,
            case,
            sequence,
            arm,
            criterion,
            score,
            scale_min,
            scale_max,
            task,
            pane,
            read_order,
            started_at,
            submitted_at,
            seconds,
        ) in rows.iterator(chunk_size=5000)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(RATINGS_COLUMNS))
    integers = ("score", *SCALE_COLUMNS, "task", "read_order")
    return frame.astype(dict.fromkeys(integers, "int64"))
