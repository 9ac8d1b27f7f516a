"""roi_place_demo: ROIs from the phantom's own tissue masks, checked against its known noise.

Truth: the phantom adds Gaussian noise of SD sigma (per arm) to a piecewise-constant object, so
in a homogeneous tissue with SNR well above 5 the apparent SNR mean/SD is tissue mean / sigma
(Gudbjartsson & Patz 1995; Kaufman et al. 1989). The check uses a study without motion and
pulsation artifacts, whose ghosts are structured signal, not noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from readerstudy.analysis.stats.quantitative import roi_metrics
from readerstudy.audit.models import AuditEvent
from readerstudy.demo.cases import demo_cases
from readerstudy.demo.phantom.cases import Compartment, Tissue, make_case
from readerstudy.demo.phantom.dicom import write_study_dicom
from readerstudy.demo.rois import _demo_anatomy, demo_roi_circles, roi_place_demo
from readerstudy.imaging.models import ROI, Series
from readerstudy.imaging.rois.masks import ellipse_mask
from readerstudy.imaging.selectors import roi_stats_frame
from readerstudy.imaging.services.intake import import_dicom
from readerstudy.imaging.volumes import volume_load
from readerstudy.studies.models import Case
from tests.factories import make_series

SEED, MATRIX, SLICES, N_CASES = 2025, 128, 12, 4
LABELS = {"lesion", "white_matter", "gray_matter", "csf", "background"}


@pytest.fixture
def phantom_study(study):
    """The demo's first cases (same identifiers and case numbers), artifact-free, stored as is."""
    sites = {site.name: site for site in study.sites.all()}
    truths = {}
    for number, (identifier, site) in enumerate(demo_cases(N_CASES)):
        phantom = make_case(number, seed=SEED, matrix=MATRIX, slices=SLICES, artifacts=False)
        case = Case.objects.create(study=study, site=sites[site], identifier=identifier)
        for sequence in study.sequences.all():
            for arm in ("conventional", "enhanced"):
                volume = phantom.volumes[sequence.key, arm]
                make_series(case=case, sequence=sequence, arm=arm, volume=volume)
        truths[identifier] = phantom
    return study, truths


def test_the_anatomy_shortcut_matches_the_full_phantom():
    full = make_case(3, seed=SEED, matrix=64, slices=6)
    assert np.array_equal(_demo_anatomy(3, seed=SEED, matrix=64, slices=6), full.compartments)


def test_every_demo_circle_lies_inside_its_eroded_tissue():
    compartments = _demo_anatomy(0, seed=SEED, matrix=256, slices=24)
    circles = demo_roi_circles(compartments, pixel_spacing_mm=230 / 256)
    assert set(circles) == LABELS
    allowed = {
        "lesion": (Compartment.NECROSIS, Compartment.ENHANCING_RIM),
        "white_matter": (Compartment.WHITE_MATTER,),
        "gray_matter": (Compartment.GRAY_MATTER,),
        "csf": (Compartment.VENTRICLE, Compartment.CSF),
        "background": (Compartment.AIR,),
    }
    for label, (index, x, y, radius) in circles.items():
        grown = ellipse_mask((256, 256), y, x, radius + 3, radius + 3)  # the 3-pixel margin
        inside = np.unique(compartments[index][grown])
        assert len(inside) == 1 and inside[0] in allowed[label], (label, inside)
        assert radius <= 12.0 / (230 / 256) + 1e-9


def test_demo_rois_give_the_phantoms_white_matter_snr_in_both_arms(phantom_study):
    study, truths = phantom_study
    result = roi_place_demo(study=study, seed=SEED, matrix=MATRIX, slices=SLICES)
    assert result.placed == ROI.objects.filter(case__study=study).count() > 0
    assert ROI.objects.filter(case__study=study, label="white_matter").count() == N_CASES * 3

    frame = roi_stats_frame(study)
    snr = roi_metrics(frame).query("metric == 'snr_white_matter'")
    for sequence in ("T2W", "FLAIR", "T1CE"):
        ratios = {}
        for arm in ("conventional", "enhanced"):
            rows = snr[(snr["sequence"] == sequence) & (snr["arm"] == arm)]
            truth = [
                truths[c].tissue_means[sequence][Tissue.WHITE_MATTER] / truths[c].noise_sigma[arm]
                for c in rows["case"]
            ]
            ratios[arm] = rows["value"].to_numpy() / np.array(truth)
            assert len(rows) == N_CASES
            assert ratios[arm].mean() == pytest.approx(1.0, abs=0.15), (sequence, arm)
        enhanced = snr[(snr["sequence"] == sequence) & (snr["arm"] == "enhanced")]["value"]
        conventional = snr[(snr["sequence"] == sequence) & (snr["arm"] == "conventional")]["value"]
        assert (enhanced.to_numpy() > conventional.to_numpy()).all(), sequence


def test_placing_the_demo_rois_again_changes_nothing(phantom_study, alice):
    study, _ = phantom_study
    first = roi_place_demo(study=study, seed=SEED, matrix=MATRIX, slices=SLICES, actor=alice)
    events = AuditEvent.objects.filter(action="roi.place_demo")
    assert events.count() == 1 and events.get().data["placed"] == first.placed
    again = roi_place_demo(study=study, seed=SEED, matrix=MATRIX, slices=SLICES)
    assert again.placed == 0 and again.skipped_existing == N_CASES * 3
    assert ROI.objects.filter(case__study=study).count() == first.placed
    assert ROI.objects.filter(created_by=alice).count() == first.placed
    assert events.count() == 1  # the no-op re-run wrote no audit event


def test_cases_that_are_not_demo_cases_are_reported_not_guessed(phantom_study):
    study, _ = phantom_study
    result = roi_place_demo(
        study=study, seed=SEED, matrix=MATRIX, slices=SLICES, cases=["NYU-01", "NYU-02"]
    )
    assert "case SEV-01 is not a demo case" in result.missing
    assert set(ROI.objects.values_list("case__identifier", flat=True)) == {"NYU-01", "NYU-02"}


def test_the_imported_demo_volumes_are_the_phantom_slice_for_slice(study, tmp_path):
    """Through the demo's DICOM writer and the real import, slice k of a stored series is slice k
    of the phantom, so the regenerated masks sit on the right pixels."""
    cases = demo_cases(2)
    folder = tmp_path / "dicom"
    write_study_dicom(folder, cases=cases, seed=SEED, matrix=64, slices=6)
    report = import_dicom(study=study, path=folder, manifest=folder / "manifest.csv")
    assert not report.rejected and not report.unmatched
    for number, (identifier, _) in enumerate(cases):
        phantom = make_case(number, seed=SEED, matrix=64, slices=6)
        for series in Series.objects.filter(case__identifier=identifier, case__study=study):
            stored = np.asarray(volume_load(series.storage_key))
            physical = stored * series.rescale_slope + series.rescale_intercept
            assert np.array_equal(physical, phantom.volumes[series.sequence.key, series.arm])
    result = roi_place_demo(study=study, seed=SEED, matrix=64, slices=6)
    assert result.placed > 0 and not [m for m in result.missing if "not a demo case" in m]
