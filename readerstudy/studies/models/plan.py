"""Reading plans: which reader reads which cases (fully crossed unless narrowed)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from readerstudy.studies.models.case import Case
from readerstudy.studies.models.study import Study


class ReadingPlan(models.Model):
    """How a study's cases are shared among its readers. No plan means fully crossed."""

    class Mode(models.TextChoices):
        FULLY_CROSSED = "fully_crossed", "Fully crossed: every reader reads every case"
        SUBSET = "subset", "Explicit subset per reader (by site or CSV)"
        SPLIT = "split", "Split: k readers per case, balanced"

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="reading_plan")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.FULLY_CROSSED)
    readers_per_case = models.PositiveSmallIntegerField(null=True, blank=True)
    # How the subset was made ("site", "csv") so the page can say so; informational only.
    source = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=["fully_crossed", "subset", "split"]),
                name="reading_plan_mode_valid",
            ),
            models.CheckConstraint(
                condition=~Q(mode="split") | Q(readers_per_case__gte=1),
                name="reading_plan_split_needs_k",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} · {self.study}"

    @property
    def is_fully_crossed(self) -> bool:
        return self.mode == self.Mode.FULLY_CROSSED


class PlannedReading(models.Model):
    """One reader is to read one case (all its sequences) under a subset or split plan."""

    plan = models.ForeignKey(ReadingPlan, on_delete=models.CASCADE, related_name="readings")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="planned_readings"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="planned_readings")

    class Meta:
        ordering = ["plan", "reader", "case"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "reader", "case"], name="planned_reading_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reader} reads {self.case}"
