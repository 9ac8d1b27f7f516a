"""The codebook that travels with every XLSX export: the study's criteria with their scales and
anchors, the scale direction, and what each column of the exported table means."""

from __future__ import annotations

import pandas as pd

from readerstudy.studies.models import Study
from readerstudy.studies.vocabulary import ARMS

__all__ = ["COLUMN_MEANINGS", "DATE_COLUMNS", "codebook_frames"]

#: Columns holding an ISO 8601 UTC timestamp (text in the CSV, a real date in the XLSX).
DATE_COLUMNS = ("started_at", "submitted_at", "at")

COLUMN_MEANINGS = {
    "study": "The study's slug.",
    "site": "Site (hospital) the case comes from.",
    "reader": "The reader's username.",
    "reader_site": "Site the reader reads for in this study.",
    "case": "Case identifier (a patient).",
    "sequence": "MRI sequence key (see the criteria sheet for the protocol).",
    "arm": f"Image version: {' or '.join(ARMS)} (deep-learning enhanced).",
    "criterion": "Criterion key (see the criteria below).",
    "score": "The reader's score; higher is always better.",
    "scale_min": "Lowest score of the criterion's scale.",
    "scale_max": "Highest score of the criterion's scale.",
    "task": "Task id: one case x sequence (x arm in the sequential design).",
    "pane": "Pane the image was shown in: A or B.",
    "position": "Where the pane was: left (A) or right (B).",
    "read_order": "The reader's 1-based position of the task in their reading order.",
    "started_at": "When the reader opened the task (UTC).",
    "submitted_at": "When the reader submitted the task (UTC).",
    "duration_s": "Active reading time in seconds.",
    "label": "Case label the reader saw (Case N, in their reading order).",
    "session": "Reading session (sequential design: the arms of a case in separate sessions).",
    "series": "Internal series id of the image shown.",
    "status": "Task status: pending, draft or submitted.",
    "excluded": "Whether the case is excluded from reading.",
    "pair_status": "Pairing check of the conventional and enhanced series.",
    "reason": "Why the pair check failed, if it did.",
    "attribute": "DICOM attribute whose value tells the arms apart (blinding check).",
    "conventional": "That attribute's value in the conventional series.",
    "enhanced": "That attribute's value in the enhanced series.",
    "at": "When it happened (UTC).",
    "actor": "Who did it.",
    "action": "What was done (e.g. rating.change, export.ratings).",
    "target_type": "Kind of object acted on.",
    "target_id": "Id of the object acted on.",
    "ip_address": "Address the request came from.",
    "data": "Details, as JSON.",
}
_ARM_FIELDS = {
    "series": "Series id",
    "files": "Number of DICOM files",
    "transfer_syntaxes": "Transfer syntaxes",
    "warnings": "Import warnings",
    "source": "Where the files came from",
}
for _arm in ARMS:
    for _field, _text in _ARM_FIELDS.items():
        COLUMN_MEANINGS[f"{_arm}_{_field}"] = f"{_text} of the {_arm} series."


def _anchors(criterion) -> str:
    return "; ".join(
        f"{criterion.scale_min + i} = {text}" for i, text in enumerate(criterion.anchors or [])
    )


def codebook_frames(study: Study, exported: list[str]) -> dict[str, pd.DataFrame]:
    """The codebook's two tables: ``criteria`` and ``columns`` (of the exported table).

    Parameters
    ----------
    study : Study
        The exported study.
    exported : list of str
        The exported table's columns, in order; a criterion key (the wide table's score
        columns) is described as that criterion's score.

    Returns
    -------
    dict
        ``{"criteria": DataFrame, "columns": DataFrame}``.
    """
    criteria = list(study.criteria.order_by("order", "key"))
    rows = [
        {
            "criterion": c.key,
            "label": c.label,
            "scale_min": c.scale_min,
            "scale_max": c.scale_max,
            "direction": (
                f"higher is better: {c.scale_max} is the best score"
                + (", no artifact" if c.noninferiority else "")
            ),
            "anchors": _anchors(c),
            "required": c.required,
            "non-inferiority": c.noninferiority,
        }
        for c in criteria
    ]
    by_key = {c.key: c for c in criteria}
    meanings = []
    for column in exported:
        if column in by_key:
            c = by_key[column]
            text = f"Score of {c.label} ({c.scale_min}-{c.scale_max}, higher is better)."
        else:
            text = COLUMN_MEANINGS.get(column, "")
        meanings.append({"column": column, "meaning": text})
    columns = ["criterion", "label", "scale_min", "scale_max", "direction", "anchors",
               "required", "non-inferiority"]  # fmt: skip
    return {
        "criteria": pd.DataFrame(rows, columns=columns),
        "columns": pd.DataFrame(meanings, columns=["column", "meaning"]),
    }
