"""{% module_script %}: the import graph of a page's module, read from the static files."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template

from readerstudy.module_scripts import module_graph, relative_imports


def test_relative_specifiers_are_found_in_every_static_import_form():
    source = """
import { a } from './a.js';
import b from "../lib/b.js";
import {
  c,
  d,
} from './c.js';
import './side-effect.js';
export { e } from './e.js';
export * from './f.js';
import x from 'bare-package';
const later = import('./dynamic.js');
// a word about import, from, and './nothing.js' in a comment does not count
"""
    assert relative_imports(source) == [
        "./a.js", "../lib/b.js", "./c.js", "./side-effect.js", "./e.js", "./f.js",
    ]  # fmt: skip


def test_the_reading_pages_graph_reaches_the_viewers_modules_and_every_file_exists():
    graph = module_graph("reading/main.js")
    assert graph[0] == "reading/main.js"
    # Reached only through viewer/viewer.js or viewer/stack.js: transitive imports count.
    assert {"viewer/stack.js", "viewer/unshuffle.js", "viewer/lut.js", "reading/panel.js"} <= set(
        graph
    )
    # The shared modules under base/ and the controller the page's wiring drives.
    assert {
        "base/http.js",
        "base/probes.js",
        "reading/controller.js",
        "reading/autosave.js",
    } <= set(graph)
    assert len(graph) == len(set(graph))
    for path in graph:
        assert finders.find(path), path


def test_the_tag_preloads_the_imports_and_loads_the_entry_as_a_module():
    html = Template("{% module_script 'reading/main.js' %}").render(Context())
    assert html.endswith('<script type="module" src="/static/reading/main.js"></script>')
    assert '<link rel="modulepreload" href="/static/viewer/unshuffle.js">' in html
    assert 'href="/static/reading/main.js"' not in html
    assert html.count("modulepreload") == len(module_graph("reading/main.js")) - 1


@pytest.mark.parametrize("entry", ["coordinator/roi-editor.js", "coordinator/dashboard.js"])
def test_the_coordinator_pages_reach_the_shared_request_module(entry):
    graph = module_graph(entry)
    assert "base/http.js" in graph
    for path in graph:
        assert finders.find(path), path


def test_the_test_probes_attribute_is_written_only_when_the_setting_is_on(settings):
    template = Template('<div id="app"{% test_probes %}></div>')
    settings.FRONTEND_TEST_PROBES = True
    assert template.render(Context()) == '<div id="app" data-test-probes></div>'
    settings.FRONTEND_TEST_PROBES = False
    assert template.render(Context()) == '<div id="app"></div>'
