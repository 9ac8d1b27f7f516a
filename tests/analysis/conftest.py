"""Frames shared by the analysis tests (no database needed)."""

import pandas as pd
import pytest

from readerstudy.demo.simulate import simulate_ratings, simulate_roi_stats


@pytest.fixture(scope="session")
def small_study() -> pd.DataFrame:
    """30 cases x 3 readers x 3 sequences x 2 arms x 7 criteria = 3,780 simulated scores."""
    return simulate_ratings(
        n_cases=30, readers=["R1", "R2", "R3"], sites=["NYU", "Severance", "SNUH"], seed=11
    )


@pytest.fixture(scope="session")
def small_rois() -> pd.DataFrame:
    return simulate_roi_stats(n_cases=30, seed=12)
