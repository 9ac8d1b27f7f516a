"""Reading DICOM: headers (``header``, ``read``, ``fast``), pixels (``read``), decoders.

pydicom reports odd values through ``warnings`` and decoder failures through its ``pydicom``
logger, with tracebacks. The import reports every such file itself, with its name and reason,
so pydicom's messages are routed into the project's logger at DEBUG instead of stderr.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from collections.abc import Iterator

logger = logging.getLogger("readerstudy.imaging.dicom")


class _ToProjectLogger(logging.Handler):
    """Re-emits pydicom's records as DEBUG records of the project's logger, without traceback."""

    def emit(self, record: logging.LogRecord) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("pydicom: %s", record.getMessage())


def _route_pydicom_logger() -> None:
    pydicom_logger = logging.getLogger("pydicom")
    if not any(isinstance(h, _ToProjectLogger) for h in pydicom_logger.handlers):
        pydicom_logger.addHandler(_ToProjectLogger())
    pydicom_logger.propagate = False


_route_pydicom_logger()


@contextlib.contextmanager
def quiet_pydicom() -> Iterator[None]:
    """Catch pydicom's warnings while reading one file and log them at DEBUG."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        logger.debug("pydicom warning: %s", warning.message)


class ClampedFile:
    """A file whose reads never ask for more than what is left in it.

    A read of n bytes makes CPython allocate n bytes before reading, so an element that declares
    2 GB in a 10 KB file would allocate 2 GB; pydicom gets this wrapper instead, and a lying
    length then reads short, which pydicom reports as a truncated file.
    """

    def __init__(self, handle):
        self._handle = handle
        self._size = os.fstat(handle.fileno()).st_size

    def read(self, size: int | None = -1) -> bytes:
        left = max(0, self._size - self._handle.tell())
        if size is None or size < 0 or size > left:
            size = left
        return self._handle.read(size)

    def __getattr__(self, name: str):
        return getattr(self._handle, name)


@contextlib.contextmanager
def open_clamped(path: str) -> Iterator[ClampedFile]:
    with open(path, "rb") as handle:
        yield ClampedFile(handle)
