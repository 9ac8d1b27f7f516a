"""The two demo studies, built through the real paths (``make_demo_study`` runs this).

- ``demo``: the glioma template with three sites, one reader per site and a coordinator; phantom
  DICOM (``demo.phantom.dicom.write_study_dicom``) written under VAR_DIR and imported with
  ``import_dicom`` and the phantom's manifest, exactly as a coordinator would; ROIs placed on the
  phantom's tissue masks; opened, so the readers can start at once.
- ``demo-completed``: the same phantom data imported into a second study with the same people,
  opened, every task filled with simulated scores through the reading services (draft, then
  submit), and analysed once, so the coordinator finds a full report on the Analysis page.

Building again changes nothing and says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from readerstudy.demo.cases import SITES, demo_cases
from readerstudy.demo.phantom.dicom import write_study_dicom
from readerstudy.imaging.models import Series
from readerstudy.imaging.services.intake import ImportRefused, import_dicom
from readerstudy.studies.models import Membership, Study
from readerstudy.studies.services import membership_grant, site_add, study_create

SLUG = "demo"
TITLE = "Demo: DL-enhanced glioma MRI"
COMPLETED_SLUG = "demo-completed"
COMPLETED_TITLE = "Demo: completed study with simulated scores"
TEMPLATE = "glioma_dl_template"
COORDINATOR = ("coordinator", "demo-coordinator")
READERS = {"NYU": "reader-nyu", "Severance": "reader-severance", "SNUH": "reader-snuh"}
READER_PASSWORD = "demo-reader"


class DemoFailed(Exception):
    """The demo could not be built; the message says why."""


@dataclass(frozen=True)
class DemoOptions:
    cases: int = 12
    matrix: int = 256
    slices: int = 24
    seed: int = 2025


@dataclass
class DemoBuild:
    """What building one demo study did, in sentences for the command's output."""

    slug: str
    state: str = ""
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    existed: bool = False

    @property
    def summary(self) -> str:
        if self.existed and not self.changes:
            return (
                f"The demo study '{self.slug}' already exists ({self.state}); nothing was changed."
            )
        return f"Demo study '{self.slug}' is ready: {self.state} ({'; '.join(self.changes)})."


def demo_dicom_path(options: DemoOptions) -> Path:
    """Where the phantom DICOM of these options lives (scratch data under VAR_DIR)."""
    name = f"seed{options.seed}-cases{options.cases}-m{options.matrix}-s{options.slices}"
    return Path(settings.VAR_DIR) / "demo-dicom" / name


def demo_dicom_folder(
    options: DemoOptions, *, progress: Callable[[int, int], None] | None = None
) -> Path:
    """Write the phantom DICOM once per parameter set; later builds and studies reuse it."""
    folder = demo_dicom_path(options)
    if (folder / "manifest.csv").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    write_study_dicom(
        folder,
        cases=demo_cases(options.cases),
        seed=options.seed,
        matrix=options.matrix,
        slices=options.slices,
        progress=progress,
    )
    return folder


def _people(study: Study, sites: dict):
    """The coordinator and one reader per site; the same accounts serve both studies."""
    wanted = [(COORDINATOR[0], COORDINATOR[1], Membership.Role.COORDINATOR, None)] + [
        (READERS[name], READER_PASSWORD, Membership.Role.READER, sites[name]) for name in READERS
    ]
    users = get_user_model().objects
    for username, password, role, site in wanted:
        if Membership.objects.filter(study=study, user__username=username, role=role).exists():
            continue
        exists = users.filter(username=username).exists()
        membership_grant(
            study=study,
            username=username,
            role=role,
            site=site,
            password=None if exists else password,
        )
    return users.get(username=COORDINATOR[0])


def _import(study: Study, folder: Path, progress) -> int:
    try:
        report = import_dicom(
            study=study, path=folder, manifest=folder / "manifest.csv", progress=progress
        )
    except ImportRefused as error:
        raise DemoFailed(f"The demo import into '{study.slug}' was refused: {error}") from None
    if report.rejected or report.unmatched:
        raise DemoFailed(
            f"The demo import into '{study.slug}' rejected series:\n{report.as_text()}"
        )
    return len(report.imported)


