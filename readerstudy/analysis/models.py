"""One analysis run of a study: who started it, how far it got, and where its outputs are stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from readerstudy.studies.models import Study


class AnalysisRun(models.Model):
    """``results.json``, ``report.html`` and the CSV tables of one run, under an opaque prefix.

    The files live in Django's default storage, so any app server can serve what any worker
    wrote. ``files`` maps each output's name to its storage key; nothing else is served.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Adjust(models.TextChoices):
        HOLM = "holm", "Holm"
        BH = "bh", "Benjamini–Hochberg"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="analysis_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=60, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0–100.")
    margin = models.FloatField(help_text="Non-inferiority margin in score points.")
    adjust = models.CharField(max_length=4, choices=Adjust.choices, default=Adjust.HOLM)
    storage_prefix = models.CharField(max_length=100, blank=True)
    files = models.JSONField(default=dict, blank=True)  # output name -> storage key
    # A few headline numbers for the page (scores, readers, cases), so it need not read the JSON.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="analysis_run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(adjust__in=["holm", "bh"]), name="analysis_run_adjust_valid"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="analysis_run_progress"),
            models.CheckConstraint(condition=Q(margin__gt=0), name="analysis_run_margin_positive"),
        ]

    def __str__(self) -> str:
        return f"Analysis {self.pk} of {self.study.slug} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
