"""Small strict helpers that read settings from the environment.

They fail loudly: a typo in a deployment's environment should stop the server at start-up,
not silently fall back to a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def envstr(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def envbool(name: str, default: str) -> bool:
    """Accept exactly "True" or "False"; anything else is a configuration error."""
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be 'True' or 'False', got {value!r}.")
    return value == "True"


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}.")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    """Comma-separated list; blanks around items are dropped, empty items refused."""
    raw = os.environ.get(name, default)
    if raw.strip() == "":
        return []
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(f"{name} has an empty item: {raw!r}.")
    return items


def envsecret(name: str) -> str | None:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE`` (Docker secrets)."""
    direct = os.environ.get(name, "")
    path = os.environ.get(f"{name}_FILE", "")
    if direct and path:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if path:
        try:
            value = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}.") from None
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} is empty.")
        return value
    return direct or None


def envnetworks(name: str, default: str = "") -> list[str]:
    """Comma-separated IP addresses or CIDRs (e.g. ``10.0.0.0/8, ::1``), each one checked."""
    items = envlist(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} has {item!r}, which is neither an IP address nor a CIDR."
            ) from None
    return items


def envrate(name: str, default: str) -> str:
    """A request rate such as ``120/minute`` (per second, minute, hour or day)."""
    value = envstr(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/(second|minute|hour|day)", value):
        raise ImproperlyConfigured(
            f"{name} must look like 120/minute (per second, minute, hour or day), got {value!r}."
        )
    return value
