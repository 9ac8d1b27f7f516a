"""Schedules: each reader's seeded order over their tasks, with balanced hidden placements.

Randomization is done twice, both from one per-reader seed:

- the order: a permutation of the reader's tasks (each session's tasks separately in the
  sequential design);
- the placement: which arm sits behind pane A (side by side), or which arm is read in session 1
  (sequential). Placements are balanced per sequence and over the whole schedule, so "DL on the
  left" or "DL first" cannot be learned from frequencies.

The per-reader seed comes from the study seed and the reader's id through numpy's SeedSequence,
so readers get independent streams and the study seed alone reproduces every schedule.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from readerstudy.audit.services import audit_record
from readerstudy.imaging.models import Arm, PairCheck, Series
from readerstudy.reading.models import Assignment, Pane, Schedule, Task
from readerstudy.studies.models import Membership, Sequence, Study
from readerstudy.studies.selectors import cases_for_reader

CONVENTIONAL, ENHANCED = Arm.CONVENTIONAL.value, Arm.ENHANCED.value
_SEED_MASK = (1 << 63) - 1  # the stored seed must fit a signed 64-bit column


@dataclass
class ScheduleSummary:
    """What a coordinator wants to see after generating one reader's schedule."""

    reader: str
    seed: int
    tasks: int
    # Side by side: tasks with the enhanced arm in pane A, per sequence key.
    # Sequential: session-1 tasks that show the enhanced arm, per sequence key.
    enhanced_first: dict[str, int] = field(default_factory=dict)
    per_sequence: dict[str, int] = field(default_factory=dict)
    sessions: dict[int, int] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)


def reader_seed(study_seed: int, reader_id: int) -> int:
    """The per-reader seed: a deterministic, independent stream for each reader."""
    state = np.random.SeedSequence([int(study_seed), int(reader_id)]).generate_state(1, np.uint64)
    return int(state[0]) & _SEED_MASK


def balanced_flags(rng: np.random.Generator, group_sizes: list[int]) -> list[np.ndarray]:
    """One boolean array per group, True for about half of each group's items.

    Each group of n gets ⌊n/2⌋ or ⌈n/2⌉ True values, at random positions. Odd groups share
    their extra True values out so that the total over all groups is also ⌊N/2⌋ or ⌈N/2⌉.
    """
    odd = [index for index, n in enumerate(group_sizes) if n % 2]
    # Half of the odd groups (rounded at random) get the extra True.
    extra_count = len(odd) // 2 + (int(rng.integers(2)) if len(odd) % 2 else 0)
    extra = {odd[i] for i in rng.permutation(len(odd))[:extra_count]} if odd else set()
    flags = []
    for index, n in enumerate(group_sizes):
        k = n // 2 + (1 if index in extra else 0)
        chosen = np.zeros(n, dtype=bool)
        chosen[rng.permutation(n)[:k]] = True
        flags.append(chosen)
    return flags


def _readable_pairs(study: Study, reader) -> tuple[list[tuple], list[dict], dict]:
    """(case, sequence) pairs with a complete pair check, in a canonical order, plus skips."""
    sequences = list(Sequence.objects.filter(study=study).order_by("order", "key"))
    cases = list(cases_for_reader(study=study, reader=reader).order_by("identifier"))
    checks = {
        (check.case_id, check.sequence_id): check
        for check in PairCheck.objects.filter(case__in=cases, sequence__in=sequences)
    }
    series = {
        (s.case_id, s.sequence_id, s.arm): s
        for s in Series.objects.filter(case__in=cases, sequence__in=sequences).only(
            "id", "case_id", "sequence_id", "arm"
        )
    }
    pairs, skipped = [], []
    for case in cases:
        for sequence in sequences:
            check = checks.get((case.pk, sequence.pk))
            both = all((case.pk, sequence.pk, arm) in series for arm in (CONVENTIONAL, ENHANCED))
            if check is not None and check.is_readable and both:
                pairs.append((case, sequence))
                continue
            if check is None:
                reason = "no pair check (the series were not imported)"
            elif not both:
                reason = "an arm's series is missing"
            else:
                reason = f"{check.get_status_display().lower()}: {check.reason}".rstrip(": ")
            skipped.append({"case": case.identifier, "sequence": sequence.key, "reason": reason})
    return pairs, skipped, series


