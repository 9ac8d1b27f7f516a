from django.contrib import admin

from readerstudy.analysis.models import AnalysisRun
from readerstudy.audit.admin import ReadOnlyAdmin


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "study",
        "status",
        "progress",
        "adjust",
        "margin",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "adjust", "study"]
    readonly_fields = ["storage_prefix", "files", "summary", "task_id", "started_at", "finished_at"]
