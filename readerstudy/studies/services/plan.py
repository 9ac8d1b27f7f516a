"""Writes that decide who reads which cases: fully crossed, explicit subsets, or a balanced split.

Plans are set before opening; the reading side turns them into schedules through
``cases_for_reader`` when the study opens.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.studies.models import Case, PlannedReading, ReadingPlan, Site, Study
from readerstudy.studies.selectors import active_readers
from readerstudy.studies.services.common import require_draft

MAX_CSV_PROBLEMS = 20


def _plan_replace(*, study: Study, mode: str, pairs, k=None, source="", actor=None, request=None):
    require_draft(study)
    plan, _ = ReadingPlan.objects.update_or_create(
        study=study,
        defaults={"mode": mode, "readers_per_case": k, "source": source, "updated_by": actor},
    )
    plan.readings.all().delete()
    PlannedReading.objects.bulk_create(
        [
            PlannedReading(plan=plan, reader_id=reader_id, case_id=case_id)
            for reader_id, case_id in pairs
        ]
    )
    per_reader: dict[str, int] = {}
    for membership in active_readers(study):
        per_reader[membership.user.get_username()] = sum(
            1 for reader_id, _ in pairs if reader_id == membership.user_id
        )
    audit_record(
        action="reading_plan.set",
        actor=actor,
        study=study,
        target=plan,
        data={
            "mode": mode,
            "source": source,
            "readers_per_case": k,
            "pairs": len(pairs),
            "cases_per_reader": per_reader if mode != ReadingPlan.Mode.FULLY_CROSSED else {},
        },
        request=request,
    )
    return plan


@transaction.atomic
def reading_plan_fully_crossed(*, study: Study, actor=None, request=None) -> ReadingPlan:
    """Every active reader reads every non-excluded case (the default)."""
    return _plan_replace(
        study=study, mode=ReadingPlan.Mode.FULLY_CROSSED, pairs=[], actor=actor, request=request
    )


@transaction.atomic
def reading_plan_by_site(
    *, study: Study, sites_by_reader: dict[int, list[int]], actor=None, request=None
) -> ReadingPlan:
    """Each reader (user id) reads every case from the sites (site ids) chosen for them."""
    readers = {m.user_id for m in active_readers(study)}
    site_ids = set(Site.objects.filter(study=study).values_list("pk", flat=True))
    pairs = []
    for reader_id, chosen in sites_by_reader.items():
        if reader_id not in readers:
            raise ValidationError(f"User {reader_id} is not an active reader of this study.")
        unknown = set(chosen) - site_ids
        if unknown:
            raise ValidationError(f"Unknown site(s) for this study: {sorted(unknown)}.")
        cases = Case.objects.filter(study=study, site_id__in=chosen).values_list("pk", flat=True)
        pairs += [(reader_id, case_id) for case_id in cases]
    return _plan_replace(
        study=study,
        mode=ReadingPlan.Mode.SUBSET,
        pairs=pairs,
        source="site",
        actor=actor,
        request=request,
    )


def parse_reading_plan_csv(*, study: Study, content: bytes, source: str = "CSV") -> list[tuple]:
    """Parse ``reader,case`` rows (header required) into (user id, case id) pairs.

    Every problem names its line; nothing is applied unless the whole file is good. A file that
    is not CSV at all (a stray carriage return inside a field, a field over the csv module's
    128 KB limit) is refused with the line where reading stopped.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{source}: the file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "reader" not in fields or "case" not in fields:
            raise ValidationError(
                f"{source}: the header must name the columns 'reader' and 'case'; "
                f"found {', '.join(fields) or 'nothing'}."
            )
        reader.fieldnames = fields
        rows = [
            (line, (row.get("reader") or "").strip(), (row.get("case") or "").strip())
            for line, row in enumerate(reader, start=2)
        ]
    except csv.Error as exc:
        raise ValidationError(
            f"{source}: line {reader.line_num} is not valid CSV ({exc}); save the file as plain "
            "comma-separated text."
        ) from None
    return reading_plan_pairs(study=study, rows=rows, source=source)


