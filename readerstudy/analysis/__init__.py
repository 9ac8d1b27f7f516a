"""Analysis of reader studies: pure functions on tidy pandas frames, plus report rendering.

No ORM here: the Django side builds the tidy ratings frame and calls :func:`run_analysis` and
:func:`write_outputs`, the same functions ``python -m readerstudy.analysis`` runs on a CSV.

The public names load lazily, so that Django loading this app does not import pandas, SciPy,
statsmodels and matplotlib.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "run_analysis": "results",
    "write_outputs": "results",
    "RESULT_KEYS": "results",
    "AnalysisInputError": "io",
    "validate_ratings": "io",
    "validate_roi_stats": "io",
    "simulate_ratings": "simulate",
    "simulate_roi_stats": "simulate",
    "roi_pixel_stats": "roi",
    "ellipse_mask": "roi",
    "polygon_mask": "roi",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
