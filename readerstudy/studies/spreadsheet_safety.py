"""Text cells that a spreadsheet would run as a formula are neutralised in every CSV we write.

Case identifiers, site names and usernames come from manifests, DICOM headers and people; a cell
such as ``=HYPERLINK(...)`` or ``@SUM(...)`` would run when a coordinator opens the CSV in Excel
or LibreOffice. As OWASP recommends, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe, which spreadsheets show as text. Cells that are
plain numbers (``-0.5``, ``+3``) stay as they are, so negative numbers still read as numbers.
Pure Python (no Django), for the exports and the analysis outputs alike.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value):
    """``value`` with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_frame(frame):
    """A copy of a pandas frame whose text cells (object and string columns) are neutralised."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    safe = frame.copy()
    for column in safe.columns:
        dtype = safe[column].dtype
        if is_object_dtype(dtype) or is_string_dtype(dtype):
            safe[column] = safe[column].map(neutralise)
    return safe
