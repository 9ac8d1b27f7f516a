"""The coordinator's ROI page: draw ROIs on the conventional series of one case × sequence."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from readerstudy.imaging.models import ROI
from readerstudy.imaging.selectors import conventional_series, pair_rois
from readerstudy.studies.access import (
    get_case_for_coordinator,
    get_sequence_by_key_for_coordinator,
)
from readerstudy.studies.gates import coordinator_page


@coordinator_page
def roi_page(request, study, case_id: int, sequence_key: str):
    """Draw ROIs on the conventional series of one case × sequence and see their numbers."""
    case = get_case_for_coordinator(study, case_id)
    sequence = get_sequence_by_key_for_coordinator(study, sequence_key)
    series = conventional_series(case, sequence)
    pair_url = reverse("coordinator_api:rois", args=[study.slug, case.pk, sequence.key])
    return render(
        request,
        "imaging/rois.html",
        {
            "study": study,
            "tab": "cases",
            "case": case,
            "sequence": sequence,
            "sequences": study.sequences.all(),
            "series": series,
            "pair": pair_rois(case, sequence),
            "labels": ROI.Label.choices,
            # The JS appends "<id>/" and "<sequence>/slices" to these (so a URL prefix works).
            "roi_url_base": reverse("coordinator_api:roi", args=[study.slug, 0]).removesuffix("0/"),
            "pixels_base": pair_url.removesuffix(f"{sequence.key}/"),
        },
    )
