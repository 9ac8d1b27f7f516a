"""Forms of the coordinator pages: they parse input; services do the work."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from readerstudy.studies.models import Membership, Study
from readerstudy.studies.protocols import DEFAULT_TEMPLATE, template_names
from readerstudy.studies.services.study import SETTINGS_FIELDS, TEXT_ONLY_FIELDS


class StudyCreateForm(forms.Form):
    slug = forms.SlugField(max_length=64, help_text="Short name used in links, e.g. glioma-dl.")
    title = forms.CharField(max_length=200, required=False)
    template = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [
            *[(name, f"Template: {name}") for name in template_names()],
            ("", "From scratch (no sequences or criteria yet)"),
        ]
        self.fields["template"].initial = DEFAULT_TEMPLATE


class StudySettingsForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = list(SETTINGS_FIELDS)


class SequenceForm(forms.Form):
    key = forms.CharField(
        max_length=32, required=False, help_text="e.g. T2W; from the label if empty."
    )
    label = forms.CharField(max_length=100)


class CriterionForm(forms.Form):
    key = forms.CharField(max_length=40, required=False)
    label = forms.CharField(max_length=120)
    help_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    scale_min = forms.IntegerField(min_value=0, max_value=9, initial=1)
    scale_max = forms.IntegerField(min_value=1, max_value=10, initial=5)
    anchors = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="One anchor text per line, lowest score first.",
    )
    required = forms.BooleanField(required=False, initial=True)
    noninferiority = forms.BooleanField(
        required=False, help_text="Artifact criterion: test non-inferiority, not superiority."
    )

    def clean_anchors(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["anchors"].splitlines() if line.strip()]


class SiteForm(forms.Form):
    name = forms.CharField(max_length=100)
    country = forms.CharField(max_length=100, required=False)


class InviteForm(forms.Form):
    email = forms.EmailField()
    username = forms.CharField(max_length=150, required=False, help_text="From the email if empty.")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.READER)
    site = forms.ModelChoiceField(queryset=None, required=False)

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = study.sites.all()

    def clean(self):
        data = super().clean()
        if data.get("role") == Membership.Role.READER and not data.get("site"):
            raise ValidationError("Put each reader on a site.")
        return data


class ExclusionForm(forms.Form):
    reason = forms.CharField(max_length=500)


class SplitForm(forms.Form):
    readers_per_case = forms.IntegerField(min_value=1, max_value=100)


class PlanCsvForm(forms.Form):
    file = forms.FileField(help_text="CSV with the header reader,case; one row per reader × case.")


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=500)


class StudyTextForm(forms.ModelForm):
    """What stays editable once a study is open: texts that do not change meaning."""

    class Meta:
        model = Study
        fields = list(TEXT_ONLY_FIELDS)


class CriterionHelpTextForm(forms.Form):
    """Once a study is open, a criterion's help text is all that can be corrected."""

    help_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
