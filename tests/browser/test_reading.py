"""A reader's session in a real browser: log in, read, scroll, window, score, submit, resume."""

from __future__ import annotations

import pytest

from readerstudy.reading.models import Assignment, Rating
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

# Sum, spread and count of non-black pixels of every pane canvas (read back from the canvas).
CANVAS_PIXELS = """() => [...document.querySelectorAll('#reading-app canvas')].map((c) => {
  const ctx = c.getContext('2d');
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  let sum = 0, lit = 0, min = 255, max = 0;
  for (let i = 0; i < data.length; i += 4) {
    const v = data[i];
    sum += v; if (v > 0) lit++; if (v < min) min = v; if (v > max) max = v;
  }
  return {sum, lit, min, max, width: c.width, height: c.height};
})"""
LOADED = """() => {
  const v = window.__readerstudyViewer;
  return !!v && v.state().panes.every((p) => p.loaded === p.slices);
}"""
SLICES = "() => window.__readerstudyViewer.state().panes.map((p) => p.slice)"
COUNTERS = "() => [...document.querySelectorAll('.rs-pane__slice')].map((e) => e.textContent)"


def open_first_assignment(page, study):
    log_in(page)
    page.click("a.button.continue")
    page.wait_for_url(f"**/read/{study.slug}/1/")
    page.wait_for_function(LOADED, timeout=15000)
    # One animation frame after the last slice landed, so the canvases are painted.
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def canvas_center(page, index: int):
    box = page.locator("#reading-app canvas").nth(index).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_both_panes_show_pixels_after_logging_in_and_opening_the_next_assignment(
    page, reading_study
):
    open_first_assignment(page, reading_study)
    pixels = page.evaluate(CANVAS_PIXELS)
    assert len(pixels) == 2
    for pane in pixels:
        assert pane["width"] > 0 and pane["height"] > 0
        assert pane["lit"] > 0.05 * pane["width"] * pane["height"], pane
        assert pane["max"] > pane["min"], pane
    labels = page.locator(".rs-pane__name").all_text_contents()
    assert labels == ["A", "B"]
    assert page.js_errors == []


def test_scrolling_moves_the_slice_in_both_panes(page, reading_study):
    open_first_assignment(page, reading_study)
    start = page.evaluate(SLICES)
    counters = page.evaluate(COUNTERS)
    assert start[0] == start[1] == 4  # the middle slice of 9 comes first
    assert counters == ["5/9", "5/9"]
    x, y = canvas_center(page, 0)
    page.mouse.move(x, y)
    page.mouse.wheel(0, 120)
    page.wait_for_function(f"() => ({SLICES})()[0] !== 4")
    after_wheel = page.evaluate(SLICES)
    assert after_wheel[0] == after_wheel[1] > 4
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"() => ({SLICES})()[0] === {after_wheel[0] + 1}")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    counters = page.evaluate(COUNTERS)
    assert counters[0] == counters[1] == f"{after_wheel[0] + 2}/9"
    page.keyboard.press("Home")
    page.wait_for_function(f"() => ({SLICES})().every((s) => s === 0)")


def test_dragging_window_level_changes_the_pixels_in_both_panes(page, reading_study):
    open_first_assignment(page, reading_study)
    before = page.evaluate(CANVAS_PIXELS)
    windows = page.evaluate(
        "() => window.__readerstudyViewer.state().panes.map((p) => [p.center, p.width])"
    )
    x, y = canvas_center(page, 0)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(x + 10 * step, y + 6 * step)
    page.mouse.up()
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    after = page.evaluate(CANVAS_PIXELS)
    moved = page.evaluate(
        "() => window.__readerstudyViewer.state().panes.map((p) => [p.center, p.width])"
    )
    for index in (0, 1):
        assert moved[index] != windows[index], "window/level did not change in a pane"
        assert after[index]["sum"] != before[index]["sum"], "pixels did not change in a pane"


