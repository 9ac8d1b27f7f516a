"""Reads for the coordinator's case list: pairing status, blinding-diff flags, thumbnails."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from readerstudy.imaging.models import PairCheck, Series
from readerstudy.studies.models import Case, Study
from readerstudy.studies.vocabulary import CONVENTIONAL, ENHANCED

CASE_FILTERS = {
    "": "All cases",
    "incomplete": "Incomplete or mismatched pairs",
    "tells": "Pairs with blinding-diff flags",
    "excluded": "Excluded",
}


def cases_search(
    study: Study, *, query: str = "", site_id: int | None = None, show: str = ""
) -> QuerySet[Case]:
    cases = Case.objects.filter(study=study).select_related("site").order_by("identifier")
    if query:
        cases = cases.filter(identifier__icontains=query.strip())
    if site_id:
        cases = cases.filter(site_id=site_id)
    if show == "excluded":
        cases = cases.filter(excluded=True)
    elif show == "incomplete":
        cases = cases.exclude(pk__in=_cases_with_n_complete(study, study.sequences.count()))
    elif show == "tells":
        cases = cases.filter(pk__in=_cases_with_tells(study)).distinct()
    return cases


def _cases_with_n_complete(study: Study, sequences: int) -> list[int]:
    counts: dict[int, int] = {}
    for case_id in PairCheck.objects.filter(
        case__study=study, status=PairCheck.Status.COMPLETE
    ).values_list("case_id", flat=True):
        counts[case_id] = counts.get(case_id, 0) + 1
    return [case_id for case_id, count in counts.items() if count >= sequences]


def _cases_with_tells(study: Study) -> list[int]:
    return [
        check.case_id
        for check in PairCheck.objects.filter(case__study=study).only("case_id", "tells")
        if check.tells
    ]


@dataclass
class PairRow:
    sequence: str
    sequence_label: str
    status: str
    reason: str = ""
    tells: list = field(default_factory=list)
    conventional: int | None = None  # series ids, for the coordinator's thumbnails
    enhanced: int | None = None


@dataclass
class CaseRow:
    case: Case
    pairs: list[PairRow]

    @property
    def complete(self) -> bool:
        return all(pair.status == PairCheck.Status.COMPLETE for pair in self.pairs)

    @property
    def tell_count(self) -> int:
        return sum(len(pair.tells) for pair in self.pairs)


def case_rows(study: Study, cases: list[Case]) -> list[CaseRow]:
    """Each case with one PairRow per sequence (status 'missing' when nothing was imported)."""
    ids = [case.pk for case in cases]
    sequences = list(study.sequences.order_by("order", "key"))
    checks = {(c.case_id, c.sequence_id): c for c in PairCheck.objects.filter(case_id__in=ids)}
    series = {
        (case_id, sequence_id, arm): pk
        for pk, case_id, sequence_id, arm in Series.objects.filter(case_id__in=ids).values_list(
            "pk", "case_id", "sequence_id", "arm"
        )
    }
    rows = []
    for case in cases:
        pairs = []
        for sequence in sequences:
            check = checks.get((case.pk, sequence.pk))
            pairs.append(
                PairRow(
                    sequence=sequence.key,
                    sequence_label=sequence.label,
                    status=check.status if check else "missing",
                    reason=check.reason if check else "No series imported.",
                    tells=list(check.tells or []) if check else [],
                    conventional=series.get((case.pk, sequence.pk, CONVENTIONAL)),
                    enhanced=series.get((case.pk, sequence.pk, ENHANCED)),
                )
            )
        rows.append(CaseRow(case=case, pairs=pairs))
    return rows
