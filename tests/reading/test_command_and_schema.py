"""open_study on the command line, the API schema, and query counts at real-study scale."""

from __future__ import annotations

import secrets
import warnings

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from readerstudy.imaging.models import PairCheck, Series
from readerstudy.reading.models import Assignment
from readerstudy.reading.services import study_open
from readerstudy.studies.models import Case, Site
from tests.factories import add_cases


def test_open_study_prints_a_summary_per_reader(study, capsys):
    add_cases(study, 5)
    call_command("open_study", "glioma", "--seed", "42")
    out = capsys.readouterr().out
    assert "Opened 'glioma' with seed 42." in out
    line = next(line for line in out.splitlines() if line.startswith("bob:"))
    assert "15 tasks" in line
    for key in ("T2W", "FLAIR", "T1CE"):
        assert f"{key} 2/5" in line or f"{key} 3/5" in line


def test_open_study_explains_why_a_study_cannot_open(study):
    with pytest.raises(CommandError, match="complete conventional/enhanced pair"):
        call_command("open_study", "glioma")
    with pytest.raises(CommandError, match="No study with the slug 'nope'"):
        call_command("open_study", "nope")


def test_the_schema_documents_the_reading_api_without_warnings(db, settings):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [p for p in problems if "reading" in p.lower()] == []
    paths = schema["paths"]
    for path in (
        "/api/reading/worklist",
        "/api/reading/{slug}/assignments",
        "/api/reading/{slug}/assignments/next",
        "/api/reading/{slug}/assignments/{read_order}/",
        "/api/reading/{slug}/assignments/{read_order}/draft",
        "/api/reading/{slug}/assignments/{read_order}/submit",
        "/api/reading/panes/{token}/slices",
    ):
        assert path in paths, path
    pixels = paths["/api/reading/panes/{token}/slices"]["get"]["responses"]["200"]
    assert "application/octet-stream" in pixels["content"]


def test_the_schema_and_docs_pages_load(bob_client):
    assert bob_client.get("/api/schema/").status_code == 200
    assert bob_client.get("/api/docs/").status_code == 200


def _bulk_cases(study, count: int) -> None:
    """Many cases with series rows but no pixels: enough for schedules and worklists."""
    site = Site.objects.filter(study=study).first()
    cases = Case.objects.bulk_create(
        [Case(study=study, site=site, identifier=f"BULK-{i:04d}") for i in range(count)]
    )
    sequences = list(study.sequences.all())
    Series.objects.bulk_create(
        [
            Series(
                case=case, sequence=seq, arm=arm, rows=8, columns=8, slices=2,
                window_center=1, window_width=2, intensity_low=0, intensity_high=2,
                storage_key=f"v/none/{secrets.token_hex(12)}.npy", content_sha256="0" * 64,
            )
            for case in cases for seq in sequences for arm in ("conventional", "enhanced")
        ]
    )  # fmt: skip
    PairCheck.objects.bulk_create(
        [PairCheck(case=c, sequence=s, status="complete") for c in cases for s in sequences]
    )


def test_a_full_size_readers_worklist_takes_a_handful_of_queries(
    study, bob, django_assert_max_num_queries
):
    _bulk_cases(study, 294)
    study_open(study=study, seed=3)
    assert Assignment.objects.filter(reader=bob).count() == 882
    client = APIClient()
    client.force_authenticate(bob)
    with django_assert_max_num_queries(8):
        assignments = client.get("/api/reading/glioma/assignments").json()["assignments"]
    assert len(assignments) == 882
    with django_assert_max_num_queries(10):
        assert client.get("/api/reading/worklist").json()["studies"][0]["total"] == 882
    with django_assert_max_num_queries(16):
        assert client.get("/api/reading/glioma/assignments/500/").status_code == 200
    client.force_login(bob)
    with django_assert_max_num_queries(16):
        assert client.get("/read/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/read/glioma/").status_code == 200
