from django.contrib import admin

from readerstudy.audit.admin import ReadOnlyAdmin
from readerstudy.imaging.models import ROI, ImportJob, PairCheck, Series, SeriesProvenance


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "arm", "rows", "columns", "slices", "dtype", "created_at"]
    list_filter = ["arm", "sequence__key", "case__study"]
    search_fields = ["case__identifier", "series_uid"]


@admin.register(SeriesProvenance)
class SeriesProvenanceAdmin(ReadOnlyAdmin):
    list_display = ["series", "file_count", "imported_at", "imported_by"]


@admin.register(PairCheck)
class PairCheckAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "status", "reason", "checked_at"]
    list_filter = ["status", "case__study"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["source_name", "study", "status", "done", "total", "created_at"]
    list_filter = ["status", "study"]


@admin.register(ROI)
class ROIAdmin(ReadOnlyAdmin):
    list_display = ["case", "sequence", "label", "slice_index", "shape", "created_at"]
    list_filter = ["label", "shape", "case__study"]
