"""Reading work: tasks, each reader's schedule and assignments, and the panes they see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from readerstudy.imaging.models import Arm, Series
from readerstudy.studies.models import Case, Sequence, Study


class Task(models.Model):
    """A unit of reading: a case × sequence (side by side) or case × sequence × arm (sequential)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="tasks")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    sequence = models.ForeignKey(Sequence, on_delete=models.PROTECT, related_name="tasks")
    # Empty for side-by-side tasks, which show both arms.
    arm = models.CharField(
        max_length=12,
        blank=True,
        choices=[("", "Both"), *Arm.choices],
    )

    class Meta:
        ordering = ["case", "sequence", "arm"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence", "arm"], name="task_unique"),
            models.CheckConstraint(condition=Q(arm__in=["", *Arm.values]), name="task_arm_valid"),
        ]

    def __str__(self) -> str:
        suffix = f" {self.arm}" if self.arm else ""
        return f"{self.case} {self.sequence.key}{suffix}"


class Schedule(models.Model):
    """One reader's randomized order over their tasks in one study; seed and result are stored."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="schedules")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedules"
    )
    seed = models.BigIntegerField()
    generated_at = models.DateTimeField(auto_now_add=True)
    # Sequential design: when the reader finished session 1 (starts the washout clock).
    session1_completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["study", "reader"], name="schedule_unique_per_reader")
        ]

    def __str__(self) -> str:
        return f"Schedule of {self.reader} in {self.study}"


class Assignment(models.Model):
    """A task given to one reader, at a position in their schedule."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not started"
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Preference(models.TextChoices):
        NONE_GIVEN = "", "Not asked / not answered"
        A = "A", "A"
        B = "B", "B"
        NO_PREFERENCE = "none", "No preference"

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="assignments")
    read_order = models.PositiveIntegerField()  # 1-based; "Case {read_order}" to the reader
    session = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    revision = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)  # last accepted draft save or submit
    active_seconds = models.FloatField(default=0)
    comment = models.TextField(blank=True)
    preference = models.CharField(max_length=4, choices=Preference.choices, blank=True, default="")
    reopened_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["schedule", "read_order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "reader"], name="assignment_unique"),
            models.UniqueConstraint(
                fields=["schedule", "read_order"], name="assignment_order_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "draft", "submitted"]),
                name="assignment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(preference__in=["", "A", "B", "none"]),
                name="assignment_preference_valid",
            ),
            models.CheckConstraint(condition=Q(active_seconds__gte=0), name="assignment_time_ok"),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="assignment_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["reader", "study", "status"])]

    def __str__(self) -> str:
        return f"{self.reader} · Case {self.read_order} ({self.status})"

    @property
    def label(self) -> str:
        return f"Case {self.read_order}"


class Pane(models.Model):
    """What one reader sees in one viewer slot of one assignment, behind an opaque token.

    The hidden placement: pane A is shown on the left, B on the right; which arm is behind each
    is known only to the server and the coordinator's unblinding key.
    """

    class Name(models.TextChoices):
        A = "A", "A (left)"
        B = "B", "B (right)"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="panes")
    name = models.CharField(max_length=1, choices=Name.choices)
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="panes")
    token = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["assignment", "name"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "name"], name="pane_unique_name"),
            models.UniqueConstraint(fields=["assignment", "series"], name="pane_unique_series"),
            models.CheckConstraint(condition=Q(name__in=["A", "B"]), name="pane_name_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} pane {self.name}"

    @property
    def position(self) -> str:
        return "left" if self.name == self.Name.A else "right"
