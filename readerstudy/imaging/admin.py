from django.contrib import admin

from readerstudy.imaging.models import ROI, ImportJob, PairCheck, Series, SeriesProvenance


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["case", "sequence", "arm", "rows", "columns", "slices", "dtype", "created_at"]
    list_filter = ["arm", "sequence__key", "case__study"]
    search_fields = ["case__identifier", "series_uid"]


@admin.register(SeriesProvenance)
class SeriesProvenanceAdmin(admin.ModelAdmin):
    list_display = ["series", "file_count", "imported_at", "imported_by"]


@admin.register(PairCheck)
class PairCheckAdmin(admin.ModelAdmin):
    list_display = ["case", "sequence", "status", "reason", "checked_at"]
    list_filter = ["status", "case__study"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["source_name", "study", "status", "done", "total", "created_at"]
    list_filter = ["status", "study"]


@admin.register(ROI)
class ROIAdmin(admin.ModelAdmin):
    list_display = ["case", "sequence", "label", "slice_index", "shape", "created_at"]
    list_filter = ["label", "shape", "case__study"]
