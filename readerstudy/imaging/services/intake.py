"""DICOM import: the one entry point (``import_dicom``) for the CLI, the upload task and the demo.

The import streams: a first pass reads only headers and groups them into stacks; then stacks are
read, converted and stored one at a time, so memory does not grow with the number of series.
Each series is stored in its own transaction with its volume written first, so a failure leaves
no half series (an orphaned volume is deleted), and re-running an import changes nothing.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import IO

from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.imaging.blinding import display_defaults
from readerstudy.imaging.dicom import quiet_pydicom
from readerstudy.imaging.dicom.headers import header_json
from readerstudy.imaging.dicom.read import describe_error
from readerstudy.imaging.intake.assembly import Stack
from readerstudy.imaging.intake.manifest import ManifestError, ManifestRow, parse_manifest
from readerstudy.imaging.intake.planning import Plan, plan_by_manifest, plan_by_rules
from readerstudy.imaging.intake.report import ImportReport
from readerstudy.imaging.intake.rules import RulesError, Target, compile_rules
from readerstudy.imaging.intake.scan import (
    STAGE_IMPORTING,
    Progress,
    SourceMissing,
    import_root,
    scan_headers,
)
from readerstudy.imaging.intake.stacking import StackVolume, VolumeRejected, stack_volume
from readerstudy.imaging.intake.zipsafe import ZipRejected
from readerstudy.imaging.models import Series, SeriesProvenance
from readerstudy.imaging.pairing import pair_check_update, pair_status
from readerstudy.imaging.volumes import volume_delete, volume_save, volume_sha256
from readerstudy.studies.models import Case, Sequence, Site, Study
from readerstudy.studies.vocabulary import ARMS, CONVENTIONAL, ENHANCED

logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The whole import is refused before anything was stored; the message says why."""


def _check_study(study: Study) -> None:
    if not study.is_draft:
        raise ImportRefused(
            f"The study '{study.slug}' is {study.get_status_display().lower()}; DICOM can only be "
            "imported while a study is a draft."
        )


def _read_manifest(manifest, sequences) -> list[ManifestRow]:
    if isinstance(manifest, str | Path):
        try:
            data: bytes | str = Path(manifest).read_bytes()
        except OSError as error:
            raise ImportRefused(
                f"The manifest '{manifest}' cannot be read ({error.strerror})."
            ) from None
    elif isinstance(manifest, bytes | str):
        data = manifest
    else:
        data = manifest.read()
    return parse_manifest(data, sequences=sequences)


def _series_entry(stack: Stack, target: Target, volume: StackVolume | None = None) -> dict:
    entry = {
        "source": stack.label,
        "series_uid": stack.series_uid,
        "case": target.case,
        "site": target.site,
        "sequence": target.sequence,
        "arm": target.arm,
        "decided_by": target.decided_by,
        "shape": [len(stack.slices), stack.first.rows, stack.first.columns],
        "warnings": list(stack.warnings),
    }
    if volume is not None:
        entry["dtype"] = volume.dtype
        entry["warnings"] += volume.warnings
    return entry


def _unsaved_series(stack: Stack, target: Target, volume: StackVolume) -> Series:
    """A Series with everything but its database identity (used for dry runs and saving)."""
    spacing = stack.pixel_spacing or (None, None)
    defaults = display_defaults(volume.array)
    return Series(
        arm=target.arm,
        rows=stack.first.rows,
        columns=stack.first.columns,
        slices=len(stack.slices),
        dtype=volume.dtype,
        pixel_spacing_row=spacing[0],
        pixel_spacing_column=spacing[1],
        slice_spacing=stack.slice_spacing,
        orientation=stack.orientation,
        origin=stack.origin,
        rescale_slope=volume.slope,
        rescale_intercept=volume.intercept,
        content_sha256=volume_sha256(volume.array),
        series_uid=stack.series_uid[:64],
        **defaults,
    )


