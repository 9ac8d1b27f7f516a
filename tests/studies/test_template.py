import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from readerstudy.studies.models import Study
from readerstudy.studies.protocols import load_template


def test_the_glioma_template_has_three_sequences_and_seven_five_point_criteria():
    data = load_template()
    assert [s["key"] for s in data["sequences"]] == ["T2W", "FLAIR", "T1CE"]
    assert len(data["criteria"]) == 7
    assert all(len(c["anchors"]) == 5 for c in data["criteria"])


def test_artifact_criteria_run_so_that_five_means_no_artifact():
    data = load_template()
    for criterion in data["criteria"]:
        if criterion["key"].endswith("_artifact"):
            assert criterion["anchors"][-1] == "None"
            assert criterion["anchors"][0].startswith("Severe")


@pytest.mark.django_db
def test_create_study_command_builds_a_draft_study_from_the_template(capsys):
    call_command("create_study", "trial-1", "--title", "Trial one")
    study = Study.objects.get(slug="trial-1")
    assert study.title == "Trial one"
    assert study.status == "draft"
    assert study.sequences.count() == 3
    assert study.criteria.count() == 7
    assert "3 sequences, 7 criteria" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_study_command_refuses_a_duplicate_slug_and_an_unknown_template():
    call_command("create_study", "trial-1")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_study", "trial-1")
    with pytest.raises(CommandError, match="Unknown study template"):
        call_command("create_study", "trial-2", "--template", "nope")


def test_load_template_names_an_unknown_template():
    with pytest.raises(ValidationError, match="Unknown study template 'x'"):
        load_template("x")
