"""Reading DICOM: headers (``header``, ``read``, ``fast``), pixels (``read``), decoders.

pydicom reports odd values through ``warnings`` and decoder failures through its ``pydicom``
logger, with tracebacks. The import reports every such file itself, with its name and reason,
so pydicom's messages are routed into the project's logger at DEBUG instead of stderr.
"""

from __future__ import annotations

import contextlib
import logging
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
