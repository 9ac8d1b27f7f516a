"""The demo's cases: identifiers and sites, shared by the study builder and the ROI placement."""

from __future__ import annotations

#: (site name, country, case identifier prefix)
SITES = [("NYU", "USA", "NYU"), ("Severance", "Korea", "SEV"), ("SNUH", "Korea", "SNUH")]


def demo_cases(count: int) -> list[tuple[str, str]]:
    """(case identifier, site) pairs, split as evenly as possible across the three sites."""
    cases = []
    for index in range(count):
        site, _, prefix = SITES[index * len(SITES) // count]
        number = sum(1 for _, s in cases if s == site) + 1
        cases.append((f"{prefix}-{number:02d}", site))
    return cases
