"""Analysis of reader studies.

Two halves, one way round:

- ``stats/`` (pure statistics on tidy pandas frames), ``report/`` (tables, figures, the HTML report)
  and ``cli`` (``python -m readerstudy.analysis RATINGS.csv``) import no Django, so the same
  analysis runs on an exported CSV with no database at all;
- the Django side (models, services, selectors, tasks, views, API) reads the tidy frames from the
  reading and imaging selectors and calls :func:`run_analysis` and :func:`write_outputs`.

The public names load lazily, so that Django loading this app does not import pandas, SciPy or
statsmodels.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "run_analysis": "stats.results",
    "RESULT_KEYS": "stats.results",
    "write_outputs": "report.outputs",
    "AnalysisInputError": "stats.io",
    "validate_ratings": "stats.io",
    "validate_roi_stats": "stats.io",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
