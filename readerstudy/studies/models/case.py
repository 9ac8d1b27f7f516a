"""A case: one patient's images in a study, known to coordinators by their own identifier."""

from __future__ import annotations

from django.db import models

from readerstudy.studies.models.study import Site, Study


class Case(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="cases")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="cases")
    # Coordinator-facing only; readers see "Case N" in their own order instead.
    identifier = models.CharField(max_length=100)
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "identifier"], name="case_identifier_unique_in_study"
            ),
            models.CheckConstraint(
                condition=models.Q(excluded=False) | ~models.Q(exclusion_reason=""),
                name="case_exclusion_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier
