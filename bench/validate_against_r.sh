#!/bin/sh
# Compare readerstudy.analysis with R on datasets built here.
# 1. bench/r/validate.py: wilcox.test, t.test, p.adjust, friedman.test, psych::ICC (default and
#    lmer = FALSE), vcd::Kappa on random datasets, Krippendorff's alpha with the krippendorff
#    package; PASS/FAIL at 4 decimals.
# 2. bench/r/validate_mrmc.py: the MRMC analysis and non-inferiority against MRMCaov, the classic
#    ICC against psych::ICC(lmer = FALSE) and power against base R, to 1e-6, on random designs,
#    2 and 5 readers, negative variance components, ceilings, missing scores, one reader.
# Needs Rscript with psych and vcd (Debian: r-base r-cran-psych r-cran-vcd); the MRMC part also
# needs the R package MRMCaov and is skipped, saying so, without it.
# Options (--datasets N, --seed S) go to both; the exit status is 1 if either fails.
set -eu
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1; then
    echo "SKIPPED: Rscript not found (apt-get install r-base r-cran-psych r-cran-vcd)" >&2
    exit 0
fi
PYTHON="${PYTHON:-.venv/bin/python}"
status=0
"$PYTHON" bench/r/validate.py "$@" || status=1
echo
# Without the R package MRMCaov this prints "SKIPPED: ..." for its part and runs the rest.
"$PYTHON" bench/r/validate_mrmc.py "$@" || status=1
exit $status