def test_scoring_every_criterion_by_keyboard_and_enter_submits_and_opens_the_next_assignment(
    page, reading_study, bob
):
    open_first_assignment(page, reading_study)
    criteria = reading_study.criteria.count()
    # Focus starts on the first unset cell and moves on after every digit: A/B per criterion.
    for digit in ["4", "3"] * criteria:
        page.keyboard.press(digit)
    state = page.evaluate("() => window.__readerstudyReading.state()")
    assert all(len(scores) == criteria for scores in state["scores"].values())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/read/{reading_study.slug}/2/")
    assignment = Assignment.objects.get(reader=bob, read_order=1)
    assert assignment.status == Assignment.Status.SUBMITTED
    scores = sorted(Rating.objects.filter(assignment=assignment).values_list("pane__name", "score"))
    assert scores == [("A", 4)] * criteria + [("B", 3)] * criteria
    assert assignment.active_seconds > 0
    assert page.js_errors == []


def test_a_reload_mid_assignment_finds_the_draft_intact(page, reading_study, bob):
    open_first_assignment(page, reading_study)
    for digit in ["5", "2", "4"]:
        page.keyboard.press(digit)
    typed = page.evaluate("() => window.__readerstudyReading.state().scores")
    page.wait_for_function(
        "() => window.__readerstudyReading.state().status === 'saved'", timeout=10000
    )
    assignment = Assignment.objects.get(reader=bob, read_order=1)
    assert assignment.status == Assignment.Status.DRAFT
    page.reload()
    page.wait_for_function("() => !!window.__readerstudyReading")
    resumed = page.evaluate("() => window.__readerstudyReading.state().scores")
    assert resumed == typed
    assert sum(len(v) for v in resumed.values()) == 3
    stored: dict = {}
    for name, key, score in Rating.objects.filter(assignment=assignment).values_list(
        "pane__name", "criterion__key", "score"
    ):
        stored.setdefault(name, {})[key] = score
    assert stored == {name: scores for name, scores in typed.items() if scores}
    assert page.js_errors == []


def test_the_page_preloads_its_modules_and_fetches_the_assignment_detail_once(page, reading_study):
    """The assignment detail is preloaded with the page and reused by main.js (not fetched twice),
    and every module of the reading page is listed for preloading."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    open_first_assignment(page, reading_study)
    detail = f"/api/reading/{reading_study.slug}/assignments/1/"
    assert len([url for url in requests if url.endswith(detail)]) == 1
    preloaded = page.eval_on_selector_all(
        "link[rel=modulepreload]", "(links) => links.map((l) => new URL(l.href).pathname)"
    )
    loaded = page.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
        ".filter((p) => p.endsWith('.js'))"
    )
    assert set(loaded) - {"/static/reading/main.js"} == set(preloaded)
    assert page.js_errors == []


def test_without_test_probes_the_page_exposes_no_hooks_and_reads_as_usual(
    page, reading_study, bob, settings
):
    settings.FRONTEND_TEST_PROBES = False
    log_in(page)
    page.click("a.button.continue")
    page.wait_for_url(f"**/read/{reading_study.slug}/1/")
    page.wait_for_function(
        "() => { const bars = document.querySelectorAll('#reading-app .rs-pane__progress');"
        " return bars.length === 2 && [...bars].every((b) => b.hidden); }",
        timeout=15000,
    )
    hooks = page.evaluate(
        "() => ['__readerstudyViewer', '__readerstudyReading'].filter((name) => name in window)"
    )
    assert hooks == []
    criteria = reading_study.criteria.count()
    for digit in ["4", "3"] * criteria:
        page.keyboard.press(digit)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/read/{reading_study.slug}/2/")
    assignment = Assignment.objects.get(reader=bob, read_order=1)
    assert assignment.status == Assignment.Status.SUBMITTED
    assert Rating.objects.filter(assignment=assignment).count() == 2 * criteria
    assert page.js_errors == []