def _rois(study: Study, coordinator, options: DemoOptions, build: DemoBuild) -> int:
    from readerstudy.demo.rois import roi_place_demo

    # A rebuild places nothing and audits nothing (roi_place_demo skips placed ROIs).
    placement = roi_place_demo(
        study=study,
        seed=options.seed,
        matrix=options.matrix,
        slices=options.slices,
        actor=coordinator,
    )
    if placement.missing:
        build.notes.append(
            f"ROIs of '{study.slug}' not placed ({len(placement.missing)}): "
            + "; ".join(placement.missing[:5])
            + ("; ..." if len(placement.missing) > 5 else "")
        )
    return placement.placed


def _open(study: Study, coordinator, options: DemoOptions) -> None:
    from readerstudy.reading.services import study_open

    try:
        study_open(study=study, seed=options.seed, actor=coordinator)
    except ValidationError as error:
        raise DemoFailed(
            f"The demo study '{study.slug}' cannot open: {' '.join(error.messages)}"
        ) from None
    study.refresh_from_db()


def _complete(study: Study, coordinator, options: DemoOptions, build: DemoBuild) -> None:
    """Simulated scores for every open task, then one analysis run if none finished yet."""
    from readerstudy.analysis.models import AnalysisRun
    from readerstudy.analysis.services import analysis_run
    from readerstudy.demo.scores import demo_scores_submit

    started = time.perf_counter()
    scores = demo_scores_submit(study=study, seed=options.seed)
    if scores.submitted:
        build.changes.append(
            f"{scores.submitted} tasks scored and submitted in "
            f"{time.perf_counter() - started:.1f} s"
        )
    done = AnalysisRun.objects.filter(study=study, status=AnalysisRun.Status.DONE)
    if scores.submitted or not done.exists():
        started = time.perf_counter()
        run = analysis_run(study=study, actor=coordinator, background=False)
        if run.status == AnalysisRun.Status.DONE:
            build.changes.append(f"analysed in {time.perf_counter() - started:.1f} s")
        else:
            # The study is still usable; the Analysis page shows the error and can rerun.
            build.notes.append(f"The analysis of '{study.slug}' failed: {run.error}")


def _submitted(study: Study) -> int:
    from readerstudy.reading.models import Assignment

    return Assignment.objects.filter(study=study, status=Assignment.Status.SUBMITTED).count()


def demo_study_build(
    *,
    slug: str,
    title: str,
    options: DemoOptions,
    dicom_folder: Callable[[], Path],
    import_progress=None,
    completed: bool = False,
) -> DemoBuild:
    """Build (or bring up to date) one demo study, from creation to open, and for the completed
    one its scores and an analysis. ``dicom_folder`` writes or finds the phantom DICOM."""
    study = Study.objects.filter(slug=slug).first()
    build = DemoBuild(slug=slug, existed=study is not None)
    if study is None:
        study = study_create(slug=slug, title=title, template=TEMPLATE)
    sites = {
        name: site_add(study=study, name=name, country=country, exist_ok=True)
        for name, country, _ in SITES
    }
    coordinator = _people(study, sites)
    if study.is_draft:
        imported = _import(study, dicom_folder(), import_progress)
        if imported:
            build.changes.append(f"{imported} series imported")
    placed = _rois(study, coordinator, options, build)
    if placed:
        build.changes.append(f"{placed} ROIs placed")
    if study.is_draft:
        _open(study, coordinator, options)
        build.changes.append("opened for reading")
    if completed and study.is_open:
        _complete(study, coordinator, options, build)
    cases = study.cases.count()
    series = Series.objects.filter(case__study=study).count()
    build.state = f"{cases} cases, {series} series"
    if completed:
        build.state += f", {_submitted(study)} submitted tasks"
    return build


def demo_logins() -> list[tuple[str, ...]]:
    """The table of demo accounts that the command prints: role, username, password, site."""
    studies = f"{SLUG}, {COMPLETED_SLUG}"
    rows = [
        ("Role", "Username", "Password", "Site", "Studies"),
        ("coordinator", *COORDINATOR, "—", studies),
    ]
    rows += [("reader", user, READER_PASSWORD, site, studies) for site, user in READERS.items()]
    return rows
