"""Every coordinator URL of a study, found by walking the URL configuration (so a new URL
cannot be forgotten), and how to fill its converters with real objects."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

COORDINATOR_PREFIXES = ("studies/<slug:slug>/", "api/studies/<slug:slug>/")
OWN_NAMESPACES = {"coordinator", "coordinator_api"}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield route, namespace, pattern.name


def coordinator_routes() -> list[tuple[str, str, str]]:
    routes = [
        (route.lstrip("^"), namespace, name)
        for route, namespace, name in _walk(get_resolver().url_patterns)
    ]
    return sorted({r for r in routes if r[0].startswith(COORDINATOR_PREFIXES)})


ROUTES = coordinator_routes()


def _url(route: str, values: dict) -> tuple[str, bool]:
    """Fill the route's converters; the bool says whether every value pointed at a real object."""
    known = True

    def fill(match):
        nonlocal known
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        known = False
        return "1" if converter in ("int", "") else "x"

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: fill(m), route)
    return url, known
