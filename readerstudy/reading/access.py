"""One access helper per reading resource; every reading view and API view goes through these.

All of them answer 404 for anything the user may not read: another reader's assignment or pane,
a study they do not read, a study that is not open. Coordinators are not readers here: their
role gives them no reading access to anyone's assignments.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from readerstudy.imaging.models import Series
from readerstudy.reading.models import Assignment, Pane, Schedule
from readerstudy.reading.services.sessions import session_is_open, washout_ends
from readerstudy.studies.access import get_membership_for_reader, in_study
from readerstudy.studies.models import Membership, Study


def get_open_study_for_reader(user, slug: str) -> Study:
    """The open study with this slug if ``user`` is an active reader of it; otherwise 404."""
    membership = get_membership_for_reader(user, slug)
    study = Study.objects.get(pk=membership.study_id)
    if not study.is_open:
        raise Http404("No such study.")
    return study


def get_assignment_for_reader(user, slug: str, read_order: int) -> Assignment:
    """The reader's own assignment at ``read_order`` in an open study they read; otherwise 404.

    One query (the membership as an EXISTS): every draft autosave goes through here.
    """
    if not user.is_authenticated:
        raise Http404("No such case.")
    reading = Membership.objects.filter(
        study_id=OuterRef("study_id"),
        user_id=user.pk,
        role=Membership.Role.READER,
        is_active=True,
    )
    assignment = (
        Assignment.objects.select_related("study", "schedule", "task__sequence")
        .filter(
            Exists(reading),
            study__slug=slug,
            study__status=Study.Status.OPEN,
            reader_id=user.pk,
            read_order=read_order,
        )
        .order_by("pk")  # at most one row; the default ordering would join two more tables
        .first()
    )
    if assignment is None:
        raise Http404("No such case.")
    return assignment


@dataclass(frozen=True)
class PaneGrant:
    """What the pixel endpoint may serve for one pane token: never sent to the reader.

    ``series`` is the pane's series and ``pair`` the other arm of its case × sequence (needed
    only to pad both arms' payloads to the same size); both carry just the fields the pixel
    code reads.
    """

    series: Series
    pair: list[Series]
    session: int
    session1_completed_at: datetime | None
    washout_days: int

    @property
    def session2_opens_at(self) -> datetime | None:
        return washout_ends(self.session1_completed_at, self.washout_days)

    def is_available(self, now: datetime | None = None) -> bool:
        return session_is_open(self.session, self.session2_opens_at, now)


def _pane_grant_sql() -> str:
    quote = connection.ops.quote_name

    def t(model):  # table
        return quote(model._meta.db_table)

    def c(alias, model, field):  # alias.column
        return f"{alias}.{quote(model._meta.get_field(field).column)}"

    def series_columns(alias):
        return ", ".join(c(alias, Series, f) for f in _SERIES_FIELDS)

    return (
        f"SELECT {series_columns('s')}, {c('a', Assignment, 'session')}, "
        f"{c('sch', Schedule, 'session1_completed_at')}, {c('st', Study, 'washout_days')}, "
        f"{series_columns('o')} "
        f"FROM {t(Pane)} p "
        f"JOIN {t(Assignment)} a ON {c('a', Assignment, 'id')} = {c('p', Pane, 'assignment')} "
        f"JOIN {t(Study)} st ON {c('st', Study, 'id')} = {c('a', Assignment, 'study')} "
        f"JOIN {t(Schedule)} sch "
        f"ON {c('sch', Schedule, 'id')} = {c('a', Assignment, 'schedule')} "
        f"JOIN {t(Series)} s ON {c('s', Series, 'id')} = {c('p', Pane, 'series')} "
        f"LEFT JOIN {t(Series)} o ON {c('o', Series, 'case')} = {c('s', Series, 'case')} "
        f"AND {c('o', Series, 'sequence')} = {c('s', Series, 'sequence')} "
        f"AND {c('o', Series, 'id')} <> {c('s', Series, 'id')} "
        f"WHERE {c('p', Pane, 'token')} = %s AND {c('a', Assignment, 'reader')} = %s "
        f"AND {c('st', Study, 'status')} = %s "
        f"AND EXISTS (SELECT 1 FROM {t(Membership)} m "
        f"WHERE {c('m', Membership, 'study')} = {c('st', Study, 'id')} "
        f"AND {c('m', Membership, 'user')} = %s AND {c('m', Membership, 'role')} = %s "
        f"AND {c('m', Membership, 'is_active')} = %s)"
    )


# The Series fields the pixel code reads (pixels.py: cache key, clamping, padding, storage).
_SERIES_FIELDS = ("id", "slices", "storage_key", "content_sha256", "case", "sequence")


def _series(values) -> Series:
    names = (Series._meta.get_field(f).attname for f in _SERIES_FIELDS)
    return Series(**dict(zip(names, values, strict=True)))


def _as_datetime(value) -> datetime | None:
    # Raw SQL skips Django's converters: SQLite gives a naive UTC datetime (or text),
    # PostgreSQL an aware one.
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def get_pane_for_reader(user, token: str) -> PaneGrant:
    """The pane behind ``token`` if it is the reader's own, in an open study; otherwise 404.

    The same rule as the other helpers (own assignment, active reader membership, open study),
    in one hand-written query that also fetches the pair's other arm: the pixel endpoint runs
    it on every request, and building the equivalent ORM queries cost ≈1.5 ms, more than the
    static-file baseline spends on a whole request (bench/bench_viewer.py).
    """
    if not user.is_authenticated or not token or len(token) > 64:
        raise Http404("No such image.")
    params = [token, user.pk, Study.Status.OPEN, user.pk, Membership.Role.READER, True]
    with connection.cursor() as cursor:
        cursor.execute(_pane_grant_sql_cached(), params)
        rows = cursor.fetchall()
    if not rows:
        raise Http404("No such image.")
    n = len(_SERIES_FIELDS)
    first = rows[0]
    session, completed, washout = first[n : n + 3]
    return PaneGrant(
        series=_series(first[:n]),
        pair=[_series(row[n + 3 :]) for row in rows if row[n + 3] is not None],
        session=session,
        session1_completed_at=_as_datetime(completed),
        washout_days=washout,
    )


@functools.cache
def _pane_grant_sql_cached() -> str:
    return _pane_grant_sql()


def get_assignment_for_coordinator(study: Study, assignment_id: int) -> Assignment:
    """Any reader's assignment in a study the coordinator manages (``study`` already checked)."""
    return in_study(
        Assignment.objects.select_related("reader", "task__case", "task__sequence"),
        study=study,
        pk=assignment_id,
    )
