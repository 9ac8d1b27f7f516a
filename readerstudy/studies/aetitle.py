"""Application Entity titles: validation and the default title of a study.

PS3.5 Table 6.2-1 (VR "AE"): at most 16 characters of the Default Character Repertoire
(ASCII 0x20-0x7E) without the backslash (0x5C) and without control characters; leading and
trailing spaces are not significant, and a value made only of spaces shall not be used.

PACS administration screens are often stricter than the standard (some reject spaces or
lower case), so titles derived here use only ``A-Z``, ``0-9`` and ``_``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

AE_TITLE_MAX_LENGTH = 16

_DERIVED_UNSAFE = re.compile(r"[^A-Z0-9_]")


def ae_title_problem(title: str) -> str | None:
    """Say why ``title`` is not a legal AE title, or return None when it is.

    Parameters
    ----------
    title : str
        The title as typed; leading and trailing spaces are ignored as PS3.5 says.

    Returns
    -------
    str or None
        A short reason, or None for a legal title.
    """
    value = title.strip(" ")
    if not value:
        return "an AE title must not be empty or only spaces"
    if len(value) > AE_TITLE_MAX_LENGTH:
        return f"an AE title has at most {AE_TITLE_MAX_LENGTH} characters"
    for char in value:
        code = ord(char)
        if code < 0x20 or code > 0x7E:
            return f"character {char!r} is not in the DICOM default repertoire"
        if char == "\\":
            return "an AE title must not contain a backslash"
    return None


def is_valid_ae_title(title: str) -> bool:
    """Return True when ``title`` is a legal AE title (PS3.5 Table 6.2-1)."""
    return ae_title_problem(title) is None


def normalise_ae_title(title: str) -> str:
    """Strip the non-significant spaces of a legal AE title.

    Raises
    ------
    ValueError
        If the title is not legal.
    """
    problem = ae_title_problem(title)
    if problem:
        raise ValueError(f"{title!r}: {problem}")
    return title.strip(" ")


def default_ae_title(slug: str) -> str:
    """Derive a study's default AE title from its slug.

    Upper-cases the slug, turns '-' into '_' and keeps the first 16 characters, so
    ``"pacs"`` gives ``"PACS"`` and ``"glioma-dl-2025"`` gives ``"GLIOMA_DL_2025"``.
    An ASCII slug (Django's default ``SlugField``) always yields a legal title. A Unicode
    slug is folded to ASCII first (``"é"`` -> ``"E"``) and characters that still fall
    outside ``A-Z0-9_`` are dropped.

    Parameters
    ----------
    slug : str

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If no letter or digit is left (for example a slug made only of non-Latin letters
        or of dashes): the study then needs an AE title chosen by hand.
    """
    folded = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode("ascii")
    title = _DERIVED_UNSAFE.sub("", folded.upper().replace("-", "_"))
    title = title[:AE_TITLE_MAX_LENGTH]
    if not any(c.isalnum() for c in title):  # "___" is legal but names nothing
        raise ValueError(f"slug {slug!r} yields no usable AE title; choose one explicitly")
    return title


def unique_ae_title(slug: str, taken: Collection[str]) -> str:
    """Derive a default AE title that differs from every title in ``taken``.

    Two slugs can share their first 16 characters (or differ only by '-' versus '_'), so
    a clash is settled by replacing the end of the title with ``_2``, ``_3``, ... Titles are
    compared without regard to case, since some PACS do so.

    Parameters
    ----------
    slug : str
    taken : Collection[str]
        Titles already assigned to other studies.

    Returns
    -------
    str
    """
    used = {t.strip(" ").upper() for t in taken}
    base = default_ae_title(slug)
    if base not in used:
        return base
    counter = 2
    while True:
        suffix = f"_{counter}"
        candidate = base[: AE_TITLE_MAX_LENGTH - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        counter += 1
