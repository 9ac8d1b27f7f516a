from django.contrib import admin

from readerstudy.studies.models import Case, Criterion, Membership, Sequence, Site, Study


class SequenceInline(admin.TabularInline):
    model = Sequence
    extra = 0


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "design", "allow_revisions", "created_at"]
    list_filter = ["status", "design"]
    search_fields = ["title", "slug"]
    inlines = [SequenceInline, CriterionInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "study"]
    list_filter = ["study"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "study", "role", "site", "is_active"]
    list_filter = ["study", "role", "is_active"]
    search_fields = ["user__username", "user__email"]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "order", "study"]
    list_filter = ["study"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "order", "scale_min", "scale_max", "required", "study"]
    list_filter = ["study", "required"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["identifier", "study", "site", "excluded"]
    list_filter = ["study", "site", "excluded"]
    search_fields = ["identifier"]
