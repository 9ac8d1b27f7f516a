"""Opening a study for reading: check it is ready, fix the seed, schedule every reader."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import PairCheck
from readerstudy.reading.selectors.readiness import study_problems
from readerstudy.reading.services.schedule import schedule_generate
from readerstudy.reading.tasks import enqueue_study_pixels
from readerstudy.studies.models import Criterion, Sequence, Study
from readerstudy.studies.selectors import active_readers
from readerstudy.studies.services import require_draft


def study_open_problems(study: Study) -> list[str]:
    """Everything that stops the study from opening, as sentences a coordinator can act on."""
    problems = []
    if study.status != Study.Status.DRAFT:
        problems.append(
            f"The study is {study.get_status_display().lower()}; only a draft study can open."
        )
    if not active_readers(study).exists():
        problems.append("Add at least one active reader.")
    if not Sequence.objects.filter(study=study).exists():
        problems.append("Add at least one sequence.")
    criteria = list(Criterion.objects.filter(study=study))
    if not criteria:
        problems.append("Add at least one rating criterion.")
    for criterion in criteria:
        expected = criterion.scale_max - criterion.scale_min + 1
        anchors = criterion.anchors if isinstance(criterion.anchors, list) else []
        if len(anchors) != expected or any(not str(text).strip() for text in anchors):
            problems.append(
                f"Criterion {criterion.key!r} needs {expected} anchor texts, one per score "
                f"{criterion.scale_min}–{criterion.scale_max}."
            )
    complete = PairCheck.objects.filter(
        case__study=study, case__excluded=False, status=PairCheck.Status.COMPLETE
    )
    if not complete.exists():
        problems.append(
            "No case has a complete conventional/enhanced pair; import the series first."
        )
    return problems


@transaction.atomic
def study_open(*, study: Study, seed: int | None = None, actor=None, request=None) -> dict:
    """Open a draft study: store the seed (random when None) and schedule every active reader.

    Returns ``{"seed": int, "readers": [ScheduleSummary, ...]}``. Raises ValidationError with
    the list of problems when the study cannot open; nothing changes then.
    """
    study = Study.objects.select_for_update().get(pk=study.pk)
    problems = study_open_problems(study)
    if problems:
        raise ValidationError(problems)
    if seed is None:
        seed = secrets.randbits(62)
    if seed < 0:
        raise ValidationError(f"The seed must be a non-negative integer; got {seed}.")
    study.randomization_seed = seed
    summaries = []
    for membership in active_readers(study):
        schedule = schedule_generate(
            study=study, reader=membership.user, seed=seed, actor=actor, request=request
        )
        summaries.append(schedule.summary)
    study.status = Study.Status.OPEN
    study.opened_at = timezone.now()
    study.save(update_fields=["randomization_seed", "status", "opened_at"])
    enqueue_study_pixels(study)  # encode every pane's slices in the background, once
    audit_record(
        action="study.open",
        actor=actor,
        study=study,
        target=study,
        data={
            "seed": seed,
            "readers": {s.reader: s.tasks for s in summaries},
        },
        request=request,
    )
    return {"seed": seed, "readers": summaries}


def study_open_checked(*, study: Study, seed: int | None = None, actor=None, request=None) -> dict:
    """Open the study as the coordinator's page and API do: only when the setup check that they
    show (``reading.selectors.readiness``) has no blocking problem left.

    ``study_open`` alone schedules whatever complete pairs there are; the coordinator's check also
    refuses incomplete pairs and readers without a site, so nothing opens by surprise.
    """
    require_draft(study)
    blocking = [problem.message for problem in study_problems(study) if problem.blocking]
    if blocking:
        raise ValidationError(["The study cannot open yet.", *blocking])
    return study_open(study=study, seed=seed, actor=actor, request=request)
