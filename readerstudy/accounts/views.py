from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from readerstudy.accounts.otp import needs_otp
from readerstudy.audit.services import audit_record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class InvitationView(auth_views.PasswordResetConfirmView):
    """The one-time set-password link from an invitation (Django's password-reset token: it stops
    working once the password is set). The token leaves the URL before the form is shown."""

    template_name = "accounts/invitation.html"
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        # An account event of no one study: the audit viewer of every study the user belongs
        # to shows its members' "auth." events.
        audit_record(
            action="auth.invitation_accept", actor=self.user, target=self.user, request=self.request
        )
        messages.success(self.request, "Your password is set. Welcome.")
        return response


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def two_factor(request):
    """Set up, confirm or remove TOTP two-factor authentication for the signed-in user."""
    confirmed = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        token = request.POST.get("token", "").strip()
        if action == "start" and confirmed is None:
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            pending = TOTPDevice.objects.create(
                user=request.user, name="Authenticator app", confirmed=False
            )
        elif action == "confirm" and pending is not None:
            if pending.verify_token(token):
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                otp_login(request, pending)
                audit_record(action="otp.enable", actor=request.user, request=request)
                messages.success(request, "Two-factor authentication is on.")
                return redirect("accounts:two_factor")
            error = "That code did not match. Check the time on your phone and try again."
        elif action == "disable" and confirmed is not None:
            if confirmed.verify_token(token):
                TOTPDevice.objects.filter(user=request.user).delete()
                audit_record(action="otp.disable", actor=request.user, request=request)
                messages.success(request, "Two-factor authentication is off.")
                return redirect("accounts:two_factor")
            error = "That code did not match; two-factor authentication stays on."
    context = {"confirmed": confirmed, "pending": pending, "error": error}
    if pending is not None and confirmed is None:
        context["otpauth_uri"] = pending.config_url
        context["secret"] = b32encode(pending.bin_key).decode()
    return render(request, "accounts/two_factor.html", context)


@login_required
def otp_verify(request):
    """Ask for the current TOTP code once per session, before any coordinator page."""
    next_url = _safe_next(request, reverse("home"))
    if not needs_otp(request):
        return redirect(next_url)
    error = ""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            otp_login(request, device)
            audit_record(action="otp.verify", actor=request.user, request=request)
            return redirect(next_url)
        audit_record(action="otp.verify_failed", actor=request.user, request=request)
        error = "That code did not match. Enter the 6-digit code your app shows now."
    return render(request, "accounts/otp_verify.html", {"next": next_url, "error": error})
