"""The one gate for coordinator pages: signed in, coordinator of this study, OTP-verified."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse

from readerstudy.accounts.otp import needs_otp
from readerstudy.studies.access import get_study_for_coordinator


def coordinator_page(view):
    """Resolve ``slug`` to a study the user coordinates (404 otherwise) and pass it on.

    The membership is checked before the two-factor step, so an outsider learns nothing, not even
    that the study exists.
    """

    @login_required
    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        study = get_study_for_coordinator(request.user, slug)
        if needs_otp(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:otp_verify')}?{query}")
        return view(request, study, *args, **kwargs)

    return wrapper
