"""Receive a DICOMweb STOW-RS request body (PS3.18 Section 10.5) as a stream.

The body (``multipart/related; type="application/dicom"; boundary=...``) is read in chunks;
each part is spooled to an anonymous temporary file, its header is read (never its pixel
data), and it is handed to ``store``. Memory stays bounded whatever the body's size; disk
holds at most one part at a time.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

from .instance import (
    CANNOT_UNDERSTAND,
    DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
    OUT_OF_RESOURCES,
    PROCESSING_FAILURE,
    InstanceHeader,
    NotDicom,
    StoreRefused,
    read_instance_header,
)
from .multipart import (
    DEFAULT_CHUNK_SIZE,
    MultipartError,
    MultipartReader,
    Part,
    UnsupportedMediaType,
    parse_content_type,
)
from .stow_response import (
    FailedInstance,
    StoredInstance,
    StowResult,
    response_json,
    stow_response,
    stow_status,
)

__all__ = [
    "DICOM_MEDIA_TYPE",
    "LengthRequired",
    "MultipartError",
    "StoreStow",
    "StowResult",
    "UnsupportedMediaType",
    "receive_stow",
    "response_json",
    "stow_response",
    "stow_status",
    "wsgi_body",
]

LOGGER = logging.getLogger(__name__)

DICOM_MEDIA_TYPE = "application/dicom"

StoreStow = Callable[[InstanceHeader, BinaryIO], str | None]
"""``store(header, stream) -> retrieve URL or None``; raise ``StoreRefused`` to refuse."""


class LengthRequired(MultipartError):
    """Neither Content-Length nor a server that ends chunked input (HTTP 411)."""

    status = 411


class _LimitedReader:
    """Read at most ``limit`` bytes: a WSGI input must not be read past CONTENT_LENGTH."""

    def __init__(self, raw: BinaryIO, limit: int) -> None:
        self.raw = raw
        self.remaining = limit

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.raw.read(size)
        self.remaining -= len(data)
        if not data:
            self.remaining = 0  # the client went away before sending it all
        return data


def wsgi_body(environ: Mapping[str, Any]) -> BinaryIO:
    """The request body of a WSGI ``environ`` as a stream that ends where the body ends.

    With a Content-Length the input is limited to it. Without one (``Transfer-Encoding:
    chunked``) only a server that sets ``wsgi.input_terminated`` (gunicorn does) can be
    read to its end; Django's ``request.read()`` returns nothing in that case because it
    limits the input to a missing Content-Length of 0.

    Raises
    ------
    LengthRequired
        Chunked input on a server that does not terminate it.
    MultipartError
        A Content-Length that is not a number.
    """
    raw = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length not in (None, ""):
        try:
            limit = int(length)
        except ValueError as exc:
            raise MultipartError(f"bad Content-Length {length!r}") from exc
        if limit < 0:
            raise MultipartError(f"bad Content-Length {length!r}")
        return _LimitedReader(raw, limit)  # type: ignore[return-value]
    if environ.get("wsgi.input_terminated"):
        return raw
    raise LengthRequired("send a Content-Length or use a server that ends chunked input")


def receive_stow(
    stream: BinaryIO,
    content_type: str | None,
    store: StoreStow,
    *,
    study_instance_uid: str | None = None,
    spool_dir: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_part_bytes: int | None = None,
) -> StowResult:
    """Parse a STOW-RS body part by part and store each instance.

    Parameters
    ----------
    stream : BinaryIO
        The request body (see ``wsgi_body``).
    content_type : str
        The request's Content-Type header.
    store : StoreStow
        Keeps one instance. Raise ``StoreRefused`` to refuse it with a Failure Reason;
        ``OSError`` is answered 0xA700 (out of resources), other errors 0x0110.
    study_instance_uid : str, optional
        For ``POST .../studies/{uid}``: instances of another study are refused (0xA900).
    spool_dir : str, optional
        Directory for the temporary file of the part being read.
    chunk_size : int
        Bytes read from ``stream`` at a time.
    max_part_bytes : int, optional
        Refuse (0xA700) any instance larger than this.

    Returns
    -------
    StowResult
        Use ``stow_response(result)`` for the HTTP status and DICOM JSON body.

    Raises
    ------
    UnsupportedMediaType
        Not ``multipart/related``, or a ``type`` other than ``application/dicom`` (415).
    MultipartError
        No boundary or no part at all, or malformed part headers (400).
    """
    media = parse_content_type(content_type)
    if media.type and media.type != DICOM_MEDIA_TYPE:
        # The metadata-and-bulk-data form (application/dicom+json or +xml) is not taken.
        raise UnsupportedMediaType(f"type={media.type!r} is not supported; use {DICOM_MEDIA_TYPE}")
    reader = MultipartReader(
        stream, media.boundary, chunk_size=chunk_size, max_part_bytes=max_part_bytes
    )
    result = StowResult()

    def open_sink(part: Part) -> BinaryIO:
        return tempfile.TemporaryFile(dir=spool_dir)

    try:
        for part in reader.parts(open_sink):
            try:
                _settle(part, store, study_instance_uid, result)
            finally:
                if part.sink is not None:
                    part.sink.close()
    finally:
        result.closed = reader.closed
        result.bytes_read = reader.bytes_read
    if not result.stored and not result.failed:
        raise MultipartError("the body holds no part")
    return result


def _settle(part: Part, store: StoreStow, study_uid: str | None, result: StowResult) -> None:
    """Validate and store one part, recording the outcome in ``result``."""
    header: InstanceHeader | None = None
    if part.sink is not None:
        part.sink.flush()
        try:
            header = read_instance_header(part.sink)
        except NotDicom as exc:
            problem = str(exc)
        else:
            problem = ""
    else:
        problem = "no content"

    def fail(reason: int, detail: str) -> None:
        LOGGER.warning("STOW part %d refused: 0x%04X %s", part.index, reason, detail)
        result.failed.append(
            FailedInstance(
                header.sop_class_uid if header else "",
                header.sop_instance_uid if header else "",
                reason,
                detail,
                part.index,
            )
        )

    if part.error == "too large":
        return fail(OUT_OF_RESOURCES, "the instance is larger than this server takes")
    if part.error:
        return fail(CANNOT_UNDERSTAND, f"the part is {part.error}: the body ended inside it")
    if part.content_type not in ("", DICOM_MEDIA_TYPE):
        return fail(CANNOT_UNDERSTAND, f"part media type {part.content_type!r} is not DICOM")
    if header is None:
        return fail(CANNOT_UNDERSTAND, problem)
    if study_uid and header.study_instance_uid != study_uid:
        return fail(DATA_SET_DOES_NOT_MATCH_SOP_CLASS, "the instance belongs to another study")
    sink = part.sink
    if sink is None:  # unreachable: a header was read from the sink
        return fail(PROCESSING_FAILURE, "no content")
    try:
        sink.seek(0)
        url = store(header, sink)
    except StoreRefused as exc:
        return fail(exc.status, exc.reason)
    except OSError as exc:
        LOGGER.exception("storing STOW part %d failed", part.index)
        return fail(OUT_OF_RESOURCES, f"{type(exc).__name__}: {exc}")
    except Exception as exc:
        LOGGER.exception("storing STOW part %d failed", part.index)
        return fail(PROCESSING_FAILURE, f"{type(exc).__name__}: {exc}")
    result.stored.append(StoredInstance(header.sop_class_uid, header.sop_instance_uid, url))
    return None
