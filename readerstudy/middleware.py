"""Project-wide middleware: Content Security Policy and idle-session timeout."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout


class ContentSecurityPolicyMiddleware:
    """Send one strict CSP on every response unless a view has set its own.

    Django 5.2 has no built-in CSP. The policy forbids inline scripts everywhere; a view that must
    relax it (the self-contained analysis report's inline styles) sets the header itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class IdleSessionTimeoutMiddleware:
    """Log a user out after SESSION_IDLE_TIMEOUT_SECONDS without a request.

    The last-seen stamp is written at most once a minute, so the stream of pixel requests
    during reading does not turn into a stream of session writes.
    """

    KEY = "_last_seen"
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
            elif last_seen is None or now - last_seen > self.WRITE_EVERY_SECONDS:
                request.session[self.KEY] = now
        return self.get_response(request)
