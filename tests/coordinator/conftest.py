"""Fixtures of the coordinator tests."""

import pytest

from readerstudy.imaging.models import ImportJob
from readerstudy.imaging.services.rois import roi_create
from readerstudy.imaging.services.uploads import upload_start
from readerstudy.reading.models import Assignment
from readerstudy.studies.models import Membership
from tests.studies.builders import add_cases, add_schedule


@pytest.fixture
def world(study, other_study, bob, dave, charlie):
    case = add_cases(study, 1)[0]
    add_schedule(study, bob, submit=1)
    series = case.series.first()
    sequence = study.sequences.first()
    job = ImportJob.objects.create(study=study, source_name="site-export.zip")
    roi = roi_create(
        case=case,
        sequence=sequence,
        label="white_matter",
        slice_index=0,
        shape="ellipse",
        points=[[4, 4], [2, 2]],
    )
    return {
        "slug": study.slug,
        "sequence_id": study.sequences.first().pk,
        "criterion_id": study.criteria.first().pk,
        "case_id": case.pk,
        "series_id": series.pk,
        "membership_id": Membership.objects.get(study=study, user=bob).pk,
        "assignment_id": Assignment.objects.filter(study=study).first().pk,
        "job_id": job.pk,
        "sequence_key": sequence.key,
        "roi_id": roi.pk,
        "kind": "ratings",
        "fmt": "csv",
        "study_uid": "1.2.826.0.1.3680043.8.498.1",
        "upload_id": upload_start(study_id=study.pk, name="export.zip", size=10).id,
    }
