"""What an import did, for the CLI, the report page and the audit log."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

SHOWN_PER_REASON = 10  # the text report collapses long runs of files skipped for one reason


@dataclass
class ImportReport:
    """The outcome of one ``import_dicom`` run.

    Each series entry is a dict with ``source`` (where the series was found) and, when known,
    ``case``, ``site``, ``sequence``, ``arm``, ``shape`` and ``warnings``; rejected and unmatched
    entries carry a ``reason``. ``files_skipped`` lists files that are not DICOM images or could
    not be read, each with its reason.
    """

    study: str
    source: str
    dry_run: bool = False
    files_seen: int = 0
    imported: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # already there, unchanged
    rejected: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)  # not in the manifest / no rule
    files_skipped: list[dict] = field(default_factory=list)
    pairs: list[dict] = field(default_factory=list)  # every pair touched, with its status
    created_cases: list[str] = field(default_factory=list)
    created_sites: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def incomplete_pairs(self) -> list[dict]:
        return [pair for pair in self.pairs if pair["status"] != "complete"]

    @property
    def failed(self) -> bool:
        """Nothing could be imported (a re-run that finds everything already there is fine)."""
        return not self.imported and not self.skipped

    def summary(self) -> dict[str, int]:
        return {
            "imported": len(self.imported),
            "skipped": len(self.skipped),
            "rejected": len(self.rejected),
            "unmatched": len(self.unmatched),
            "files_skipped": len(self.files_skipped),
            "incomplete_pairs": len(self.incomplete_pairs),
            "created_cases": len(self.created_cases),
            "created_sites": len(self.created_sites),
        }

    def as_dict(self) -> dict:
        data = asdict(self)
        data["incomplete_pairs"] = self.incomplete_pairs
        data["summary"] = self.summary()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in names})

    def as_text(self) -> str:
        return render_text(self)


def _slot(entry: dict) -> str:
    if "case" not in entry:
        return entry["source"]
    return f"{entry['case']} {entry['sequence']} {entry['arm']} ← {entry['source']}"


def render_text(report: ImportReport) -> str:
    verb = "Would import" if report.dry_run else "Imported"
    lines = [
        f"{'Dry run: nothing was stored. ' if report.dry_run else ''}Import into study "
        f"'{report.study}' from {report.source}: {report.files_seen} files read.",
        "",
        f"{verb}: {len(report.imported)} series",
    ]
    for entry in report.imported:
        shape = "×".join(str(n) for n in entry.get("shape", []))
        lines.append(f"  + {_slot(entry)} ({shape}, {entry.get('dtype', '')})")
        lines.extend(f"      warning: {w}" for w in entry.get("warnings", []))
    lines.append(f"Skipped (already there, unchanged): {len(report.skipped)} series")
    lines.extend(f"  = {_slot(entry)}" for entry in report.skipped)
    lines.append(f"Rejected: {len(report.rejected)} series")
    lines.extend(f"  ! {_slot(entry)}: {entry['reason']}" for entry in report.rejected)
    if report.unmatched:
        lines.append(f"Not matched (not imported): {len(report.unmatched)} series")
        lines.extend(f"  ? {entry['source']}: {entry['reason']}" for entry in report.unmatched)
    if report.files_skipped:
        lines.append(f"Files skipped: {len(report.files_skipped)}")
        shown: Counter[str] = Counter()
        hidden: Counter[str] = Counter()
        for entry in report.files_skipped:
            if shown[entry["reason"]] < SHOWN_PER_REASON:
                shown[entry["reason"]] += 1
                lines.append(f"  - {entry['file']}: {entry['reason']}")
            else:
                hidden[entry["reason"]] += 1
        lines.extend(f"  - … and {n} more: {reason}" for reason, n in hidden.items())
    incomplete = report.incomplete_pairs
    lines.append(f"Pairs incomplete or mismatched: {len(incomplete)}")
    lines.extend(
        f"  ~ {p['case']} {p['sequence']}: {p['status']}: {p['reason']}" for p in incomplete
    )
    tells = [p for p in report.pairs if p.get("tells")]
    if tells:
        lines.append(f"Header differences hidden from readers: {len(tells)} pair(s)")
        for pair in tells:
            names = ", ".join(t["attribute"] for t in pair["tells"])
            lines.append(f"  * {pair['case']} {pair['sequence']}: {names}")
    if report.created_sites:
        lines.append(f"New sites: {', '.join(report.created_sites)}")
    if report.created_cases:
        lines.append(f"New cases: {', '.join(report.created_cases)}")
    lines.extend(f"Warning: {w}" for w in report.warnings)
    return "\n".join(lines)
