"""A small scored study for the Django side of the analysis: three readers, two sequences,
three criteria, eight cases with real (tiny) volumes and ROIs, opened and fully scored through
the reading services with the demo's simulated scores."""

from __future__ import annotations

from readerstudy.demo.scores import demo_scores_submit
from readerstudy.imaging.services.rois import roi_create
from readerstudy.reading.services import study_open
from tests.factories import add_cases, add_reader, keep_criteria, keep_sequences

SEQUENCES = ["T2W", "FLAIR"]
CRITERIA = ["overall_quality", "noise", "motion_artifact"]
SHAPE = (3, 32, 32)


def add_rois(study, cases) -> None:
    """A lesion ROI in the factory phantom's bright centre and a white-matter ROI beside it."""
    for case in cases:
        for sequence in study.sequences.all():
            for label, centre, radius in (("lesion", (16, 16), 2), ("white_matter", (16, 8), 3)):
                roi_create(
                    case=case,
                    sequence=sequence,
                    label=label,
                    slice_index=1,
                    shape="ellipse",
                    points=[list(centre), [radius, radius]],
                )


def build_scored_study(study, *, cases: int = 8, rois: bool = True, scores: bool = True):
    sites = {site.name: site for site in study.sites.all()}
    add_reader(study, "erin", site=sites["Severance"])
    add_reader(study, "frank", site=sites["SNUH"])
    keep_sequences(study, SEQUENCES)
    keep_criteria(study, CRITERIA)
    built = add_cases(study, cases, shape=SHAPE, site=sites["NYU"])
    if rois:
        add_rois(study, built)
    study_open(study=study, seed=7)
    if scores:
        demo_scores_submit(study=study, seed=3)
    study.refresh_from_db()
    return study
