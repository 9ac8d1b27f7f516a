"""Small ratings frames built by hand for the statistics tests."""

import pandas as pd


def tidy(rows: list[tuple]) -> pd.DataFrame:
    """A ratings frame from (reader, case, arm, score) rows of one sequence and criterion."""
    return pd.DataFrame(
        [
            {"study": "s", "site": "NYU", "reader": r, "case": c, "sequence": "T2W", "arm": a,
             "criterion": "noise", "score": s}
            for r, c, a, s in rows
        ]
    )  # fmt: skip
