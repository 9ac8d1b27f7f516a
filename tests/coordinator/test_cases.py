"""The coordinator's case list: search, filters, pagination, pairing and tells, and previews."""

import io

from PIL import Image

from readerstudy.coordinator.selectors.cases import case_rows, cases_search
from readerstudy.imaging.models import Series
from readerstudy.imaging.thumbnails import series_thumbnail_png
from tests.studies.builders import add_cases


def test_the_list_shows_site_pairing_tells_and_both_arms(client, study, alice):
    add_cases(study, 2)
    client.force_login(alice)
    page = client.get("/studies/glioma/cases/").content.decode()
    assert 'data-case="P001"' in page and "NYU" in page
    assert page.count('alt="T2W conventional"') == 2 and page.count('alt="T2W enhanced"') == 2
    assert "1 tell" in page


def test_search_filters_and_pagination(client, study, alice):
    add_cases(study, 30)
    assert [c.identifier for c in cases_search(study, query="P01")] == [
        f"P01{n}" for n in range(10)
    ]
    nyu = study.sites.get(name="NYU")
    assert all(c.site == nyu for c in cases_search(study, site_id=nyu.pk))
    client.force_login(alice)
    page = client.get("/studies/glioma/cases/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in page and 'data-case="P026"' in page


def test_incomplete_and_excluded_filters(study, alice):
    add_cases(study, 2)
    from readerstudy.studies.models import Case

    broken = Case.objects.create(study=study, site=study.sites.first(), identifier="X001")
    assert [c.identifier for c in cases_search(study, show="incomplete")] == ["X001"]
    rows = case_rows(study, [broken])
    assert {p.status for p in rows[0].pairs} == {"missing"}
    assert not rows[0].complete
    broken.excluded, broken.exclusion_reason = True, "no images"
    broken.save()
    assert [c.identifier for c in cases_search(study, show="excluded")] == ["X001"]
    assert len(cases_search(study, show="tells")) == 2


def test_a_thumbnail_is_a_small_png_of_the_middle_slice(client, study, alice):
    add_cases(study, 1)
    series = Series.objects.first()
    client.force_login(alice)
    response = client.get(f"/studies/glioma/series/{series.pk}/thumbnail.png")
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=600"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (160, 160) and image.mode == "L"


def test_both_arms_go_through_the_same_rendering(study):
    add_cases(study, 1)
    conventional, enhanced = (
        Series.objects.get(sequence__key="T2W", arm=arm) for arm in ("conventional", "enhanced")
    )
    enhanced.storage_key = conventional.storage_key  # same pixels, so the same picture
    assert series_thumbnail_png(conventional) == series_thumbnail_png(enhanced)


def test_a_series_of_another_study_is_not_served(client, study, other_study, dave):
    add_cases(study, 1)
    client.force_login(dave)
    series = Series.objects.first()
    assert client.get(f"/studies/other/series/{series.pk}/thumbnail.png").status_code == 404
