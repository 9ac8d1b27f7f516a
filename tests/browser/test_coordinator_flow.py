"""The coordinator's whole day in a real browser (Debian's chromium, live server):

sign in → create a study from the template → upload a DICOM zip and watch the import → invite a
reader, who sets a password from the one-time link → assign → open → the reader submits a task →
the dashboard shows it without a reload → download the ratings CSV, whose rows match the database.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from readerstudy.demo.phantom.dicom import write_study_dicom
from readerstudy.reading.models import Rating
from readerstudy.studies.models import Study
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://[^\s]+/accounts/invite/[^\s]+/")
READER_PASSWORD = "a long passphrase for reading"


def _demo_zip(folder: Path) -> tuple[Path, Path]:
    """Two phantom cases at a tiny matrix, zipped like a hospital export, and their manifest."""
    source = folder / "export"
    manifest = write_study_dicom(
        source, cases=[("P001", "NYU"), ("P002", "SNUH")], seed=5, matrix=64, slices=6
    )
    archive = folder / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(source.rglob("*.dcm")):
            zipped.write(path, path.relative_to(source).as_posix())
    return archive, manifest


def test_a_coordinator_runs_a_study_from_setup_to_export(
    browser, live_server, transactional_db, alice, tmp_path, mailoutbox, settings
):
    settings.READING_PIXEL_PREWARM = False
    archive, manifest = _demo_zip(tmp_path)
    coordinator = browser.new_context(
        viewport={"width": 1500, "height": 900}, base_url=live_server.url, accept_downloads=True
    )
    page = coordinator.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # alice coordinates nothing yet here: an administrator gave her the right to create studies.
    from django.contrib.auth.models import Permission

    alice.user_permissions.add(Permission.objects.get(codename="add_study"))
    log_in(page, "alice", PASSWORD, next_url="/studies/new/")

    # Create a study from the template.
    page.fill("input[name=slug]", "browser-glioma")
    page.select_option("select[name=template]", "glioma_dl_template")
    page.click("main button[type=submit]")
    page.wait_for_url("**/studies/browser-glioma/")
    assert "Import cases" in page.inner_text("#open-check")
    study = Study.objects.get(slug="browser-glioma")
    assert study.criteria.count() == 7

    # Import the zip by upload and follow the import to its report.
    page.click("#import-link")
    page.wait_for_url("**/imports/new/")
    page.set_input_files("input[name=upload]", str(archive))
    page.set_input_files("input[name=manifest]", str(manifest))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    page.wait_for_selector("#import-report", timeout=60_000)
    assert "Series imported" in page.inner_text("#import-report")
    assert study.cases.count() == 2

    # The case list shows both arms' previews, served to the coordinator only.
    page.goto("/studies/browser-glioma/cases/")
    thumbs = page.locator("#case-table img")
    assert thumbs.count() == 2 * 3 * 2
    page.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        timeout=15_000,
    )

    # Invite a reader onto a site; the one-time link arrives by email.
    page.goto("/studies/browser-glioma/people/")
    page.fill("#invite input[name=email]", "reader@nyu.example")
    page.fill("#invite input[name=username]", "reader1")
    page.select_option("#invite select[name=role]", "reader")
    page.select_option("#invite select[name=site]", label="NYU")
    page.click("#invite button[type=submit]")
    page.wait_for_selector("tr[data-user=reader1]")
    link = LINK.search(mailoutbox[-1].body).group(0)

    reader = browser.new_context(viewport={"width": 1500, "height": 900}, base_url=live_server.url)
    reader_page = reader.new_page()
    reader_page.goto(link)
    reader_page.fill("input[name=new_password1]", READER_PASSWORD)
    reader_page.fill("input[name=new_password2]", READER_PASSWORD)
    reader_page.click("main button[type=submit]")
    reader_page.wait_for_url(f"{live_server.url}/")

    # Assign (fully crossed), check the workload, open.
    page.goto("/studies/browser-glioma/plan/")
    page.click("#plan-crossed")
    page.wait_for_selector("#workload tr[data-user=reader1]")
    assert page.inner_text("#workload tr[data-user=reader1]").split("\t")[2:] == ["2", "6", "84"]
    page.goto("/studies/browser-glioma/")
    page.click("#open-study")
    page.wait_for_url("**/studies/browser-glioma/progress/")
    page.wait_for_function("() => document.getElementById('totals').dataset.done === '0'")
    assert "0 of 6 tasks done" in page.inner_text("#totals")
    page.evaluate("() => { window.__notReloaded = true; }")

    # The reader submits their first task through the reading API, from their own session.
    result = reader_page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const detail = await (await fetch('/api/reading/browser-glioma/assignments/1/')).json();
            const scores = {};
            for (const pane of detail.panes) {
              scores[pane.name] = {};
              for (const c of detail.criteria) scores[pane.name][c.key] = 4;
            }
            const response = await fetch('/api/reading/browser-glioma/assignments/1/submit', {
              method: 'POST',
              headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
              body: JSON.stringify({scores, comment: '', preference: null,
                                    active_seconds: 42.0, revision: detail.assignment.revision}),
            });
            return {status: response.status, body: await response.json()};
        }"""
    )
    assert result["status"] == 200, result
    assert result["body"]["status"] == "submitted"

    # The dashboard moves without a reload.
    page.wait_for_function(
        "() => document.getElementById('totals').dataset.done === '1'", timeout=20_000
    )
    assert page.evaluate("() => window.__notReloaded === true")
    assert "1 of 6 tasks done" in page.inner_text("#totals")
    assert page.locator("#completion-chart path.line").count() == 1
    assert page.locator("#readers-by-site tr[data-user=reader1]").count() == 1

    # Download the ratings CSV; its rows are the database's ratings.
    with page.expect_download() as download:
        page.click("#export-ratings-csv")
    content = Path(download.value.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    ratings = Rating.objects.filter(assignment__study=study).select_related(
        "assignment__task__case", "assignment__task__sequence", "series", "criterion", "pane"
    )
    expected = {
        (
            "reader1",
            r.assignment.task.case.identifier,
            r.assignment.task.sequence.key,
            r.series.arm,
            r.criterion.key,
            r.pane.name,
            str(r.score),
        )
        for r in ratings
    }
    exported = {
        (r["reader"], r["case"], r["sequence"], r["arm"], r["criterion"], r["pane"], r["score"])
        for r in rows
    }
    assert len(rows) == len(expected) == 2 * 7
    assert exported == expected
    assert {r["reader_site"] for r in rows} == {"NYU"}
    assert not errors, errors
    reader.close()
    coordinator.close()
