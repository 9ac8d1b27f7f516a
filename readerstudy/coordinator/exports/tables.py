"""The tables a coordinator can export, each built as a pandas frame.

The ratings table comes from ``readerstudy.reading.selectors.frame`` (one database-to-frame
module); the others are the wide ratings table, the unblinding key, the provenance /
blinding-diff report and the audit log.
"""

from __future__ import annotations

import json

import pandas as pd

from readerstudy.coordinator.selectors.audit import AuditFilter, audit_events
from readerstudy.imaging.models import PairCheck, Series, SeriesProvenance
from readerstudy.reading.models import Pane
from readerstudy.reading.selectors.frame import (
    RATINGS_COLUMNS,
    iso_utc,
    ratings_frame,
    reader_sites,
)
from readerstudy.studies.models import Case, Study
from readerstudy.studies.vocabulary import ARMS

WIDE_ID_COLUMNS = tuple(c for c in RATINGS_COLUMNS if c not in ("criterion", "score"))

KEY_COLUMNS = (
    "study",
    "reader",
    "reader_site",
    "read_order",
    "label",
    "session",
    "task",
    "case",
    "site",
    "sequence",
    "pane",
    "position",
    "arm",
    "series",
    "status",
)

PROVENANCE_COLUMNS = (
    "case",
    "site",
    "sequence",
    "excluded",
    "pair_status",
    "reason",
    "attribute",
    "conventional",
    "enhanced",
    "conventional_series",
    "enhanced_series",
    "conventional_files",
    "enhanced_files",
    "conventional_transfer_syntaxes",
    "enhanced_transfer_syntaxes",
    "conventional_warnings",
    "enhanced_warnings",
    "conventional_source",
    "enhanced_source",
)

AUDIT_COLUMNS = ("at", "actor", "action", "target_type", "target_id", "ip_address", "data")


def wide_frame(study: Study) -> pd.DataFrame:
    """One row per reader × case × sequence × arm, one column per criterion (in study order)."""
    long = ratings_frame(study)
    criteria = list(study.criteria.order_by("order", "key").values_list("key", flat=True))
    if long.empty:
        return pd.DataFrame(columns=[*WIDE_ID_COLUMNS, *criteria])
    wide = long.pivot(index=list(WIDE_ID_COLUMNS), columns="criterion", values="score")
    wide = wide.reindex(columns=criteria).reset_index()
    wide.columns.name = None
    for key in criteria:
        wide[key] = wide[key].astype("Int64")  # a missing optional score stays empty, not 0.0
    return wide.sort_values(["reader", "read_order", "pane"], kind="mergesort").reset_index(
        drop=True
    )


def unblinding_key_frame(study: Study) -> pd.DataFrame:
    """Every pane every reader was given: task → pane → arm. Coordinators only."""
    panes = (
        Pane.objects.filter(assignment__study=study)
        .order_by("assignment__reader__username", "assignment__read_order", "name")
        .values_list(
            "assignment__reader_id",
            "assignment__reader__username",
            "assignment__read_order",
            "assignment__session",
            "assignment__task_id",
            "assignment__task__case__identifier",
            "assignment__task__case__site__name",
            "assignment__task__sequence__key",
            "name",
            "series__arm",
            "series_id",
            "assignment__status",
        )
    )
    sites = reader_sites(study)
    records = [
        (
            study.slug,
            username,
            sites.get(reader_id, ""),
            read_order,
            f"Case {read_order}",
            session,
            task,
            case,
            site,
            sequence,
            pane,
            "left" if pane == "A" else "right",
            arm,
            series,
            status,
        )
        for (
            reader_id,
            username,
            read_order,
            session,
            task,
            case,
            site,
            sequence,
            pane,
            arm,
            series,
            status,
        ) in panes.iterator(chunk_size=5000)
    ]
    return pd.DataFrame.from_records(records, columns=list(KEY_COLUMNS))


def _provenance_by_series(study: Study) -> dict[tuple[int, int, str], dict]:
    series = Series.objects.filter(case__study=study).values_list(
        "id", "case_id", "sequence_id", "arm"
    )
    provenance = {
        p.series_id: p for p in SeriesProvenance.objects.filter(series__case__study=study)
    }
    result = {}
    for series_id, case_id, sequence_id, arm in series:
        record = provenance.get(series_id)
        result[(case_id, sequence_id, arm)] = {
            "series": series_id,
            "files": record.file_count if record else "",
            "transfer_syntaxes": "; ".join(record.transfer_syntaxes) if record else "",
            "warnings": "; ".join(str(w) for w in record.warnings) if record else "",
            "source": record.source if record else "",
        }
    return result


def provenance_frame(study: Study) -> pd.DataFrame:
    """Per case × sequence: pairing status and every header attribute that tells the arms apart."""
    checks = {(c.case_id, c.sequence_id): c for c in PairCheck.objects.filter(case__study=study)}
    series = _provenance_by_series(study)
    sequences = list(study.sequences.order_by("order", "key"))
    records = []
    for case in Case.objects.filter(study=study).select_related("site").order_by("identifier"):
        for sequence in sequences:
            check = checks.get((case.pk, sequence.pk))
            arms = {arm: series.get((case.pk, sequence.pk, arm), {}) for arm in ARMS}
            if check is None and not any(arms.values()):
                status, reason = "missing", "No series imported."
            elif check is None:
                status, reason = "unchecked", ""
            else:
                status, reason = check.status, check.reason
            tells = (check.tells if check else None) or [{}]
            for tell in tells:
                row = [
                    case.identifier,
                    case.site.name,
                    sequence.key,
                    case.excluded,
                    status,
                    reason,
                    str(tell.get("attribute", "")),
                    _cell(tell.get("conventional", "")),
                    _cell(tell.get("enhanced", "")),
                ]
                for field in ("series", "files", "transfer_syntaxes", "warnings", "source"):
                    row += [arms["conventional"].get(field, ""), arms["enhanced"].get(field, "")]
                records.append(tuple(row))
    return pd.DataFrame.from_records(records, columns=list(PROVENANCE_COLUMNS))


def _cell(value) -> str:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def audit_frame(study: Study, filters: AuditFilter | None = None) -> pd.DataFrame:
    """The study's audit log (filtered like the viewer), oldest first."""
    events = audit_events(study, filters).order_by("at", "id")
    records = [
        (
            iso_utc(event.at),
            event.actor_name,
            event.action,
            event.target_type,
            event.target_id,
            event.ip_address or "",
            json.dumps(event.data, ensure_ascii=False, sort_keys=True),
        )
        for event in events.iterator(chunk_size=2000)
    ]
    return pd.DataFrame.from_records(records, columns=list(AUDIT_COLUMNS))
