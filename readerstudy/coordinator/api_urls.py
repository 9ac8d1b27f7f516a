"""Coordinator API endpoints (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.coordinator.api import (
    cases,
    exports,
    imports,
    inbox,
    people,
    plan,
    progress,
    rois,
    studies,
    uploads,
)

app_name = "coordinator_api"

S = "studies/<slug:slug>/"
urlpatterns = [
    path("studies/", studies.StudyListView.as_view(), name="studies"),
    path(S, studies.StudyDetailView.as_view(), name="study"),
    path(S + "open", studies.OpenView.as_view(), name="open"),
    path(S + "close", studies.CloseView.as_view(), name="close"),
    path(S + "progress", progress.ProgressView.as_view(), name="progress"),
    path(S + "members", people.MemberListView.as_view(), name="members"),
    path(S + "members/<int:membership_id>", people.MemberView.as_view(), name="member"),
    path(S + "cases", cases.CaseListView.as_view(), name="cases"),
    path(S + "cases/<int:case_id>/exclusion", cases.CaseExclusionView.as_view(), name="exclusion"),
    path(S + "reading-plan", plan.ReadingPlanView.as_view(), name="reading_plan"),
    path(
        S + "assignments/<int:assignment_id>/reopen",
        progress.ReopenView.as_view(),
        name="reopen",
    ),
    path(S + "exports/<slug:kind>.<slug:fmt>", exports.ExportView.as_view(), name="export"),
    path(S + "audit", exports.AuditView.as_view(), name="audit"),
    path(
        S + "imports/<int:job_id>/progress/",
        imports.ImportProgressView.as_view(),
        name="import_progress",
    ),
    path(S + "dicomweb/studies", inbox.StowView.as_view(), name="stow"),
    path(S + "dicomweb/studies/<str:study_uid>", inbox.StowView.as_view(), name="stow_study"),
    path(S + "inbox", inbox.InboxView.as_view(), name="inbox"),
    path(S + "uploads", uploads.UploadListView.as_view(), name="uploads"),
    path(S + "uploads/<str:upload_id>", uploads.UploadView.as_view(), name="upload"),
    path(
        S + "uploads/<str:upload_id>/complete",
        uploads.UploadCompleteView.as_view(),
        name="upload_complete",
    ),
    path(
        S + "cases/<int:case_id>/rois/<slug:sequence_key>/",
        rois.PairROIsView.as_view(),
        name="rois",
    ),
    path(
        S + "cases/<int:case_id>/rois/<slug:sequence_key>/slices",
        rois.PairPixelsView.as_view(),
        name="roi_slices",
    ),
    path(S + "rois/<int:roi_id>/", rois.ROIView.as_view(), name="roi"),
]
