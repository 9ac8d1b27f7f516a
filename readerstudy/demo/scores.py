"""Simulated, submitted scores for the completed demo study, written through the reading services.

The scores come from :func:`readerstudy.demo.simulate.simulate_ratings` (enhanced arm better
on noise, overall quality, gray–white differentiation, lesion conspicuity and truncation; the
same on motion and pulsation; one lenient reader, one strict, per-score disagreement). Each task
is first saved as a draft with pane A's scores, then submitted with both panes', exactly as a
reader's browser does, so the audit trail, revisions and timing columns are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from readerstudy.reading.models import Assignment, Pane
from readerstudy.reading.services import assignment_submit, draft_save
from readerstudy.studies.models import Case, Criterion, Membership, Sequence, Study


@dataclass
class DemoScores:
    submitted: int = 0  # tasks submitted now
    already: int = 0  # tasks that were submitted before


def _readers(study: Study) -> list[Membership]:
    # Site order, so the first site's reader is the simulator's lenient one, the second strict.
    return list(
        Membership.objects.filter(study=study, role=Membership.Role.READER, is_active=True)
        .select_related("user", "site")
        .order_by("site__pk", "user__username")
    )


@transaction.atomic
def demo_scores_submit(*, study: Study, seed: int) -> DemoScores:
    """Fill every open task of every active reader of ``study`` with simulated scores.

    Tasks already submitted are left alone, so running it again changes nothing. The study must
    be open (the reading services refuse otherwise).

    Parameters
    ----------
    study : Study
        An open study.
    seed : int
        Seed of the simulated scores; the same seed gives the same scores.

    Returns
    -------
    DemoScores
        How many tasks were submitted now and how many were submitted before.
    """
    from readerstudy.demo.simulate import case_ids, simulate_ratings

    readers = _readers(study)
    cases = list(Case.objects.filter(study=study).order_by("identifier"))
    sequences = list(
        Sequence.objects.filter(study=study).order_by("order", "key").values_list("key", flat=True)
    )
    criteria = list(
        Criterion.objects.filter(study=study).order_by("order", "key").values_list("key", flat=True)
    )
    result = DemoScores()
    if not readers or not cases:
        return result
    frame = simulate_ratings(
        n_cases=len(cases),
        readers=[m.user.get_username() for m in readers],
        sites=[m.site.name if m.site else "" for m in readers],
        sequences=sequences,
        criteria=criteria,
        seed=seed,
        study=study.slug,
    )
    case_of = dict(zip(case_ids(len(cases)), (c.identifier for c in cases), strict=True))
    scores = {
        (reader, case_of[case], sequence, arm, criterion): int(score)
        for reader, case, sequence, arm, criterion, score in frame[
            ["reader", "case", "sequence", "arm", "criterion", "score"]
        ].itertuples(index=False)
    }
    durations = {
        (reader, case_of[case], sequence): float(seconds)
        for reader, case, sequence, seconds in frame[
            ["reader", "case", "sequence", "duration_s"]
        ].itertuples(index=False)
    }
    users = {m.user_id: m.user for m in readers}
    assignments = (
        Assignment.objects.filter(study=study, reader_id__in=users)
        .select_related("task__case", "task__sequence")
        .order_by("reader__username", "session", "read_order")
    )
    panes: dict[int, list[Pane]] = {}
    for pane in Pane.objects.filter(assignment__in=assignments).select_related("series"):
        panes.setdefault(pane.assignment_id, []).append(pane)
    for assignment in assignments:
        if assignment.status == Assignment.Status.SUBMITTED:
            result.already += 1
            continue
        reader = users[assignment.reader_id]
        name = reader.get_username()
        case, sequence = assignment.task.case.identifier, assignment.task.sequence.key
        answers = {
            pane.name: {
                key: scores[(name, case, sequence, pane.series.arm, key)] for key in criteria
            }
            for pane in sorted(panes.get(assignment.pk, []), key=lambda p: p.name)
        }
        seconds = durations[(name, case, sequence)]
        first = min(answers) if answers else None
        draft_save(
            assignment=assignment,
            scores={first: answers[first]} if first else {},
            active_seconds=round(seconds / 2, 1),
            actor=reader,
        )
        outcome = assignment_submit(
            assignment=assignment, scores=answers, active_seconds=seconds, actor=reader
        )
        result.submitted += int(outcome.submitted)
    return result
