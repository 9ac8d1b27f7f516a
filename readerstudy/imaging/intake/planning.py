"""Deciding which stack goes where: by the manifest's rows, or by the study's import rules.

The result is a plan (stack → target) plus the stacks that are rejected or left unmatched, each
with its reason. Nothing is read beyond the headers and nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from readerstudy.imaging.dicom.header import SliceHeader
from readerstudy.imaging.intake.assembly import Stack, assemble
from readerstudy.imaging.intake.manifest import ManifestRow
from readerstudy.imaging.intake.rules import CompiledRules, Target, match_stack


@dataclass
class Plan:
    items: list[tuple[Stack, Target]] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)


def modality_problem(stack: Stack, accepted: list[str] | tuple[str, ...]) -> str | None:
    """Why a stack's modality is not one the study accepts (an empty list accepts any)."""
    if not accepted:
        return None
    wrong = [m or "(none)" for m in stack.modalities if m not in accepted]
    if not wrong:
        return None
    return f"its modality is {', '.join(wrong)}; this study accepts only {', '.join(accepted)}"


def _target_entry(target: Target) -> dict:
    return {
        "case": target.case,
        "site": target.site,
        "sequence": target.sequence,
        "arm": target.arm,
        "decided_by": target.decided_by,
    }


class _Index:
    """Slices by SeriesInstanceUID and by every folder (and file) path that contains them.

    Looking rows up here keeps planning linear: a study of 294 cases has ~1,800 manifest rows
    and ~40,000 files, too many to match every row against every file.
    """

    def __init__(self, slices: list[SliceHeader]):
        self.all = slices
        self.by_uid: dict[str, list[SliceHeader]] = {}
        self.by_path: dict[str, list[SliceHeader]] = {}
        for header in slices:
            self.by_uid.setdefault(header.series_uid, []).append(header)
            parts = header.name.split("/")
            for depth in range(1, len(parts) + 1):
                self.by_path.setdefault("/".join(parts[:depth]), []).append(header)

    def under(self, pattern: str) -> list[SliceHeader]:
        """Slices whose file is ``pattern`` (a file, folder or glob) or lies inside it."""
        if pattern in ("", "."):
            return self.all
        if not any(c in pattern for c in "*?["):
            return self.by_path.get(pattern, [])
        found: dict[int, SliceHeader] = {}
        for path, headers in self.by_path.items():
            if fnmatchcase(path, pattern):
                found.update((id(h), h) for h in headers)
        return list(found.values())


def _single_top_folder(slices: list[SliceHeader]) -> str:
    """The one folder that holds everything, as zips made by "compress folder" have; else ""."""
    tops = {s.name.split("/", 1)[0] for s in slices if "/" in s.name}
    loose = any("/" not in s.name for s in slices)
    return next(iter(tops)) if len(tops) == 1 and not loose else ""


def _row_source(row: ManifestRow) -> str:
    parts = []
    if row.path:
        parts.append(f"path '{row.path}'")
    if row.series_uid:
        parts.append(f"series_uid '{row.series_uid}'")
    return f"{row.where}: {' and '.join(parts)}"


def _select(index: _Index, row: ManifestRow, top: str) -> list[SliceHeader]:
    if row.path:
        chosen = index.under(row.path)
        if not chosen and top:
            chosen = index.under(f"{top}/{row.path}")
        if row.series_uid:
            chosen = [s for s in chosen if s.series_uid == row.series_uid]
        return chosen
    return index.by_uid.get(row.series_uid, [])


def plan_by_manifest(
    slices: list[SliceHeader], rows: list[ManifestRow], *, modalities: list[str] | None = None
) -> Plan:
    plan = Plan()
    top = _single_top_folder(slices)
    index = _Index(slices)
    claimed: dict[int, ManifestRow] = {}
    for row in rows:
        target = Target(
            row.case, row.site, row.sequence, row.arm, row.country, decided_by=row.where
        )
        chosen = _select(index, row, top)
        entry = {"source": _row_source(row), **_target_entry(target)}
        overlap = {claimed[id(s)].row for s in chosen if id(s) in claimed}
        for header in chosen:
            claimed.setdefault(id(header), row)
        if not chosen:
            what = "at that path" if row.path else "with that SeriesInstanceUID"
            plan.rejected.append({**entry, "reason": f"no DICOM images were found {what}"})
            continue
        if overlap:
            rows_text = ", ".join(str(n) for n in sorted(overlap))
            plan.rejected.append(
                {**entry, "reason": f"its files are also mapped by manifest row {rows_text}"}
            )
            continue
        stacks = assemble(chosen)
        if len(stacks) > 1:
            labels = "; ".join(stack.label for stack in stacks)
            plan.rejected.append(
                {
                    **entry,
                    "reason": f"it selects {len(stacks)} series or stacks ({labels}); give a "
                    "series_uid or a narrower path",
                }
            )
            continue
        stack = stacks[0]
        entry["source"] = f"{stack.label} ({row.where})"
        problem = stack.problem or modality_problem(stack, modalities or [])
        if problem:
            plan.rejected.append({**entry, "series_uid": stack.series_uid, "reason": problem})
            continue
        plan.items.append((stack, target))
    rest = [s for s in slices if id(s) not in claimed]
    for stack in assemble(rest):
        plan.unmatched.append(
            {"source": stack.label, "series_uid": stack.series_uid, "reason": "not in the manifest"}
        )
    return plan


def plan_by_rules(
    slices: list[SliceHeader],
    rules: CompiledRules,
    *,
    case_sites: dict[str, str],
    modalities: list[str] | None = None,
) -> Plan:
    plan = Plan()
    by_slot: dict[tuple, list[tuple[Stack, Target]]] = {}
    for stack in assemble(slices):
        problem = stack.problem or modality_problem(stack, modalities or [])
        if problem:
            plan.rejected.append(
                {"source": stack.label, "series_uid": stack.series_uid, "reason": problem}
            )
            continue
        target = match_stack(stack, rules, case_sites=case_sites)
        if isinstance(target, str):
            plan.unmatched.append(
                {"source": stack.label, "series_uid": stack.series_uid, "reason": target}
            )
            continue
        by_slot.setdefault((target.case, target.sequence, target.arm), []).append((stack, target))
    for (case, sequence, arm), items in by_slot.items():
        if len(items) == 1:
            plan.items.append(items[0])
            continue
        labels = "; ".join(stack.label for stack, _ in items)
        for stack, target in items:
            plan.rejected.append(
                {
                    "source": stack.label,
                    "series_uid": stack.series_uid,
                    **_target_entry(target),
                    "reason": f"{len(items)} series match case {case} {sequence} {arm} "
                    f"({labels}); refine the import rules or use a manifest",
                }
            )
    return plan
