"""``python -m readerstudy.analysis RATINGS.csv --out DIR``."""

import sys

from .cli import main

sys.exit(main())
