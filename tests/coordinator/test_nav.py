import pytest


@pytest.mark.django_db
def test_every_study_page_links_to_the_analysis_and_import_pages(client, study, alice):
    client.force_login(alice)
    page = client.get("/studies/glioma/").content.decode()
    assert 'href="/studies/glioma/analysis/"' in page
    assert 'href="/studies/glioma/imports/new/"' in page
