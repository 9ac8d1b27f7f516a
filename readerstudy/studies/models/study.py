"""A reader study and the people, sites, sequences and criteria that define it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


def default_modalities() -> list[str]:
    return ["MR"]


class Study(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Design(models.TextChoices):
        SIDE_BY_SIDE = "side_by_side", "Side by side (paired)"
        SEQUENTIAL = "sequential", "Sequential (one version per session, with washout)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    design = models.CharField(max_length=20, choices=Design.choices, default=Design.SIDE_BY_SIDE)
    washout_days = models.PositiveIntegerField(default=0)
    randomization_seed = models.BigIntegerField(null=True, blank=True)
    allow_revisions = models.BooleanField(default=False)
    ask_preference = models.BooleanField(
        default=False, help_text="Ask readers which pane they prefer (side-by-side design only)."
    )
    allow_comment = models.BooleanField(default=True)
    noninferiority_margin = models.FloatField(default=0.5)
    # Rules that map DICOM series to sequence and arm when an import has no manifest, e.g.
    # {"T2W": {"conventional": "(?i)t2(?!.*dl)", "enhanced": "(?i)t2.*dl"}}.
    import_rules = models.JSONField(default=dict, blank=True)
    # DICOM modalities the import accepts, e.g. ["MR"]; an empty list accepts any.
    modalities = models.JSONField(default=default_modalities, blank=True)
    # The called AE title that PACS send to (C-STORE); it selects this study's inbox.
    dicom_ae_title = models.CharField(
        "DICOM AE title", max_length=16, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "studies"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="study_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(design__in=["side_by_side", "sequential"]), name="study_design_valid"
            ),
            models.CheckConstraint(
                condition=Q(noninferiority_margin__gt=0), name="study_margin_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_side_by_side(self) -> bool:
        return self.design == self.Design.SIDE_BY_SIDE


class Site(models.Model):
    """A hospital contributing cases and/or readers to one study."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="site_name_unique_in_study")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})" if self.country else self.name


class Membership(models.Model):
    """A user's role in one study. Roles are per study: coordinator or reader."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", "Coordinator"
        READER = "reader", "Reader"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships"
    )
    # Deactivated readers keep their scores but get no new work and cannot read.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "study", "role"], name="membership_unique_role_in_study"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["coordinator", "reader"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.study}"

    def clean(self) -> None:
        if self.site_id and self.site.study_id != self.study_id:
            raise ValidationError({"site": "The site belongs to another study."})


class Sequence(models.Model):
    """An MRI sequence read in the study, e.g. T2W, FLAIR, T1CE."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sequences")
    key = models.SlugField(max_length=32)
    label = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["study", "key"], name="sequence_key_unique_in_study")
        ]

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """A rating criterion with an ordinal scale; the highest score is always the best."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    help_text = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    # One anchor text per score level, anchors[i] describing score scale_min + i.
    anchors = models.JSONField(default=list)
    required = models.BooleanField(default=True)
    # Artifact criteria are tested for non-inferiority rather than superiority.
    noninferiority = models.BooleanField(default=False)

    class Meta:
        ordering = ["order", "key"]
        verbose_name_plural = "criteria"
        constraints = [
            models.UniqueConstraint(fields=["study", "key"], name="criterion_key_unique_in_study"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_ordered"
            ),
            models.CheckConstraint(
                condition=Q(scale_max__lte=10), name="criterion_scale_at_most_10"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def levels(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))

    def clean(self) -> None:
        if self.scale_max is not None and self.scale_min is not None:
            expected = self.scale_max - self.scale_min + 1
            if not isinstance(self.anchors, list) or len(self.anchors) != expected:
                raise ValidationError(
                    {"anchors": f"Give exactly {expected} anchor texts, one per score level."}
                )
            if any(not str(text).strip() for text in self.anchors):
                raise ValidationError({"anchors": "Every score level needs an anchor text."})
