"""The upload form of the browser import."""

from __future__ import annotations

import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from readerstudy.imaging.intake.manifest import MAX_MANIFEST_BYTES, ManifestError
from readerstudy.imaging.intake.zipsafe import human_size
from readerstudy.imaging.services.intake import ImportRefused, manifest_check
from readerstudy.studies.models import Study


def too_large_message(size: int) -> str:
    limit = settings.MAX_UPLOAD_BYTES
    return (
        f"The upload is too large: {human_size(size)}, and the limit is {human_size(limit)}. "
        "Split the export into several zips, or import it on the server with "
        "`manage.py import_dicom`."
    )


class ImportUploadForm(forms.Form):
    upload = forms.FileField(
        label="DICOM export (.zip)",
        help_text="A zip of the hospital's DICOM export: folders of files, compressed or not.",
    )
    manifest = forms.FileField(
        label="Manifest (.csv, optional)",
        required=False,
        help_text="Columns case, site, sequence, arm and series_uid or path. Without a manifest "
        "the study's import rules decide.",
    )

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(too_large_message(upload.size))
        if not zipfile.is_zipfile(upload):
            raise ValidationError(f"'{upload.name}' is not a zip file.")
        upload.seek(0)
        return upload

    def clean_manifest(self):
        manifest = self.cleaned_data.get("manifest")
        if not manifest:
            return manifest
        if manifest.size > MAX_MANIFEST_BYTES:
            raise ValidationError("The manifest is larger than 5 MB; is it the right file?")
        try:
            manifest_check(study=self.study, data=manifest.read())
        except (ManifestError, ImportRefused) as error:
            raise ValidationError(getattr(error, "errors", None) or [str(error)]) from None
        manifest.seek(0)
        return manifest
