"""``python -m readerstudy.analysis RATINGS.csv --out DIR``."""

import sys

from readerstudy.analysis.cli import main

sys.exit(main())
