"""A reader's score for one criterion on one pane (and so on one series)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from readerstudy.imaging.models import Series
from readerstudy.reading.models.schedule import Assignment, Pane
from readerstudy.studies.models import Criterion


class Rating(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="ratings")
    pane = models.ForeignKey(Pane, on_delete=models.CASCADE, related_name="ratings")
    # Denormalized from the pane so that exports and integrity checks need no join through tokens.
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="ratings")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment", "pane", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["pane", "criterion"], name="rating_unique"),
            models.CheckConstraint(condition=Q(score__lte=10), name="rating_score_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.pane}: {self.criterion.key}={self.score}"
