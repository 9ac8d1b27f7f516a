from django.contrib import admin

from readerstudy.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from readerstudy.reading.models import Assignment, Pane, Rating, Schedule, Task


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "arm", "study"]
    list_filter = ["study", "sequence__key"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["reader", "study", "seed", "generated_at", "session1_completed_at"]
    list_filter = ["study"]


class PaneInline(ReadOnlyInline, admin.TabularInline):
    model = Pane
    extra = 0
    readonly_fields = ["token"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["reader", "study", "read_order", "session", "status", "submitted_at"]
    list_filter = ["study", "status", "session"]
    search_fields = ["reader__username"]
    inlines = [PaneInline]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "pane", "criterion", "score", "updated_at"]
    list_filter = ["criterion__key", "assignment__study"]