def reading_plan_pairs(
    *, study: Study, rows: list[tuple[int, str, str]], source: str = "rows"
) -> list[tuple]:
    """Check (line, reader username, case identifier) rows; (user id, case id) pairs or the list
    of problems, each naming its line."""
    readers = {m.user.get_username(): m.user_id for m in active_readers(study)}
    cases = dict(Case.objects.filter(study=study).values_list("identifier", "pk"))
    problems, pairs, seen = [], [], {}
    for line, username, case in rows:
        if not username and not case:
            continue
        if username not in readers:
            problems.append(f"line {line}: {username!r} is not an active reader of this study.")
        if case not in cases:
            problems.append(f"line {line}: the study has no case {case!r}.")
        if (username, case) in seen:
            first = seen[(username, case)]
            problems.append(f"line {line}: reader {username!r}, case {case!r} repeat line {first}.")
        seen.setdefault((username, case), line)
        if username in readers and case in cases:
            pairs.append((readers[username], cases[case]))
    if problems:
        shown = problems[:MAX_CSV_PROBLEMS]
        if len(problems) > MAX_CSV_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_CSV_PROBLEMS} more problems.")
        raise ValidationError([f"{source}: {p}" for p in shown])
    if not pairs:
        raise ValidationError(f"{source}: no reader,case rows after the header.")
    return sorted(set(pairs))


@transaction.atomic
def reading_plan_from_rows(
    *, study: Study, rows: list[tuple[str, str]], actor=None, request=None
) -> ReadingPlan:
    """The same as a CSV upload, from (reader, case) pairs (the API's ``rows``)."""
    numbered = [(number, reader, case) for number, (reader, case) in enumerate(rows, start=1)]
    pairs = reading_plan_pairs(study=study, rows=numbered, source="rows")
    return _plan_replace(
        study=study,
        mode=ReadingPlan.Mode.SUBSET,
        pairs=pairs,
        source="csv",
        actor=actor,
        request=request,
    )


@transaction.atomic
def reading_plan_from_csv(
    *, study: Study, content: bytes, source: str = "CSV", actor=None, request=None
) -> ReadingPlan:
    pairs = parse_reading_plan_csv(study=study, content=content, source=source)
    return _plan_replace(
        study=study,
        mode=ReadingPlan.Mode.SUBSET,
        pairs=pairs,
        source="csv",
        actor=actor,
        request=request,
    )


def balanced_split(reader_ids: list[int], case_ids: list[int], k: int) -> list[tuple[int, int]]:
    """Give each case ``k`` distinct readers so that workloads differ by at most one case.

    Case i goes to readers (i·k + j) mod R for j < k: walking the reader ring in steps of k
    hands out the i·k-th to (i·k+k−1)-th reading slots, so every reader gets ⌊N·k/R⌋ or
    ⌈N·k/R⌉ cases and, because k ≤ R, never the same case twice. Pairs of readers sharing cases
    rotate too, which keeps the agreement analysis from resting on one pair.
    """
    count = len(reader_ids)
    if not 1 <= k <= count:
        raise ValidationError(
            f"Choose between 1 and {count} readers per case (there are {count} active readers)."
        )
    return [
        (reader_ids[(index * k + j) % count], case_id)
        for index, case_id in enumerate(case_ids)
        for j in range(k)
    ]


@transaction.atomic
def reading_plan_split(
    *, study: Study, readers_per_case: int, actor=None, request=None
) -> ReadingPlan:
    """k readers per case, balanced over the active readers (cases in identifier order)."""
    reader_ids = [m.user_id for m in active_readers(study)]
    case_ids = list(
        Case.objects.filter(study=study, excluded=False)
        .order_by("identifier")
        .values_list("pk", flat=True)
    )
    pairs = balanced_split(reader_ids, case_ids, int(readers_per_case))
    return _plan_replace(
        study=study,
        mode=ReadingPlan.Mode.SPLIT,
        pairs=pairs,
        k=int(readers_per_case),
        source="split",
        actor=actor,
        request=request,
    )
