"""Matching series to sequence and arm by the study's import rules, for imports without manifest.

``Study.import_rules`` holds one regular expression per sequence and arm, searched in the
SeriesDescription (or ProtocolName when there is no description)::

    {"T2W": {"conventional": "(?i)^t2(?!.*dl)", "enhanced": "(?i)^t2.*dl"},
     "_case": "PatientID",   # header attribute that names the case (default PatientID)
     "_site": "NYU"}         # site for cases that are not in the study yet (optional)

A series that matches no rule, or more than one, is listed as unmatched: never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from readerstudy.imaging.intake.assembly import Stack
from readerstudy.studies.vocabulary import ARMS

CASE_ATTRIBUTES = {
    "PatientID": "patient_id",
    "PatientName": "patient_name",
    "AccessionNumber": "accession_number",
    "StudyID": "study_id",
}


class RulesError(Exception):
    """The study's import rules are unusable; the message says which rule and why."""


@dataclass(frozen=True)
class Target:
    """Where a stack goes: case, site, sequence and arm, and what decided it."""

    case: str
    site: str
    sequence: str
    arm: str
    country: str = ""
    decided_by: str = ""  # e.g. "Manifest row 2 (line 3)" or "import rule T2W/enhanced"


@dataclass(frozen=True)
class CompiledRules:
    patterns: tuple[tuple[str, str, re.Pattern], ...]
    case_attribute: str
    site: str


def compile_rules(rules: dict, *, sequences: Iterable[str]) -> CompiledRules:
    """Check and compile ``Study.import_rules``; ``RulesError`` names the bad rule."""
    keys = set(sequences)
    patterns = []
    for sequence, arms in sorted(rules.items()):
        if sequence.startswith("_"):
            continue
        if sequence not in keys:
            raise RulesError(
                f"The import rules name sequence '{sequence}', which the study does not have."
            )
        if not isinstance(arms, dict):
            raise RulesError(f"The import rule for {sequence} must map each arm to a pattern.")
        for arm, pattern in sorted(arms.items()):
            if arm not in ARMS:
                raise RulesError(
                    f"The import rule {sequence}/{arm} names an unknown arm; use 'conventional' "
                    "or 'enhanced'."
                )
            try:
                patterns.append((sequence, arm, re.compile(str(pattern))))
            except re.error as error:
                raise RulesError(
                    f"The import rule {sequence}/{arm} is not a valid regular expression: {error}."
                ) from None
    case_attribute = rules.get("_case", "PatientID")
    if case_attribute not in CASE_ATTRIBUTES:
        raise RulesError(
            f"The import rules' '_case' must be one of {', '.join(CASE_ATTRIBUTES)}, "
            f"not '{case_attribute}'."
        )
    if not patterns:
        raise RulesError(
            "Without a manifest the study needs import rules (a pattern per sequence and arm)."
        )
    return CompiledRules(tuple(patterns), case_attribute, str(rules.get("_site", "")).strip())


def match_stack(stack: Stack, rules: CompiledRules, *, case_sites: dict[str, str]) -> Target | str:
    """The target of ``stack`` by the rules, or the reason it stays unmatched.

    ``case_sites`` maps the study's existing case identifiers to their site names.
    """
    description = stack.description
    hits = [(seq, arm) for seq, arm, pattern in rules.patterns if pattern.search(description)]
    shown = f"“{description}”" if description else "(empty)"
    if not hits:
        return f"its description {shown} matches no import rule"
    if len(hits) > 1:
        names = ", ".join(f"{seq}/{arm}" for seq, arm in hits)
        return f"its description {shown} matches several import rules ({names})"
    case = getattr(stack.first, CASE_ATTRIBUTES[rules.case_attribute]).strip()
    if not case:
        return f"its {rules.case_attribute} is empty, so its case is unknown"
    site = case_sites.get(case) or rules.site
    if not site:
        return (
            f"case '{case}' is not in the study yet and the import rules name no '_site' for "
            "new cases; use a manifest"
        )
    sequence, arm = hits[0]
    return Target(case, site, sequence, arm, decided_by=f"import rule {sequence}/{arm}")
