"""Coordinator API endpoints (mounted under /api/ by readerstudy/urls.py)."""

from django.urls import path

from readerstudy.coordinator.api import views

app_name = "studies_api"

S = "studies/<slug:slug>/"
urlpatterns = [
    path("studies/", views.StudyListView.as_view(), name="studies"),
    path(S, views.StudyDetailView.as_view(), name="study"),
    path(S + "progress", views.ProgressView.as_view(), name="progress"),
    path(S + "open", views.OpenView.as_view(), name="open"),
    path(S + "close", views.CloseView.as_view(), name="close"),
    path(S + "members", views.MemberListView.as_view(), name="members"),
    path(S + "members/<int:membership_id>", views.MemberView.as_view(), name="member"),
    path(S + "cases", views.CaseListView.as_view(), name="cases"),
    path(S + "cases/<int:case_id>/exclusion", views.CaseExclusionView.as_view(), name="exclusion"),
    path(S + "assignment-plan", views.AssignmentPlanView.as_view(), name="assignment_plan"),
    path(S + "assignments/<int:assignment_id>/reopen", views.ReopenView.as_view(), name="reopen"),
    path(S + "exports/<slug:kind>.<slug:fmt>", views.ExportView.as_view(), name="export"),
    path(S + "audit", views.AuditView.as_view(), name="audit"),
]
