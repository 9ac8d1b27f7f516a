#!/bin/sh
# Compare readerstudy.analysis with R (wilcox.test, t.test, p.adjust, friedman.test, psych::ICC,
# vcd::Kappa) on random datasets, and Krippendorff's alpha with the krippendorff package.
# Prints the largest absolute difference per statistic and PASS/FAIL at 4 decimals.
# Needs Rscript with psych and vcd (Debian: r-base r-cran-psych r-cran-vcd).
set -eu
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1; then
    echo "SKIPPED: Rscript not found (apt-get install r-base r-cran-psych r-cran-vcd)" >&2
    exit 0
fi
PYTHON="${PYTHON:-.venv/bin/python}"
exec "$PYTHON" bench/r/validate.py "$@"
