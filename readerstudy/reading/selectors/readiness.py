"""Reads for study setup: what is missing before a study can open, and each reader's workload."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from readerstudy.imaging.models import PairCheck
from readerstudy.studies.models import Case, Membership, PlannedReading, Study
from readerstudy.studies.selectors import active_readers, cases_for_reader, reading_plan

SHOW_AT_MOST = 8


@dataclass(frozen=True)
class Problem:
    """One thing to fix (blocking) or to check (a warning) before opening."""

    code: str
    message: str
    blocking: bool = True


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:SHOW_AT_MOST])
    more = len(items) - SHOW_AT_MOST
    return f"{shown} and {more} more" if more > 0 else shown


def _protocol_problems(study: Study) -> list[Problem]:
    problems = []
    if not study.sequences.exists():
        problems.append(Problem("no_sequences", "Add at least one sequence."))
    criteria = list(study.criteria.all())
    if not criteria:
        problems.append(Problem("no_criteria", "Add at least one criterion."))
    missing = [
        c.label
        for c in criteria
        if len(c.anchors or []) != len(c.levels) or any(not str(text).strip() for text in c.anchors)
    ]
    if missing:
        problems.append(
            Problem(
                "criteria_without_anchors",
                f"Give every score level an anchor text: {_listed(missing)}.",
            )
        )
    if study.design == Study.Design.SEQUENTIAL and study.washout_days == 0:
        problems.append(
            Problem(
                "no_washout",
                "The sequential design has a washout of 0 days; readers will see both versions "
                "of a case in the same sitting.",
                blocking=False,
            )
        )
    return problems


def _people_problems(study: Study) -> list[Problem]:
    readers = list(active_readers(study))
    problems = []
    if not readers:
        problems.append(Problem("no_readers", "Invite at least one reader."))
    unplaced = [m.user.get_username() for m in readers if m.site_id is None]
    if unplaced:
        problems.append(
            Problem("readers_without_site", f"Put these readers on a site: {_listed(unplaced)}.")
        )
    return problems


def _case_problems(study: Study) -> list[Problem]:
    cases = list(Case.objects.filter(study=study, excluded=False).order_by("identifier"))
    if not cases:
        return [Problem("no_cases", "Import cases (both arms of every sequence) before opening.")]
    sequences = list(study.sequences.all())
    checks = {
        (c.case_id, c.sequence_id): c
        for c in PairCheck.objects.filter(case__study=study, case__excluded=False)
    }
    incomplete, tells = [], 0
    for case in cases:
        for sequence in sequences:
            check = checks.get((case.pk, sequence.pk))
            if check is None:
                incomplete.append(f"{case.identifier} {sequence.key} (no series)")
            elif not check.is_readable:
                incomplete.append(
                    f"{case.identifier} {sequence.key} ({check.reason or check.status})"
                )
            elif check.tells:
                tells += 1
    problems = []
    if incomplete:
        problems.append(
            Problem(
                "incomplete_pairs",
                f"{len(incomplete)} case × sequence pair(s) are incomplete; import the missing "
                f"series or exclude the case: {_listed(incomplete)}.",
            )
        )
    if tells:
        problems.append(
            Problem(
                "blinding_tells",
                f"{tells} pair(s) have header differences that would give the DL version away. "
                "Readers never receive headers; check the provenance report.",
                blocking=False,
            )
        )
    return problems


def _plan_problems(study: Study) -> list[Problem]:
    plan = reading_plan(study)
    if plan is None or plan.is_fully_crossed:
        return []
    readers = list(active_readers(study))
    counts = Counter(
        PlannedReading.objects.filter(plan=plan, case__excluded=False).values_list(
            "reader_id", flat=True
        )
    )
    problems = []
    idle = [m.user.get_username() for m in readers if counts[m.user_id] == 0]
    if idle:
        problems.append(
            Problem("readers_without_cases", f"These readers have no cases: {_listed(idle)}.")
        )
    active_ids = [m.user_id for m in readers]
    per_case = Counter(
        PlannedReading.objects.filter(plan=plan, reader_id__in=active_ids).values_list(
            "case_id", flat=True
        )
    )
    cases = Case.objects.filter(study=study, excluded=False).order_by("identifier")
    if plan.mode == plan.Mode.SPLIT:
        short = [c.identifier for c in cases if per_case[c.pk] < plan.readers_per_case]
        if short:
            problems.append(
                Problem(
                    "split_out_of_date",
                    f"{len(short)} case(s) have fewer than {plan.readers_per_case} readers "
                    f"(cases or readers changed since the split): {_listed(short)}. "
                    "Apply the split again.",
                )
            )
    else:
        unread = [c.identifier for c in cases if per_case[c.pk] == 0]
        if unread:
            problems.append(
                Problem(
                    "unread_cases",
                    f"{len(unread)} case(s) are given to no reader: {_listed(unread)}.",
                    blocking=False,
                )
            )
    return problems


def study_problems(study: Study) -> list[Problem]:
    """Everything that stops the study from opening (blocking) and what to double-check."""
    return [
        *_protocol_problems(study),
        *_people_problems(study),
        *_case_problems(study),
        *_plan_problems(study),
    ]


@dataclass(frozen=True)
class Workload:
    membership: Membership
    cases: int
    tasks: int
    scores: int


def workloads(study: Study) -> list[Workload]:
    """What each active reader will have to read under the current plan."""
    sequences = study.sequences.count()
    criteria = study.criteria.count()
    tasks_per_case = sequences * (1 if study.is_side_by_side else 2)
    panes = 2 if study.is_side_by_side else 1
    result = []
    for membership in active_readers(study):
        cases = cases_for_reader(study=study, reader=membership.user).count()
        tasks = cases * tasks_per_case
        result.append(Workload(membership, cases, tasks, tasks * panes * criteria))
    return result