def _tasks_for(study: Study, wanted: list[tuple]) -> dict[tuple, Task]:
    """Get or create the shared Task rows for (case, sequence, arm) keys, in two queries."""
    existing = {
        (t.case_id, t.sequence_id, t.arm): t
        for t in Task.objects.filter(study=study, case__in={case for case, _, _ in wanted})
    }
    missing = [
        Task(study=study, case=case, sequence=sequence, arm=arm)
        for case, sequence, arm in wanted
        if (case.pk, sequence.pk, arm) not in existing
    ]
    if missing:
        Task.objects.bulk_create(missing)
        existing.update(
            {
                (t.case_id, t.sequence_id, t.arm): t
                for t in Task.objects.filter(study=study, case__in={c for c, _, _ in wanted})
            }
        )
    return {key: existing[key[0].pk, key[1].pk, key[2]] for key in wanted}


def schedule_has_started(schedule: Schedule) -> bool:
    return (
        schedule.assignments.exclude(status=Assignment.Status.PENDING).exists()
        or schedule.assignments.filter(started_at__isnull=False).exists()
    )


@transaction.atomic
def schedule_generate(
    *, study: Study, reader, seed: int | None = None, actor=None, request=None
) -> Schedule:
    """Build (or rebuild, while unread) one reader's schedule from the study seed.

    ``seed`` is the study seed (the study's stored seed when None); the reader's own seed is
    derived from it and the reader's id. Only case × sequence pairs whose pair check is complete
    get tasks; the others are listed in ``schedule.summary.skipped`` (a `ScheduleSummary`
    attached to the returned schedule for the caller's report).
    """
    study_seed = study.randomization_seed if seed is None else seed
    if study_seed is None:
        raise ValidationError("Set a randomization seed before generating schedules.")
    if study.status == Study.Status.CLOSED:
        raise ValidationError(f"The study {study.slug!r} is closed; schedules cannot change.")
    if not Membership.objects.filter(
        study=study, user=reader, role=Membership.Role.READER, is_active=True
    ).exists():
        raise ValidationError(f"{reader.get_username()} is not an active reader of this study.")

    existing = Schedule.objects.select_for_update().filter(study=study, reader=reader).first()
    if existing is not None:
        if schedule_has_started(existing):
            raise ValidationError(
                f"{reader.get_username()} has started reading; their schedule cannot be "
                "regenerated."
            )
        existing.delete()

    own_seed = reader_seed(study_seed, reader.pk)
    rng = np.random.Generator(np.random.PCG64(own_seed))
    pairs, skipped, series = _readable_pairs(study, reader)
    schedule = Schedule.objects.create(study=study, reader=reader, seed=own_seed)
    summary = ScheduleSummary(reader=reader.get_username(), seed=own_seed, tasks=0, skipped=skipped)
    if study.is_side_by_side:
        rows = _side_by_side_rows(rng, study, pairs, series, summary)
    else:
        rows = _sequential_rows(rng, study, pairs, series, summary)
    _store(schedule, reader, study, rows)
    summary.tasks = len(rows)
    audit_record(
        action="schedule.generate",
        actor=actor,
        study=study,
        target=schedule,
        data={
            "reader": reader.get_username(),
            "study_seed": int(study_seed),
            "reader_seed": own_seed,
            "tasks": summary.tasks,
            "skipped": len(skipped),
            "generated_at": timezone.now().isoformat(),
        },
        request=request,
    )
    schedule.summary = summary
    return schedule


@dataclass
class _Row:
    task: Task
    session: int
    panes: list[tuple[str, Series]]  # (pane name, series)


