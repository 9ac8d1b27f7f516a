"""Small builders for the coordinator tests: cases with real (tiny) volumes, pair checks, and
assignments with ratings written straight through the ORM, the way the reading side stores them."""

from __future__ import annotations

import secrets
from datetime import timedelta

import numpy as np
from django.utils import timezone

from readerstudy.imaging.models import PairCheck, Series, SeriesProvenance
from readerstudy.imaging.volumes import volume_save
from readerstudy.reading.models import Assignment, Pane, Rating, Schedule, Task
from readerstudy.studies.models import Case

TELL = {"attribute": "SeriesDescription", "conventional": "T2 AX", "enhanced": "T2 AX DL"}


def add_series(case, sequence, arm, *, shape=(6, 16, 16), seed=0):
    rng = np.random.default_rng(seed)
    volume = rng.integers(0, 1000, size=shape, dtype=np.int16)
    series = Series.objects.create(
        case=case,
        sequence=sequence,
        arm=arm,
        rows=shape[1],
        columns=shape[2],
        slices=shape[0],
        window_center=500,
        window_width=1000,
        intensity_low=10,
        intensity_high=990,
        storage_key=volume_save(volume),
        content_sha256="0" * 64,
    )
    SeriesProvenance.objects.create(
        series=series,
        headers={"SeriesDescription": TELL[arm]},
        file_count=shape[0],
        transfer_syntaxes=["1.2.840.10008.1.2.1"],
        source=f"upload.zip/{case.identifier}/{sequence.key}/{arm}",
    )
    return series


def add_cases(study, count=2, *, sites=None, complete=True, with_tells=True):
    """``count`` cases spread over the study's sites, each sequence with both arms."""
    sites = sites or list(study.sites.order_by("name"))
    cases = []
    for index in range(count):
        case = Case.objects.create(
            study=study, site=sites[index % len(sites)], identifier=f"P{index + 1:03d}"
        )
        for sequence in study.sequences.all():
            add_series(case, sequence, "conventional", seed=index)
            if complete:
                add_series(case, sequence, "enhanced", seed=index + 100)
            PairCheck.objects.create(
                case=case,
                sequence=sequence,
                status="complete" if complete else "incomplete",
                reason="" if complete else "The enhanced series is missing.",
                tells=[TELL] if with_tells and complete else [],
            )
        cases.append(case)
    return cases


def add_schedule(study, reader, *, cases=None, submit=0, draft=0, seed=1):
    """Give ``reader`` a side-by-side schedule over ``cases`` (default all). The first ``submit``
    assignments get submitted scores, the next ``draft`` get draft scores. DL is on the left in
    odd read orders."""
    cases = cases if cases is not None else list(study.cases.filter(excluded=False))
    schedule = Schedule.objects.create(study=study, reader=reader, seed=seed)
    criteria = list(study.criteria.all())
    now = timezone.now()
    assignments = []
    order = 0
    for case in cases:
        for sequence in study.sequences.all():
            order += 1
            task, _ = Task.objects.get_or_create(study=study, case=case, sequence=sequence, arm="")
            assignment = Assignment.objects.create(
                schedule=schedule, task=task, reader=reader, study=study, read_order=order
            )
            series = {s.arm: s for s in Series.objects.filter(case=case, sequence=sequence)}
            arms = ("enhanced", "conventional")
            left, right = arms if order % 2 else arms[::-1]
            panes = [
                Pane.objects.create(
                    assignment=assignment,
                    name=name,
                    series=series[arm],
                    token=secrets.token_urlsafe(24),
                )
                for name, arm in (("A", left), ("B", right))
            ]
            if order <= submit + draft:
                for pane in panes:
                    for index, criterion in enumerate(criteria):
                        score = 1 + (order + index + (pane.series.arm == "enhanced")) % 5
                        Rating.objects.create(
                            assignment=assignment,
                            pane=pane,
                            series=pane.series,
                            criterion=criterion,
                            score=score,
                        )
                assignment.started_at = now - timedelta(minutes=10 * (20 - order))
                assignment.active_seconds = 30.0 + order
                if order <= submit:
                    assignment.status = Assignment.Status.SUBMITTED
                    assignment.submitted_at = assignment.started_at + timedelta(minutes=2)
                else:
                    assignment.status = Assignment.Status.DRAFT
                assignment.save()
            assignments.append(assignment)
    return assignments
