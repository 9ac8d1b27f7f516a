from django.contrib import admin

from readerstudy.audit.admin import ReadOnlyAdmin, ReadOnlyInline
from readerstudy.studies.models import Case, Criterion, Membership, Sequence, Site, Study


class SequenceInline(ReadOnlyInline, admin.TabularInline):
    model = Sequence
    extra = 0


class CriterionInline(ReadOnlyInline, admin.StackedInline):
    model = Criterion
    extra = 0


@admin.register(Study)
class StudyAdmin(ReadOnlyAdmin):
    list_display = ["title", "slug", "status", "design", "allow_revisions", "created_at"]
    list_filter = ["status", "design"]
    search_fields = ["title", "slug"]
    inlines = [SequenceInline, CriterionInline]


@admin.register(Site)
class SiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "country", "study"]
    list_filter = ["study"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "study", "role", "site", "is_active"]
    list_filter = ["study", "role", "is_active"]
    search_fields = ["user__username", "user__email"]


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ["key", "label", "order", "study"]
    list_filter = ["study"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["key", "label", "order", "scale_min", "scale_max", "required", "study"]
    list_filter = ["study", "required"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["identifier", "study", "site", "excluded"]
    list_filter = ["study", "site", "excluded"]
    search_fields = ["identifier"]
