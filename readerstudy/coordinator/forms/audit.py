from django import forms

from readerstudy.coordinator.selectors.audit import AuditFilter


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=60, help_text="e.g. study. or export.")
    actor = forms.CharField(required=False, max_length=150)
    target = forms.CharField(required=False, max_length=80, help_text="e.g. Case or Case:12")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def to_filter(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            action=data.get("action", "").strip(),
            actor=data.get("actor", "").strip(),
            target=data.get("target", "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )
