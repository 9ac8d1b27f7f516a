"""Imported image data: series volumes, their provenance, pair checks, import jobs and ROIs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from readerstudy.studies import vocabulary
from readerstudy.studies.models import Case, Sequence, Study


class Arm(models.TextChoices):
    CONVENTIONAL = vocabulary.CONVENTIONAL, vocabulary.ARM_LABELS[vocabulary.CONVENTIONAL]
    ENHANCED = vocabulary.ENHANCED, vocabulary.ARM_LABELS[vocabulary.ENHANCED]


class Series(models.Model):
    """One image series stored once as a normalized volume under an opaque storage key.

    Reader-facing code reaches a series only through ``readerstudy.imaging.blinding``.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="series")
    sequence = models.ForeignKey(Sequence, on_delete=models.PROTECT, related_name="series")
    arm = models.CharField(max_length=12, choices=Arm.choices)
    rows = models.PositiveIntegerField()
    columns = models.PositiveIntegerField()
    slices = models.PositiveIntegerField()
    dtype = models.CharField(max_length=6, default="int16")
    pixel_spacing_row = models.FloatField(null=True, blank=True)
    pixel_spacing_column = models.FloatField(null=True, blank=True)
    slice_spacing = models.FloatField(null=True, blank=True)
    orientation = models.JSONField(default=list, blank=True)  # six direction cosines
    origin = models.JSONField(default=list, blank=True)  # position of the first slice (mm)
    # Display defaults derived from the pixels by one rule for both arms, never from the header.
    window_center = models.FloatField()
    window_width = models.FloatField()
    intensity_low = models.FloatField()  # 1st percentile
    intensity_high = models.FloatField()  # 99th percentile
    # Physical value = stored value × slope + intercept. Normally 1 and 0: the import stores the
    # rescaled values. Only when those are not integers (e.g. some Philips exports) does it keep
    # the original stored integers and record the series-wide rescale here, so nothing is lost.
    rescale_slope = models.FloatField(default=1.0)
    rescale_intercept = models.FloatField(default=0.0)
    storage_key = models.CharField(max_length=100, unique=True)
    content_sha256 = models.CharField(max_length=64)
    series_uid = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "series"
        ordering = ["case", "sequence", "arm"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "sequence", "arm"], name="series_unique_per_case_sequence_arm"
            ),
            models.CheckConstraint(
                condition=Q(arm__in=list(vocabulary.ARMS)), name="series_arm_valid"
            ),
            models.CheckConstraint(
                condition=Q(dtype__in=["int16", "uint16"]), name="series_dtype_valid"
            ),
            models.CheckConstraint(
                condition=Q(rows__gt=0) & Q(columns__gt=0) & Q(slices__gt=0),
                name="series_shape_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.sequence.key} {self.arm}"

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.slices, self.rows, self.columns)


class SeriesProvenance(models.Model):
    """Coordinator-only record of where a series came from, including its original headers."""

    series = models.OneToOneField(Series, on_delete=models.CASCADE, related_name="provenance")
    headers = models.JSONField(default=dict)  # first slice's attributes, PHI included
    file_count = models.PositiveIntegerField(default=0)
    transfer_syntaxes = models.JSONField(default=list)
    warnings = models.JSONField(default=list)  # e.g. uneven spacing, missing slices
    source = models.CharField(max_length=500, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Provenance of {self.series}"


class PairCheck(models.Model):
    """Whether a case × sequence has both arms with the same geometry, and what headers tell."""

    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete"
        INCOMPLETE = "incomplete", "Incomplete (an arm is missing)"
        MISMATCH = "mismatch", "Geometry mismatch"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pair_checks")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="pair_checks")
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.TextField(blank=True)
    # [{"attribute": "SeriesDescription", "conventional": "...", "enhanced": "..."}]
    tells = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="pair_check_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["complete", "incomplete", "mismatch"]),
                name="pair_check_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.sequence.key}: {self.status}"

    @property
    def is_readable(self) -> bool:
        return self.status == self.Status.COMPLETE


class ImportJob(models.Model):
    """A DICOM import run, from the CLI or a browser upload, with its progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    source_name = models.CharField(max_length=255)
    upload = models.FileField(upload_to="imports/", blank=True)
    manifest = models.FileField(upload_to="imports/", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # What done/total count, e.g. "Reading files" or "Importing series".
    stage = models.CharField(max_length=40, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="import_job_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Import {self.source_name} ({self.status})"


class ROI(models.Model):
    """A region of interest on one slice of a case × sequence; it applies to both arms."""

    class Label(models.TextChoices):
        LESION = "lesion", "Lesion"
        WHITE_MATTER = "white_matter", "White matter"
        GRAY_MATTER = "gray_matter", "Gray matter"
        CSF = "csf", "CSF"
        BACKGROUND = "background", "Background air"
        CUSTOM = "custom", "Custom"

    class Shape(models.TextChoices):
        ELLIPSE = "ellipse", "Ellipse"
        POLYGON = "polygon", "Polygon"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rois")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="rois")
    label = models.CharField(max_length=16, choices=Label.choices)
    name = models.CharField(max_length=60, blank=True, help_text="Name of a custom ROI.")
    slice_index = models.PositiveIntegerField()
    shape = models.CharField(max_length=8, choices=Shape.choices)
    # Pixel coordinates (x = column, y = row).
    # Ellipse: [[cx, cy], [rx, ry]]; polygon: [[x, y], ...].
    points = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ROI"
        ordering = ["case", "sequence", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shape__in=["ellipse", "polygon"]), name="roi_shape_valid"
            ),
            models.CheckConstraint(
                condition=Q(
                    label__in=[
                        "lesion",
                        "white_matter",
                        "gray_matter",
                        "csf",
                        "background",
                        "custom",
                    ]
                ),
                name="roi_label_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.sequence.key} {self.label} @ {self.slice_index}"


class InboxInstance(models.Model):
    """One DICOM instance received from a PACS (C-STORE or STOW-RS), waiting to be imported.

    The file itself is in ``storages["inbox"]`` under ``storage_name``, exactly as it arrived.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="inbox")
    sop_instance_uid = models.CharField(max_length=64)
    sop_class_uid = models.CharField(max_length=64)
    series_uid = models.CharField(max_length=64, blank=True)
    study_uid = models.CharField(max_length=64, blank=True)
    transfer_syntax = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=120, help_text="Who sent it, e.g. 'C-STORE from PACS1'.")
    storage_name = models.CharField(max_length=255)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series_uid", "received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "sop_instance_uid"], name="inbox_instance_unique_in_study"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sop_instance_uid} in the inbox of {self.study}"
