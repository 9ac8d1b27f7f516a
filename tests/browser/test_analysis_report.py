"""The coordinator's Analysis page in a real browser (Debian's chromium, live server): run the
analysis, see the report in its sandboxed frame, open it on its own, and keep a screenshot.

The report has its own Content-Security-Policy (inline styles, no scripts); the test checks that
its styles apply, that nothing is blocked, that every table and the SVG figures render in order,
and that the MRMC table and forest plots, the non-inferiority CIs against the margin and the
power table are there and readable.
"""

from __future__ import annotations

import re

import pytest

from readerstudy.analysis.models import AnalysisRun
from readerstudy.analysis.services import analysis_run
from tests.analysis.django_builders import CRITERIA, SEQUENCES, build_scored_study
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PAGE = "/studies/glioma/analysis/"
TABLES = [
    "Table 1. Cohort by site",
    "Table 2. SNR and CNR",
    *(f"Table 3 ({sequence})." for sequence in SEQUENCES),
    "Table 4. Mean score difference (enhanced − conventional), readers and cases random",
    "Table 5. MRMC per reader",
    "Table 6. Non-inferiority: MRMC mean difference",
    "Table 7. Secondary model, readers fixed",
    "Table 8. Inter-reader agreement",
    "Table 9. Weighted Cohen's kappa per reader pair",
    "Table 10. Intraclass correlation, six forms",
    "Table 11. Power of the next study",
    "Table 12. Power grid",
]


@pytest.fixture
def csp_reports(page):
    """Console messages about anything the Content-Security-Policy blocked."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return blocked


def test_the_coordinator_runs_the_analysis_and_reads_the_report(
    page, csp_reports, transactional_db, study, tmp_path
):
    build_scored_study(study)
    log_in(page, "alice", PASSWORD, next_url=PAGE)

    page.fill("input[name=margin]", "0.5")
    page.select_option("select[name=adjust]", "holm")
    page.click("#run-analysis")
    page.wait_for_url(f"**{PAGE}")

    run = AnalysisRun.objects.get()
    assert run.status == "done", run.error
    # The report shows inside the page, in a sandboxed frame the site may embed.
    frame = page.frame_locator("iframe.report-frame")
    assert frame.locator("caption").first.inner_text() == "Table 1. Cohort by site"
    assert page.locator("iframe.report-frame").get_attribute("sandbox") == ""
    assert page.locator("#analysis-downloads a", has_text="results.json").count() == 1

    page.screenshot(path=str(tmp_path / "analysis-page.png"))

    page.goto(f"{PAGE}runs/{run.pk}/report/")
    for summary in page.locator("summary").all():  # folded tables, opened as a reader would
        summary.click()
    captions = page.locator("caption").all_inner_texts()
    assert len(captions) == len(TABLES), captions
    for caption, expected in zip(captions, TABLES, strict=True):
        assert caption.startswith(expected), (caption, expected)
    numbers = [
        int(text.split(".")[0].removeprefix("Figure "))
        for text in page.locator("figcaption").all_inner_texts()
    ]
    assert numbers == list(range(1, len(numbers) + 1))  # figures numbered in order
    box = page.locator("figure svg").first.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50
    # The report's inline stylesheet applied: its own policy lets inline styles through.
    assert page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse") == (
        "collapse"
    )

    # MRMC: one row per sequence x criterion, with its CI, and a forest plot per sequence.
    mrmc = page.locator("#mrmc table").first
    assert mrmc.locator("tbody tr").count() == len(SEQUENCES) * len(CRITERIA)
    first = mrmc.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[:2] == ["T2-weighted", "Overall image quality"]
    assert re.fullmatch(r"-?\d\.\d\d \(-?\d\.\d\d to -?\d\.\d\d\)", first[4]), first
    forests = page.locator("#mrmc figure svg")
    assert forests.count() == len(SEQUENCES)
    forest_box = forests.first.bounding_box()
    assert forest_box["width"] > 300 and forest_box["height"] > 100
    assert forests.first.locator("text", has_text="Overall image quality").count() == 1
    assert forests.first.locator("polygon").count() == len(CRITERIA)  # the pooled diamonds

    # Non-inferiority: the CI against -margin, in the table and in the plot.
    rows = page.locator("#noninferiority table tbody tr")
    assert rows.count() == len(SEQUENCES)  # motion artifact is the study's NI criterion
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[1] == "Motion artifact" and cells[3] == "−0.5"
    assert cells[7] in ("non-inferior", "non-inferior before adjustment only", "not shown")
    figure = page.locator("#noninferiority figure svg")
    assert figure.locator("text", has_text="−margin (-0.5)").count() == 1
    assert figure.locator("line[stroke-dasharray]").count() == 1

    # Power: one row per family, the smallest designs for 80% and 90%.
    power = page.locator("#power table").first
    assert power.locator("caption").inner_text().startswith("Table 11. Power of the next study")
    assert power.locator("tbody tr").count() == len(SEQUENCES) * len(CRITERIA)
    design = power.locator("tbody tr").first.locator("td").all_inner_texts()[4]
    assert re.fullmatch(r"\d+ × \d+ \(0\.\d\d\)|not reached", design), design

    screenshot = tmp_path / "analysis-report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000
    assert not csp_reports, csp_reports
    assert not page.js_errors, page.js_errors


def test_the_page_follows_a_running_analysis_until_it_ends(page, transactional_db, study, alice):
    build_scored_study(study, cases=4, rois=False)
    analysis_run(study=study, actor=alice)
    running = AnalysisRun.objects.create(
        study=study, margin=0.5, status="running", stage="Computing statistics", progress=20
    )
    log_in(page, "alice", PASSWORD, next_url=PAGE)

    assert page.locator("#analysis-progress [data-stage]").inner_text() == "Computing statistics"
    assert page.locator("#run-analysis").is_disabled()
    # The earlier run's report stays readable meanwhile.
    assert page.locator("iframe.report-frame").count() == 1

    AnalysisRun.objects.filter(pk=running.pk).update(
        status="failed", error="The analysis could not run: a test said so.", progress=20
    )

    page.locator("#analysis-error").wait_for(timeout=10_000)
    assert re.search("a test said so", page.locator("#analysis-error").inner_text())
    assert page.locator("#run-analysis").is_enabled()
    assert not page.js_errors, page.js_errors
