"""``{% module_script 'reading/main.js' %}``: a page's ES module with its imports preloaded; and
``{% test_probes %}``: the app root's opt-in to the browser-test probes.

Without a bundler, the browser discovers a module's imports only after fetching and parsing it,
so a three-level import graph costs three round trips before anything runs (measured on the
reading page in headless chromium: ≈200 ms from the HTML to the last module). Listing the whole
graph as ``<link rel="modulepreload">`` lets the browser fetch every module at once.

The graph is read from the static files themselves (relative ``import``/``export … from``
specifiers), so the list cannot drift from the code. Registered as a template builtin in
settings.TEMPLATES.
"""

from __future__ import annotations

import functools
import posixpath
import re

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Static relative specifiers: `import x from './a.js'`, `import './a.js'`, `export {y} from '../b'`.
_SPECIFIER = re.compile(
    r"""^\s*(?:import|export)\b[^'";]*?(?:\bfrom\s*)?['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE
)


def relative_imports(source: str) -> list[str]:
    """The relative module specifiers a module imports or re-exports, in source order."""
    return _SPECIFIER.findall(source)


def _read(path: str) -> str | None:
    found = finders.find(path)
    if found:
        with open(found, encoding="utf-8") as handle:
            return handle.read()
    if staticfiles_storage.exists(path):
        with staticfiles_storage.open(path) as handle:
            return handle.read().decode("utf-8")
    return None


def module_graph(entry: str) -> list[str]:
    """Static paths of ``entry`` and every module it imports, directly or not (entry first)."""
    seen: list[str] = []
    pending = [entry]
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.append(path)
        source = _read(path)
        if source is None:
            continue  # a missing file shows up as the browser's own 404, not as a page error
        folder = posixpath.dirname(path)
        for spec in relative_imports(source):
            pending.append(posixpath.normpath(posixpath.join(folder, spec)))
    return seen


_cached_graph = functools.lru_cache(maxsize=32)(module_graph)


@register.simple_tag
def module_script(entry: str) -> str:
    """``<link rel="modulepreload">`` for each import of ``entry``, then its ``<script>``."""
    graph = module_graph(entry) if settings.DEBUG else _cached_graph(entry)
    links = format_html_join(
        "", '<link rel="modulepreload" href="{}">', ((static(path),) for path in graph[1:])
    )
    return format_html('{}<script type="module" src="{}"></script>', links, static(entry))


@register.simple_tag
def test_probes() -> SafeString:
    """`` data-test-probes`` when settings.FRONTEND_TEST_PROBES is on, else nothing.

    Written inside an app root's tag (``<div id="reading-app"{% test_probes %} …>``): the page's
    modules put their test probes on the window only when it is there (frontend/base/probes.js).
    """
    return mark_safe(" data-test-probes" if settings.FRONTEND_TEST_PROBES else "")
