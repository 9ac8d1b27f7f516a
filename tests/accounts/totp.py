"""TOTP helpers for the two-factor tests: a device's current code, and a confirmed device."""

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _fresh(device: TOTPDevice) -> TOTPDevice:
    # A code is accepted once per time step, and failures throttle the next try; reset both so
    # the test need not wait for the clock.
    device.refresh_from_db()
    device.last_t = -1
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    return device


def _enable(client, user) -> TOTPDevice:
    client.post("/accounts/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post("/accounts/two-factor/", {"action": "confirm", "token": _code(device)})
    device.refresh_from_db()
    return device
