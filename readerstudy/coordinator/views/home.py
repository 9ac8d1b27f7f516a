"""Each user's landing page: the studies they coordinate and the studies they read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from readerstudy.studies.access import can_create_study, coordinated_studies, read_studies


@login_required
def home(request):
    """Each user's landing page: the studies they coordinate and the studies they read."""
    return render(
        request,
        "home.html",
        {
            "coordinated": coordinated_studies(request.user),
            "reading": read_studies(request.user),
            "can_create": can_create_study(request.user),
        },
    )
