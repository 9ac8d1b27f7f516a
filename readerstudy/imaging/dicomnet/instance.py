"""What both receivers (C-STORE and STOW-RS) need to know about one received instance.

Neither receiver decodes pixel data: an instance is checked by reading its header only, so
compressed pixel data is stored byte for byte as it arrived.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

from pydicom import dcmread
from pydicom.errors import InvalidDicomError

# Status codes shared by the DIMSE C-STORE response (PS3.4 Table B.2-1) and the STOW-RS
# Failure Reason (0008,1197) (PS3.18 Table I.2-2).
OUT_OF_RESOURCES = 0xA700
DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900
CANNOT_UNDERSTAND = 0xC000
PROCESSING_FAILURE = 0x0110
SOP_CLASS_NOT_SUPPORTED = 0x0122
TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122

# PS3.5 Section 9.1 also forbids leading zeros in a component, but older modalities write
# them and refusing their images would lose data; only what makes a safe file name counts.
_UID = re.compile(r"[0-9]+(\.[0-9]+)*")

_HEADER_TAGS = [
    "SOPClassUID",
    "SOPInstanceUID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
]


def is_valid_uid(uid: str) -> bool:
    """True for digit groups joined by dots, at most 64 characters (PS3.5 Section 9.1).

    Received UIDs name stored files, so anything else (``"../x"``) must be refused before
    it reaches a storage path.
    """
    return len(uid) <= 64 and _UID.fullmatch(uid) is not None


class StoreRefused(Exception):
    """Raised by a ``store`` callback to refuse one instance with a chosen status.

    Parameters
    ----------
    reason : str
        Why the instance was refused; logged, and sent to a DIMSE peer as Error Comment.
    status : int
        A failure status such as ``OUT_OF_RESOURCES`` (0xA700) or ``CANNOT_UNDERSTAND``
        (0xC000).
    """

    def __init__(self, reason: str, status: int = PROCESSING_FAILURE) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class NotDicom(Exception):
    """The bytes are not a readable DICOM PS3.10 file."""


@dataclass(frozen=True)
class InstanceHeader:
    """The identifying attributes of one received instance."""

    sop_class_uid: str
    sop_instance_uid: str
    transfer_syntax_uid: str
    study_instance_uid: str = ""
    series_instance_uid: str = ""


def read_instance_header(stream: BinaryIO) -> InstanceHeader:
    """Read the UIDs of a PS3.10 file without reading its pixel data.

    The stream is left positioned at its start so it can be stored next.

    Parameters
    ----------
    stream : BinaryIO
        A seekable binary stream holding a whole DICOM file (preamble, "DICM", file meta).

    Returns
    -------
    InstanceHeader

    Raises
    ------
    NotDicom
        If the bytes are not a PS3.10 file or lack a SOP Class/Instance UID.
    """
    stream.seek(0)
    try:
        # force=False: a part without the 128-byte preamble and "DICM" is not PS3.10.
        ds = dcmread(stream, stop_before_pixels=True, specific_tags=_HEADER_TAGS)
    except InvalidDicomError as exc:
        raise NotDicom(f"not a DICOM PS3.10 file: {exc}") from exc
    except Exception as exc:  # pydicom raises many types on corrupt input
        raise NotDicom(f"unreadable DICOM header: {type(exc).__name__}: {exc}") from exc
    finally:
        stream.seek(0)
    meta = ds.file_meta
    transfer_syntax = str(meta.get("TransferSyntaxUID", ""))
    # The data set itself must name the instance (SOP Common Module, Type 1). The file
    # meta alone is not enough: pydicom reads a file cut short after its meta without
    # complaint, and such a file would otherwise pass.
    sop_class = str(ds.get("SOPClassUID", "") or "")
    sop_instance = str(ds.get("SOPInstanceUID", "") or "")
    if not transfer_syntax:
        raise NotDicom("the file meta has no Transfer Syntax UID")
    if not sop_class or not sop_instance:
        raise NotDicom("the data set has no SOP Class UID or SOP Instance UID")
    if not (is_valid_uid(sop_class) and is_valid_uid(sop_instance)):
        raise NotDicom("the SOP Class or SOP Instance UID is not a valid UID")
    return InstanceHeader(
        sop_class_uid=sop_class,
        sop_instance_uid=sop_instance,
        transfer_syntax_uid=transfer_syntax,
        study_instance_uid=str(ds.get("StudyInstanceUID", "")),
        series_instance_uid=str(ds.get("SeriesInstanceUID", "")),
    )
