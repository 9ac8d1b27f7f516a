"""ROI page and API: coordinators only (anonymous, reader bob, outsider charlie and dave, the
coordinator of another study, are all refused on every URL), CSRF, audit, and the numbers."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from django.test import Client

from readerstudy.audit.models import AuditEvent
from readerstudy.imaging.models import ROI
from readerstudy.imaging.services.rois import roi_create
from readerstudy.studies.models import Case
from tests.factories import make_series

SHAPE = (4, 10, 12)


@pytest.fixture
def pair(study):
    case = Case.objects.create(study=study, site=study.sites.first(), identifier="NYU-01")
    sequence = study.sequences.get(key="FLAIR")
    rng = np.random.default_rng(7)
    conventional = rng.integers(100, 200, size=SHAPE).astype("<i2")
    make_series(case=case, sequence=sequence, arm="conventional", volume=conventional)
    make_series(case=case, sequence=sequence, arm="enhanced", volume=conventional + 50)
    roi = roi_create(
        case=case,
        sequence=sequence,
        label="white_matter",
        slice_index=1,
        shape="ellipse",
        points=[[5, 5], [2, 2]],
    )
    return case, sequence, roi, conventional


def _urls(case, roi) -> dict[str, str]:
    base = f"/studies/glioma/cases/{case.pk}/rois/FLAIR/"
    api = f"/api/studies/glioma/cases/{case.pk}/rois/FLAIR/"
    return {
        "page": base,
        "list": api,
        "slices": api + "slices?start=0&stop=2",
        "roi": f"/api/studies/glioma/rois/{roi.pk}/",
    }


@pytest.mark.parametrize("who", ["anonymous", "bob", "charlie", "dave"])
@pytest.mark.parametrize("which", ["page", "list", "slices", "roi"])
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_everyone_but_the_studys_coordinator_is_refused(
    client, pair, other_study, who, which, method, request
):
    case, _, roi, _ = pair
    url = _urls(case, roi)[which]
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    before = AuditEvent.objects.exclude(action__startswith="auth.").count()
    response = getattr(client, method)(url, {"label": "csf"}, content_type="application/json")
    code = response.status_code
    if who == "anonymous":
        if which == "page":
            assert code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert code in (401, 403)
    else:
        assert code == 404, (who, which, method, code)
    assert ROI.objects.count() == 1
    assert AuditEvent.objects.exclude(action__startswith="auth.").count() == before


def test_another_studys_coordinator_cannot_reach_an_roi_through_their_own_study(
    client, pair, other_study, dave
):
    _, _, roi, _ = pair
    client.force_login(dave)
    assert client.delete(f"/api/studies/other/rois/{roi.pk}/").status_code == 404
    assert ROI.objects.filter(pk=roi.pk).exists()


def test_the_coordinator_sees_the_page_with_the_canvas_and_the_numbers(client, pair, alice):
    case, _, roi, volume = pair
    client.force_login(alice)
    response = client.get(_urls(case, roi)["page"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="roi-editor"' in html and "coordinator/roi-editor.js" in html
    assert f'data-pixels-base="/api/studies/glioma/cases/{case.pk}/rois/"' in html
    assert 'data-roi-url-base="/api/studies/glioma/rois/"' in html
    assert "<script>" not in html  # CSP: no inline scripts
    values = volume[1, 3:8, 3:8].astype(float)  # the r=2 disc around (5, 5) ...
    disc = values[[0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 4], [2, 1, 2, 3, 0, 1, 2, 3, 4, 1, 2, 3, 2]]
    assert f"{disc.mean():.1f} ± {disc.std(ddof=1):.1f}" in html
    assert f"{disc.mean() + 50:.1f} ± {disc.std(ddof=1):.1f}" in html


def test_the_case_page_links_to_the_roi_page_of_each_sequence(client, pair, alice):
    case, _, _, _ = pair
    client.force_login(alice)
    html = client.get(f"/studies/glioma/cases/{case.pk}/").content.decode()
    for key in ("T2W", "FLAIR", "T1CE"):
        assert f'href="/studies/glioma/cases/{case.pk}/rois/{key}/"' in html


def test_a_pair_without_a_conventional_series_says_so(client, pair, alice):
    case, _, _, _ = pair
    client.force_login(alice)
    response = client.get(f"/studies/glioma/cases/{case.pk}/rois/T2W/")
    assert response.status_code == 200
    assert "has no conventional T2W series" in response.content.decode()
    assert client.get(f"/studies/glioma/cases/{case.pk}/rois/DWI/").status_code == 404
    pixels = client.get(f"/api/studies/glioma/cases/{case.pk}/rois/T2W/slices")
    assert pixels.status_code == 404
    assert pixels.json()["detail"] == "Case NYU-01 has no conventional T2W series."


def test_the_list_gives_each_arms_mean_sd_pixels_and_snr(client, pair, alice):
    case, _, roi, _ = pair
    client.force_login(alice)
    data = client.get(_urls(case, roi)["list"]).json()
    assert data["stats_error"] == ""
    [item] = data["rois"]
    assert item["id"] == roi.pk and item["label"] == "white_matter" and item["slice_index"] == 1
    conventional, enhanced = item["conventional"], item["enhanced"]
    assert conventional["n_pixels"] == enhanced["n_pixels"] == 13
    assert enhanced["mean"] == pytest.approx(conventional["mean"] + 50)
    assert conventional["snr"] == pytest.approx(conventional["mean"] / conventional["sd"])


def test_the_coordinator_creates_and_deletes_rois_through_the_api_and_both_are_audited(
    client, pair, alice
):
    case, _, roi, _ = pair
    client.force_login(alice)
    body = {
        "label": "lesion",
        "slice_index": 2,
        "shape": "polygon",
        "points": [[1, 1], [6, 1], [4, 6]],
    }
    created = client.post(_urls(case, roi)["list"], body, content_type="application/json")
    assert created.status_code == 201
    new = ROI.objects.get(pk=created.json()["created"])
    assert (new.label, new.slice_index, new.created_by) == ("lesion", 2, alice)
    assert len(created.json()["rois"]) == 2
    deleted = client.delete(f"/api/studies/glioma/rois/{new.pk}/")
    assert deleted.status_code == 200 and len(deleted.json()["rois"]) == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="roi.")
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions[-2:] == [("roi.create", alice.pk), ("roi.delete", alice.pk)]


@pytest.mark.parametrize(
    "body,detail",
    [
        ({"label": "tumour", "slice_index": 0, "shape": "ellipse", "points": [[5, 5], [2, 2]]},
         'Field "label": "tumour" is not a valid choice.'),
        ({"label": "csf", "slice_index": 0, "shape": "ellipse", "points": [[50, 5], [2, 2]]},
         "The ROI is not valid: the ellipse centre (50, 5) is outside the 12×10 image."),
        ({"label": "csf", "slice_index": 9, "shape": "ellipse", "points": [[5, 5], [2, 2]]},
         "The ROI is not valid: slice 10 is outside 1–4."),
    ],
)  # fmt: skip
def test_bad_rois_are_refused_with_a_sentence(client, pair, alice, body, detail):
    case, _, roi, _ = pair
    client.force_login(alice)
    response = client.post(_urls(case, roi)["list"], body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == detail
    assert ROI.objects.count() == 1


def test_writes_without_the_csrf_token_are_refused(pair, alice):
    case, _, roi, _ = pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    body = {"label": "csf", "slice_index": 0, "shape": "ellipse", "points": [[5, 5], [2, 2]]}
    assert (
        client.post(_urls(case, roi)["list"], body, content_type="application/json").status_code
        == 403
    )
    assert client.delete(_urls(case, roi)["roi"]).status_code == 403
    assert ROI.objects.count() == 1


def test_the_pixels_are_the_conventional_series_in_the_viewer_format(client, pair, alice):
    case, _, roi, volume = pair
    client.force_login(alice)
    response = client.get(_urls(case, roi)["slices"])
    assert response.status_code == 200
    assert response["X-Slice-Start"] == "0" and response["X-Slice-Count"] == "2"
    raw = gzip.decompress(response.content)
    n = SHAPE[1] * SHAPE[2]
    for k in range(2):
        low, high = np.frombuffer(raw[2 * n * k : 2 * n * (k + 1)], dtype=np.uint8).reshape(2, n)
        pixels = (low.astype(np.int32) | (high.astype(np.int32) << 8)).reshape(SHAPE[1:])
        assert np.array_equal(pixels, volume[k])


def test_the_page_shows_why_statistics_are_refused(client, pair, alice):
    case, sequence, roi, _ = pair
    from readerstudy.imaging.models import Series

    Series.objects.filter(case=case, sequence=sequence, arm="enhanced").update(slices=5)
    client.force_login(alice)
    html = client.get(_urls(case, roi)["page"]).content.decode()
    assert "do not share a geometry (slices differ: conventional 4, enhanced 5)" in html
    data = client.get(_urls(case, roi)["list"]).json()
    assert data["rois"][0]["conventional"] is None and "slices differ" in data["stats_error"]
