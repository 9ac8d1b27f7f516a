"""The coordinator draws ROIs in a real browser (Debian's chromium, live server): an ellipse by
dragging and a polygon by clicks and a double-click; both are saved and listed with numbers."""

from __future__ import annotations

import pytest

from readerstudy.imaging.models import ROI
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from tests.factories import add_cases, keep_sequences

pytestmark = pytest.mark.browser


@pytest.fixture
def roi_case(transactional_db, study, alice):
    alice.set_password(PASSWORD)
    alice.save()
    keep_sequences(study, ["T2W"])
    return add_cases(study, 1, shape=(5, 64, 64))[0]


def _screen(page, x: float, y: float) -> tuple[float, float]:
    point = page.evaluate("([x, y]) => window.__roiEditor.toScreen(x, y)", [x, y])
    return point["x"], point["y"]


def test_a_coordinator_draws_an_ellipse_and_a_polygon_and_sees_them_saved(page, roi_case):
    url = f"/studies/glioma/cases/{roi_case.pk}/rois/T2W/"
    log_in(page, "alice", PASSWORD, next_url=url)
    page.wait_for_function("() => window.__roiEditor && window.__roiEditor.state().drawnFrames > 0")
    slice_index = page.evaluate("() => window.__roiEditor.state().slice")

    # Ellipse: drag a box from image pixel (20, 24) to (40, 40).
    page.mouse.move(*_screen(page, 20, 24))
    page.mouse.down()
    page.mouse.move(*_screen(page, 30, 30), steps=4)
    page.mouse.move(*_screen(page, 40, 40), steps=4)
    page.mouse.up()
    page.wait_for_selector("#roi-table tbody tr")
    assert "Saved the white matter ROI" in page.inner_text("[data-status]")
    ellipse = ROI.objects.get()
    assert (ellipse.label, ellipse.shape, ellipse.slice_index) == (
        "white_matter",
        "ellipse",
        slice_index,
    )
    (cx, cy), (rx, ry) = ellipse.points
    assert cx == pytest.approx(30, abs=0.5) and cy == pytest.approx(32, abs=0.5)
    assert rx == pytest.approx(10, abs=0.5) and ry == pytest.approx(8, abs=0.5)
    row = page.inner_text("#roi-table tbody tr")
    assert f"{slice_index + 1}\tWhite matter\tellipse" in row and "±" in row

    # Polygon: pick the tool and the label, click three corners, double-click to close.
    page.check("input[name=tool][value=polygon]")
    page.select_option("select[name=label]", "lesion")
    for x, y in [(8, 8), (20, 8), (14, 18)]:
        page.mouse.click(*_screen(page, x, y))
    page.mouse.dblclick(*_screen(page, 14, 18))
    page.wait_for_function("() => window.__roiEditor.state().rois === 2")
    polygon = ROI.objects.get(shape="polygon")
    assert polygon.label == "lesion" and len(polygon.points) == 3
    assert polygon.points[0] == [pytest.approx(8, abs=0.5), pytest.approx(8, abs=0.5)]
    assert page.locator("#roi-table tbody tr").count() == 2
    assert page.js_errors == []