def _by_sequence(pairs: list[tuple]) -> dict[Sequence, list[tuple]]:
    groups: dict[Sequence, list[tuple]] = {}
    for case, sequence in pairs:
        groups.setdefault(sequence, []).append((case, sequence))
    return groups


def _side_by_side_rows(rng, study, pairs, series, summary) -> list[_Row]:
    tasks = _tasks_for(study, [(case, seq, "") for case, seq in pairs])
    groups = _by_sequence(pairs)
    flags = balanced_flags(rng, [len(items) for items in groups.values()])
    rows = []
    for (sequence, items), enhanced_left in zip(groups.items(), flags, strict=True):
        summary.enhanced_first[sequence.key] = int(enhanced_left.sum())
        summary.per_sequence[sequence.key] = len(items)
        for (case, _), left_is_enhanced in zip(items, enhanced_left, strict=True):
            left, right = (ENHANCED, CONVENTIONAL) if left_is_enhanced else (CONVENTIONAL, ENHANCED)
            rows.append(
                _Row(
                    task=tasks[case, sequence, ""],
                    session=1,
                    panes=[
                        ("A", series[case.pk, sequence.pk, left]),
                        ("B", series[case.pk, sequence.pk, right]),
                    ],
                )
            )
    order = rng.permutation(len(rows))
    summary.sessions = {1: len(rows)} if rows else {}
    return [rows[i] for i in order]


def _sequential_rows(rng, study, pairs, series, summary) -> list[_Row]:
    wanted = [(case, seq, arm) for case, seq in pairs for arm in (CONVENTIONAL, ENHANCED)]
    tasks = _tasks_for(study, wanted)
    groups = _by_sequence(pairs)
    flags = balanced_flags(rng, [len(items) for items in groups.values()])
    sessions: dict[int, list[_Row]] = {1: [], 2: []}
    for (sequence, items), enhanced_first in zip(groups.items(), flags, strict=True):
        summary.enhanced_first[sequence.key] = int(enhanced_first.sum())
        summary.per_sequence[sequence.key] = 2 * len(items)
        for (case, _), first_is_enhanced in zip(items, enhanced_first, strict=True):
            first, second = (
                (ENHANCED, CONVENTIONAL) if first_is_enhanced else (CONVENTIONAL, ENHANCED)
            )
            for session, arm in ((1, first), (2, second)):
                sessions[session].append(
                    _Row(
                        task=tasks[case, sequence, arm],
                        session=session,
                        panes=[("A", series[case.pk, sequence.pk, arm])],
                    )
                )
    ordered = []
    for session in (1, 2):
        rows = sessions[session]
        ordered.extend(rows[i] for i in rng.permutation(len(rows)))
        if rows:
            summary.sessions[session] = len(rows)
    return ordered


def _store(schedule: Schedule, reader, study: Study, rows: list[_Row]) -> None:
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                schedule=schedule,
                task=row.task,
                reader=reader,
                study=study,
                read_order=number,
                session=row.session,
            )
            for number, row in enumerate(rows, start=1)
        ]
    )
    tokens: set[str] = set()
    panes = []
    for assignment, row in zip(assignments, rows, strict=True):
        for name, series in row.panes:
            token = secrets.token_urlsafe(32)
            while token in tokens:  # astronomically unlikely; the unique index is the backstop
                token = secrets.token_urlsafe(32)
            tokens.add(token)
            panes.append(Pane(assignment=assignment, name=name, series=series, token=token))
    Pane.objects.bulk_create(panes)


def schedule_ensure(*, study: Study, membership: Membership, actor=None, request=None) -> None:
    """A reader who joins an open study gets a schedule at once, like everyone at opening."""
    if not study.is_open or membership.role != Membership.Role.READER:
        return
    if not Schedule.objects.filter(study=study, reader=membership.user).exists():
        # seed=None: the reader's seed derives from the stored study seed, so it stays reproducible.
        schedule_generate(
            study=study, reader=membership.user, seed=None, actor=actor, request=request
        )
