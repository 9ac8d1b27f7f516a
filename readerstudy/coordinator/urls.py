"""Coordinator pages (mounted at the site root by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.coordinator.views import (
    cases,
    exports,
    imports,
    people,
    plan,
    progress,
    rois,
    setup,
    tokens,
)
from readerstudy.coordinator.views.audit import audit_log

app_name = "coordinator"

S = "studies/<slug:slug>/"
urlpatterns = [
    path("accounts/api-token/", tokens.api_token, name="api_token"),
    path("accounts/api-token/new/", tokens.api_token_new, name="api_token_create"),
    path("accounts/api-token/revoke/", tokens.api_token_delete, name="api_token_revoke"),
    path("studies/new/", setup.study_new, name="new"),
    path(S, setup.study_overview, name="overview"),
    path(S + "settings/", setup.study_settings, name="settings"),
    path(S + "sequences/", setup.sequence_add, name="sequence_add"),
    path(S + "sequences/<int:sequence_id>/", setup.sequence_action, name="sequence_action"),
    path(S + "criteria/new/", setup.criterion_new, name="criterion_new"),
    path(S + "criteria/<int:criterion_id>/", setup.criterion_edit, name="criterion_edit"),
    path(
        S + "criteria/<int:criterion_id>/action/",
        setup.criterion_action,
        name="criterion_action",
    ),
    path(S + "open/", setup.study_open, name="open"),
    path(S + "close/", setup.study_close, name="close"),
    path(S + "people/", people.people_list, name="people"),
    path(S + "people/invite/", people.invite, name="invite"),
    path(S + "people/<int:membership_id>/", people.membership_action, name="membership"),
    path(S + "sites/", people.site_add, name="site_add"),
    path(S + "cases/", cases.case_list, name="cases"),
    path(S + "cases/<int:case_id>/", cases.case_detail, name="case"),
    path(S + "cases/<int:case_id>/exclusion/", cases.case_exclusion, name="case_exclusion"),
    path(S + "series/<int:series_id>/thumbnail.png", cases.series_thumbnail, name="thumbnail"),
    path(S + "plan/", plan.plan_page, name="plan"),
    path(S + "plan/crossed/", plan.plan_crossed, name="plan_crossed"),
    path(S + "plan/sites/", plan.plan_by_site, name="plan_sites"),
    path(S + "plan/csv/", plan.plan_csv, name="plan_csv"),
    path(S + "plan/split/", plan.plan_split, name="plan_split"),
    path(S + "progress/", progress.progress_page, name="progress"),
    path(S + "readers/<int:membership_id>/tasks/", progress.reader_tasks, name="reader_tasks"),
    path(
        S + "assignments/<int:assignment_id>/reopen/",
        progress.assignment_reopen,
        name="reopen",
    ),
    path(S + "exports/<slug:kind>.<slug:fmt>", exports.export_download, name="export"),
    path(S + "audit/", audit_log, name="audit"),
    path(S + "imports/new/", imports.import_new, name="import_new"),
    path(S + "imports/inbox/", imports.import_inbox, name="import_inbox"),
    path(S + "imports/<int:job_id>/", imports.import_detail, name="import_detail"),
    path(S + "cases/<int:case_id>/rois/<slug:sequence_key>/", rois.roi_page, name="rois"),
]
