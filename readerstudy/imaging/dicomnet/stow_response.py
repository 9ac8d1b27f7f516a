"""The STOW-RS response: Store Instances Response Module as DICOM JSON, and its HTTP status.

PS3.18 Annex I (Table I.1-1) defines the module: Retrieve URL (0008,1190), Type 2;
Failed SOP Sequence (0008,1198), Type 1C, each item a SOP Instance Reference Macro plus
Failure Reason (0008,1197, US); Referenced SOP Sequence (0008,1199), Type 1C, each item a
SOP Instance Reference Macro plus Retrieve URL (Type 2). PS3.18 Table 10.5.3-1 gives the
status codes: 200 when every instance was stored, 202 when some were stored and others
failed (or have warnings), 409 when none could be stored for reasons within the request
(400 is for bad syntax, 415 for an unsupported media type).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pydicom.dataset import Dataset

CONTENT_TYPE = "application/dicom+json"


@dataclass(frozen=True)
class StoredInstance:
    """An instance that was stored."""

    sop_class_uid: str
    sop_instance_uid: str
    retrieve_url: str | None = None


@dataclass(frozen=True)
class FailedInstance:
    """An instance that was not stored; UIDs are "" when the part could not be read."""

    sop_class_uid: str
    sop_instance_uid: str
    failure_reason: int
    detail: str = ""
    part_index: int | None = None


@dataclass
class StowResult:
    """What one STOW-RS request stored and what it refused."""

    stored: list[StoredInstance] = field(default_factory=list)
    failed: list[FailedInstance] = field(default_factory=list)
    closed: bool = True  # the body ended with its closing boundary
    bytes_read: int = 0

    @property
    def status(self) -> int:
        """The HTTP status for this result (PS3.18 Table 10.5.3-1)."""
        return stow_status(len(self.stored), len(self.failed))


def stow_status(n_stored: int, n_failed: int) -> int:
    """HTTP status of a Store Instances response (PS3.18 Table 10.5.3-1).

    Parameters
    ----------
    n_stored, n_failed : int
        Instances stored and instances refused.

    Returns
    -------
    int
        200 all stored; 202 some stored, some failed; 409 none stored; 400 when the
        request held no instance at all.
    """
    if n_stored and not n_failed:
        return 200
    if n_stored:
        return 202
    if n_failed:
        return 409
    return 400


def _reference(sop_class_uid: str, sop_instance_uid: str) -> Dataset:
    item = Dataset()
    # Type 1 in the macro; left empty when a part could not be read at all, so a client
    # still finds the attributes it looks up.
    item.ReferencedSOPClassUID = sop_class_uid
    item.ReferencedSOPInstanceUID = sop_instance_uid
    return item


def response_dataset(result: StowResult, retrieve_url: str | None = None) -> Dataset:
    """The Store Instances Response Module (PS3.18 Table I.1-1) for ``result``.

    Parameters
    ----------
    result : StowResult
    retrieve_url : str, optional
        The URL of the study for a Studies Retrieve transaction; empty when the server
        offers none (the attribute is Type 2, so it is always present).
    """
    ds = Dataset()
    ds.RetrieveURL = retrieve_url or ""
    if result.failed:
        items = []
        for failure in result.failed:
            item = _reference(failure.sop_class_uid, failure.sop_instance_uid)
            item.FailureReason = failure.failure_reason
            items.append(item)
        ds.FailedSOPSequence = items
    if result.stored:
        items = []
        for stored in result.stored:
            item = _reference(stored.sop_class_uid, stored.sop_instance_uid)
            item.RetrieveURL = stored.retrieve_url or ""
            items.append(item)
        ds.ReferencedSOPSequence = items
    return ds


def response_json(result: StowResult, retrieve_url: str | None = None) -> dict[str, object]:
    """The response module in the DICOM JSON Model (PS3.18 Annex F)."""
    return response_dataset(result, retrieve_url).to_json_dict()


def stow_response(result: StowResult, retrieve_url: str | None = None) -> tuple[int, bytes, str]:
    """Everything an HTTP layer needs: ``(status, body, content_type)``."""
    body = json.dumps(response_json(result, retrieve_url)).encode("utf-8")
    return result.status, body, CONTENT_TYPE