def series_import(
    *,
    study: Study,
    stack: Stack,
    target: Target,
    volume: StackVolume,
    series: Series,
    headers: dict,
    source: str,
    actor=None,
    sequence: Sequence | None = None,
    case: Case | None = None,
) -> tuple[Series, bool, bool]:
    """Store one series: volume first, then its rows in ONE transaction.

    ``sequence`` and ``case`` may be passed when the caller already has them (saves queries).
    Returns (series, case_created, site_created). If the transaction fails, the volume written
    for it is deleted again, so no orphan is left behind.
    """
    key = volume_save(volume.array)
    try:
        with transaction.atomic():
            case_created = site_created = False
            if case is None:
                site, site_created = Site.objects.get_or_create(
                    study=study, name=target.site, defaults={"country": target.country}
                )
                case, case_created = Case.objects.get_or_create(
                    study=study, identifier=target.case, defaults={"site": site}
                )
            series.case = case
            series.sequence = sequence or Sequence.objects.get(study=study, key=target.sequence)
            series.storage_key = key
            series.save()
            SeriesProvenance.objects.create(
                series=series,
                headers=headers,
                file_count=len(stack.files),
                transfer_syntaxes=sorted({s.transfer_syntax for s in stack.slices}),
                warnings=_series_entry(stack, target, volume)["warnings"],
                source=source[:500],
                imported_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except BaseException:
        volume_delete(key)
        raise
    return series, case_created, site_created


def _headers_of(stack: Stack) -> dict:
    """The provenance header of a stack's first file; a header pydicom cannot render entirely
    is kept as far as it goes rather than losing the series."""
    try:
        with quiet_pydicom():
            return header_json(stack.first.path)
    except Exception as error:
        return {"(unreadable)": describe_error(error)}


class _Run:
    """One import run: the study's state as it goes, and the report being written."""

    def __init__(self, study: Study, report: ImportReport, *, dry_run: bool, actor):
        self.study = study
        self.report = report
        self.dry_run = dry_run
        self.actor = actor
        self.cases = {
            c.identifier: c for c in Case.objects.filter(study=study).select_related("site")
        }
        self.sites = set(Site.objects.filter(study=study).values_list("name", flat=True))
        self.sequences = {s.key: s for s in study.sequences.all()}
        # What the study already holds, loaded once: a lookup per series would cost queries.
        self.stored: dict[tuple[str, str, str], Series] = {}
        self.by_hash: dict[str, tuple[str, str, str]] = {}
        stored = Series.objects.filter(case__study=study).select_related("case", "sequence")
        for series in stored.defer("orientation", "origin"):
            slot = (series.case.identifier, series.sequence.key, series.arm)
            self.stored[slot] = series
            self.by_hash.setdefault(series.content_sha256, slot)
        self.planned: dict[tuple[str, str, str], tuple[Series, dict]] = {}
        self.touched: set[tuple[str, str]] = set()

    def _note_created(self, target: Target, case_created: bool, site_created: bool) -> None:
        if site_created and target.site not in self.report.created_sites:
            self.report.created_sites.append(target.site)
        if case_created and target.case not in self.report.created_cases:
            self.report.created_cases.append(target.case)

    def import_stack(self, stack: Stack, target: Target) -> None:
        entry = _series_entry(stack, target)
        case = self.cases.get(target.case)
        if case is not None and case.site.name != target.site:
            reason = (
                f"case {target.case} is at site {case.site.name} in this study, not {target.site}"
            )
            self.report.rejected.append({**entry, "reason": reason})
            return
        try:
            volume = stack_volume(stack.slices)
        except VolumeRejected as error:
            self.report.rejected.append({**entry, "reason": str(error)})
            return
        except Exception as error:  # no series may stop the import; its reason is reported
            logger.warning("Reading series %s failed", stack.series_uid, exc_info=True)
            reason = f"its pixels could not be read ({describe_error(error)})"
            self.report.rejected.append({**entry, "reason": reason})
            return
        entry = _series_entry(stack, target, volume)
        series = _unsaved_series(stack, target, volume)
        slot = (target.case, target.sequence, target.arm)
        existing = self.stored.get(slot)
        self.touched.add((target.case, target.sequence))
        if existing is not None:
            same = (
                existing.content_sha256 == series.content_sha256
                and existing.rescale_slope == series.rescale_slope
                and existing.rescale_intercept == series.rescale_intercept
            )
            if same:
                self.report.skipped.append(entry)
            else:
                self.report.rejected.append(
                    {
                        **entry,
                        "reason": f"a different series is already stored as case {target.case} "
                        f"{target.sequence} {target.arm} (imported "
                        f"{existing.created_at:%Y-%m-%d %H:%M} UTC); it is never overwritten: "
                        "delete it first to replace it",
                    }
                )
            return
        twin = self.by_hash.get(series.content_sha256)
        if twin is not None:
            entry["warnings"].append(
                f"the same pixels are also stored as case {twin[0]} {twin[1]} {twin[2]}"
            )
        headers = _headers_of(stack)
        if self.dry_run:
            self.planned[(target.case, target.sequence, target.arm)] = (series, headers)
            self._note_created(target, target.case not in self.cases, target.site not in self.sites)
            self.sites.add(target.site)
            self.report.imported.append(entry)
            return
        try:
            _, case_created, site_created = series_import(
                study=self.study,
                stack=stack,
                target=target,
                volume=volume,
                series=series,
                headers=headers,
                source=f"{self.report.source}/{stack.folder}",
                actor=self.actor,
                sequence=self.sequences[target.sequence],
                case=self.cases.get(target.case),
            )
        except Exception as error:
            logger.exception("Storing series %s failed", stack.series_uid)
            self.report.rejected.append(
                {**entry, "reason": f"it could not be stored ({type(error).__name__}: {error})"}
            )
            return
        self._note_created(target, case_created, site_created)
        if case_created:
            self.cases[target.case] = series.case
        self.sites.add(target.site)
        self.stored[slot] = series
        self.by_hash.setdefault(series.content_sha256, slot)
        self.report.imported.append(entry)

    def check_pairs(self) -> None:
        sequences = self.sequences
        for case_id, sequence_key in sorted(self.touched):
            case = self.cases.get(case_id)
            if self.dry_run:
                status, reason, tells = self._planned_pair(case, case_id, sequence_key)
            else:
                if case is None:
                    continue  # the case was never created: nothing of it was stored
                check = pair_check_update(case=case, sequence=sequences[sequence_key])
                if check is None:
                    continue
                status, reason, tells = check.status, check.reason, check.tells
            self.report.pairs.append(
                {
                    "case": case_id,
                    "sequence": sequence_key,
                    "status": status,
                    "reason": reason,
                    "tells": tells,
                }
            )

    def _planned_pair(self, case: Case | None, case_id: str, sequence_key: str):
        arms: dict[str, tuple[Series, dict]] = {}
        if case is not None:
            for stored in Series.objects.filter(
                case=case, sequence__key=sequence_key
            ).select_related("provenance"):
                provenance = getattr(stored, "provenance", None)
                arms[stored.arm] = (stored, provenance.headers if provenance else {})
        for arm in ARMS:
            if (case_id, sequence_key, arm) in self.planned:
                arms[arm] = self.planned[(case_id, sequence_key, arm)]
        return pair_status(arms.get(CONVENTIONAL), arms.get(ENHANCED))


def import_dicom(
    *,
    study: Study,
    path: str | Path,
    manifest: str | Path | bytes | IO | None = None,
    dry_run: bool = False,
    actor=None,
    request=None,
    progress: Progress | None = None,
    source_name: str | None = None,
) -> ImportReport:
    """Import a folder or zip of DICOM files into ``study``; see docs/import.md.

    ``manifest`` is a CSV (path, bytes, text or file object) mapping series to case, site,
    sequence and arm; without one, ``study.import_rules`` decide. ``progress(done, total, stage)``
    is called as files are read and series stored. Raises ``ImportRefused`` when the import as a
    whole cannot run (study not a draft, bad manifest or rules, unsafe zip); otherwise returns an
    ``ImportReport`` with every series imported, skipped, rejected or unmatched, and why.
    """
    path = Path(path)
    report = ImportReport(study=study.slug, source=source_name or path.name, dry_run=dry_run)
    try:
        _check_study(study)
        keys = list(study.sequences.values_list("key", flat=True))
        rows = _read_manifest(manifest, keys) if manifest is not None else None
        rules = (
            None if rows is not None else compile_rules(study.import_rules or {}, sequences=keys)
        )
        run = _Run(study, report, dry_run=dry_run, actor=actor)
        damaged: list[dict] = []
        with import_root(path, damaged) as (root, files):
            if isinstance(manifest, str | Path):
                # A manifest kept inside the import folder is not an unreadable DICOM file.
                kept = Path(manifest).resolve()
                if kept.is_relative_to(root.resolve()):
                    inside = root / kept.relative_to(root.resolve())
                    files = [f for f in files if f != inside]
            report.files_seen = len(files)
            slices, skipped = scan_headers(root, files, progress=progress)
            report.files_skipped = damaged + skipped
            modalities = list(study.modalities or [])
            if rows is not None:
                plan: Plan = plan_by_manifest(slices, rows, modalities=modalities)
            else:
                case_sites = {c: case.site.name for c, case in run.cases.items()}
                plan = plan_by_rules(slices, rules, case_sites=case_sites, modalities=modalities)
            del slices
            report.rejected.extend(plan.rejected)
            report.unmatched.extend(plan.unmatched)
            total = len(plan.items)
            if progress is not None:
                progress(0, total, STAGE_IMPORTING)
            for done, (stack, target) in enumerate(plan.items, start=1):
                run.import_stack(stack, target)
                if progress is not None:
                    progress(done, total, STAGE_IMPORTING)
        run.check_pairs()
    except (ManifestError, RulesError, ZipRejected, SourceMissing, ImportRefused) as error:
        message = str(error)
        audit_record(
            action="import.run",
            actor=actor,
            study=study,
            data={"source": report.source, "dry_run": dry_run, "refused": message},
            request=request,
        )
        raise ImportRefused(message) from None
    if not report.imported and report.skipped:
        report.warnings.append(
            f"Nothing new was imported: {len(report.skipped)} series were already there, unchanged."
        )
    audit_record(
        action="import.run",
        actor=actor,
        study=study,
        data={"source": report.source, "dry_run": dry_run, **report.summary()},
        request=request,
    )
    return report


def manifest_check(*, study: Study, data: bytes | str | io.IOBase) -> list[ManifestRow]:
    """Validate a manifest against the study without importing (for the upload form)."""
    keys = list(study.sequences.values_list("key", flat=True))
    return _read_manifest(data, keys)
