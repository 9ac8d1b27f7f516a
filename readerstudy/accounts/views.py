from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from readerstudy.studies.access import coordinated_studies, read_studies


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """Each user's landing page: the studies they coordinate and the studies they read."""
    return render(
        request,
        "home.html",
        {
            "coordinated": coordinated_studies(request.user),
            "reading": read_studies(request.user),
        },
    )
