"""The leak crawl: log in as a reader and fetch everything they can reach; nothing may leak.

The study is imported through the real import path (``import_dicom``) from phantom DICOM whose
enhanced series carry every tell in ``phantom_dicom.ENHANCED_TELLS``; a second run uses the test
factories, which plant tell strings in provenance headers, UIDs, storage keys and case
identifiers. The crawler follows every link, form action, data-*-url and JSON URL it
finds, fetches every pane's pixels, saves and submits answers (those responses are reachable
too), and scans bodies, headers and URLs for: arm names, DL tell strings, series ids, UIDs,
storage keys, series descriptions, case identifiers, and other readers' names or data.
"""

from __future__ import annotations

import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from readerstudy.imaging.models import Series, SeriesProvenance
from readerstudy.middleware import IdleSessionTimeoutMiddleware
from readerstudy.reading.models import Assignment, Pane
from readerstudy.reading.services import draft_save, study_open
from readerstudy.studies.models import Case, Study
from tests.conftest import PASSWORD
from tests.factories import TELL_KEY_MARK, TELL_STRINGS, TELL_UID_ROOT, add_cases, add_reader

OTHER_READER = "quillon-second-reader"
OTHER_COMMENT = "QUILLON-PRIVATE-COMMENT"
# Case-insensitive words that name an arm; case-sensitive tell tokens checked separately.
ARM_WORDS = re.compile(r"(?i)\b(conventional|enhanced|enhancement|denois\w*|deep[ -]?learning)\b")
DL_WORD = re.compile(r"(?<![A-Za-z0-9])DL(?![A-Za-z0-9])")
SERIES_KEYS = {"series", "series_id", "seriesid", "arm", "uid", "series_uid", "storage_key"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in ("href", "src", "action") or name.endswith("-url")):
                self.urls.append(value)


def _header_strings(value) -> set[str]:
    """Every distinctive text in a provenance header record (long, not just digits)."""
    if isinstance(value, dict):
        return set().union(*(_header_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_header_strings(v) for v in value)) if value else set()
    text = str(value).strip()
    # Short numbers (positions, spacings) could match a reader-facing number by chance; UIDs
    # are numbers too, but long.
    numeric = text.lstrip("+-").replace(".", "").replace("e", "").replace(" ", "").isdigit()
    return {text} if len(text) >= 8 and not (numeric and len(text) < 16) else set()


def _forbidden_strings(study: Study, reader) -> list[str]:
    """Exact strings that must never reach this reader."""
    from readerstudy.demo.phantom import dicom as phantom_dicom

    out: set[str] = set()
    for value in TELL_STRINGS.values():
        out.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    out.update({TELL_UID_ROOT, TELL_KEY_MARK})
    out.update(
        {
            phantom_dicom.DL_SOFTWARE,
            phantom_dicom.PRIVATE_CREATOR,
            phantom_dicom.ENHANCED_UID_ROOT,
            phantom_dicom.CONVENTIONAL_UID_ROOT,
            phantom_dicom.DL_PROTOCOL_SUFFIX,
        }
    )
    for series in Series.objects.filter(case__study=study):
        out.update({series.storage_key, series.storage_key.rsplit("/", 1)[-1], series.series_uid})
    for provenance in SeriesProvenance.objects.filter(series__case__study=study):
        for key in ("SeriesDescription", "SeriesInstanceUID", "StudyInstanceUID", "ProtocolName"):
            if provenance.headers.get(key):
                out.add(str(provenance.headers[key]))
        out.update(_header_strings(provenance.headers))
        if provenance.source:
            out.add(provenance.source)
    for case in Case.objects.filter(study=study):
        out.add(case.identifier)
        out.add(case.identifier.split("-SwiftMR")[0])
    for pane in Pane.objects.filter(assignment__study=study).exclude(assignment__reader=reader):
        out.add(pane.token)
    out.update({OTHER_READER, OTHER_COMMENT, "alice"})
    # Strings too short to search for safely (e.g. numbers) are covered by the key checks.
    return sorted(s for s in out if len(s) >= 5)


def _json_problems(data, series_ids: set[int], path="$") -> list[str]:
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).lower() in SERIES_KEYS:
                problems.append(f"{path}.{key} is a series field")
            if str(key).lower() in ("id", "pk") and value in series_ids:
                problems.append(f"{path}.{key} = {value} is a series id")
            problems += _json_problems(value, series_ids, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += _json_problems(value, series_ids, f"{path}[{index}]")
    return problems


class Crawler:
    def __init__(self, client: Client, forbidden: list[str], series_ids: set[int]):
        self.client = client
        self.forbidden = forbidden
        self.series_ids = series_ids
        self.seen: set[str] = set()
        self.queue: deque[str] = deque()
        self.leaks: list[str] = []
        self.fetched: list[str] = []
        self.pixels: dict[str, object] = {}  # pixel URL → its response, for the size check

    def scan_text(self, where: str, text: str, *, words: bool = True) -> None:
        for needle in self.forbidden:
            if needle in text:
                self.leaks.append(f"{where}: contains {needle!r}")
        if words:
            for pattern in (ARM_WORDS, DL_WORD):
                match = pattern.search(text)
                if match:
                    context = text[max(0, match.start() - 40) : match.end() + 40]
                    self.leaks.append(f"{where}: word {match.group(0)!r} in …{context}…")

    def scan_response(self, url: str, response, *, body: bool = True) -> None:
        self.scan_text(f"URL {url}", url)
        for name, value in response.items():
            if name.lower() in ("set-cookie", "content-security-policy"):
                continue
            self.scan_text(f"{url} header {name}", f"{name}: {value}")
        content_type = response.get("Content-Type", "")
        if "/slices" in url and response.status_code == 200:
            self.pixels[url] = response
        if not body or "octet-stream" in content_type:
            return
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        text = raw.decode("utf-8", "replace")
        is_static = url.startswith("/static/")
        self.scan_text(url, text, words=not is_static)
        if "json" in content_type:
            data = json.loads(text)
            self.leaks += [f"{url}: {p}" for p in _json_problems(data, self.series_ids)]
            self.enqueue_json(url, data)
        elif "html" in content_type:
            parser = _Links()
            parser.feed(text)
            for link in parser.urls:
                self.enqueue(urljoin(url, link))

    def enqueue_json(self, base: str, data) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key == "token" and isinstance(value, str):
                    self.enqueue(f"/api/reading/panes/{value}/slices")
                    self.enqueue(f"/api/reading/panes/{value}/slices?start=0&stop=1")
                self.enqueue_json(base, value)
        elif isinstance(data, list):
            for value in data:
                self.enqueue_json(base, value)
        elif isinstance(data, str) and data.startswith("/"):
            self.enqueue(urljoin(base, data))

    def enqueue(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.netloc and parts.netloc not in ("testserver",):
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/") or path in self.seen:
            return
        if path.startswith(("/accounts/logout", "/admin")):
            return
        if path.endswith("/reopen"):  # a POST-only form; fetched by GET it only says 405
            return
        self.seen.add(path)
        self.queue.append(path)

    def run(self, starts: list[str], limit: int = 2000) -> None:
        for url in starts:
            self.enqueue(url)
        while self.queue and len(self.fetched) < limit:
            url = self.queue.popleft()
            response = self.client.get(url)
            self.fetched.append(url)
            if response.status_code in (301, 302):
                self.enqueue(response["Location"])
            self.scan_response(url, response)


def pixel_size_problems(responses: dict[str, object]) -> list[str]:
    """Pixel responses for the same case × sequence × range must not tell the arms apart.

    ``responses`` maps pixel URLs (``/api/reading/panes/<token>/slices?...``) to responses. The
    two arms' responses for the same range (panes A and B of a side-by-side task, or the two
    single-pane tasks of the sequential design) must have the same body length and the very
    same headers, names and values.
    """
    groups: dict[tuple, list[tuple[str, str, object]]] = {}
    for url, response in responses.items():
        parts = urlsplit(url)
        token = parts.path.split("/")[-2]
        series = Pane.objects.select_related("series").get(token=token).series
        key = (series.case_id, series.sequence_id, parts.query)
        groups.setdefault(key, []).append((url, series.arm, response))
    problems = []
    for members in groups.values():
        if sorted(arm for _, arm, _ in members) != ["conventional", "enhanced"]:
            problems.append(f"{[u for u, _, _ in members]}: not one response per arm")
            continue
        (url_a, _, a), (url_b, _, b) = members
        if len(a.content) != len(b.content):
            problems.append(f"{url_a} is {len(a.content)} bytes, {url_b} {len(b.content)}")
        if dict(a.items()) != dict(b.items()):
            problems.append(f"{url_a} and {url_b} differ in headers: {a.items()} vs {b.items()}")
    return problems


def _import_phantom(study: Study, root, *, matrix: int = 32, slices: int = 3) -> None:
    """Two phantom cases written as DICOM (with every DL tell) and imported for real."""
    from readerstudy.demo.phantom.dicom import write_study_dicom
    from readerstudy.imaging.services.intake import import_dicom

    manifest = write_study_dicom(
        root,
        cases=[("GLI-0001", "NYU"), ("GLI-0002", "SNUH")],
        seed=5,
        matrix=matrix,
        slices=slices,
    )
    report = import_dicom(study=study, path=root, manifest=manifest)
    assert len(report.imported) == 12, report.summary()


def _build(study: Study, design: str, source: str, root, **phantom) -> tuple[Study, object]:
    study.title = "Brain MRI image quality"
    study.description = "Rate each image."
    study.design = design
    study.washout_days = 0
    study.ask_preference = design == Study.Design.SIDE_BY_SIDE
    study.save()
    if source == "import":
        _import_phantom(study, root, **phantom)
    else:
        add_cases(study, 2, tells=True, shape=(3, 12, 12))
    other = add_reader(study, OTHER_READER, password=PASSWORD)
    study_open(study=study, seed=11)
    study.refresh_from_db()
    # The other reader has written something private.
    theirs = Assignment.objects.get(reader=other, read_order=1)
    draft_save(assignment=theirs, scores={"A": {"noise": 2}}, comment=OTHER_COMMENT)
    return study, other


@pytest.mark.parametrize(
    ("design", "source"),
    [
        (Study.Design.SIDE_BY_SIDE, "import"),
        (Study.Design.SEQUENTIAL, "import"),
        (Study.Design.SIDE_BY_SIDE, "factories"),
    ],
)
def test_nothing_a_reader_can_reach_gives_the_arm_or_others_data_away(
    study, bob, design, source, tmp_path, monkeypatch
):
    # why: the idle-timeout stamp is written at most once a minute, so a slow run could add a
    # Set-Cookie to one pixel response and not to its pair; that is time, not arm, but the
    # size check compares every header.
    monkeypatch.setattr(IdleSessionTimeoutMiddleware, "WRITE_EVERY_SECONDS", 10**9)
    study, _ = _build(study, design, source, tmp_path)
    client = Client()
    login = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert login.status_code == 302, "bob could not log in through the form"
    forbidden = _forbidden_strings(study, bob)
    series_ids = set(Series.objects.values_list("pk", flat=True))
    crawler = Crawler(client, forbidden, series_ids)
    crawler.run(["/", "/read/", "/api/reading/worklist", f"/api/reading/{study.slug}/assignments"])

    # The reachable writes: a draft, a refused submit, a submit, a repeated submit, a 409.
    criteria = list(study.criteria.values_list("key", flat=True))
    for assignment in Assignment.objects.filter(reader=bob).order_by("read_order"):
        base = f"/api/reading/{study.slug}/assignments/{assignment.read_order}"
        names = list(assignment.panes.values_list("name", flat=True))
        full = {name: dict.fromkeys(criteria, 3) for name in names}
        calls = [
            ("put", "/draft", {"scores": {names[0]: {criteria[0]: 4}}, "comment": "ok"}),
            ("post", "/submit", {"scores": {names[0]: {criteria[0]: 4}}}),
            ("put", "/draft", {"scores": {"Z": {"x": 9}}}),
            ("post", "/submit", {"scores": full}),
            ("post", "/submit", {"scores": full}),
            ("put", "/draft", {"scores": full}),
        ]
        for method, suffix, payload in calls:
            response = getattr(client, method)(
                base + suffix, json.dumps(payload), content_type="application/json"
            )
            assert response.status_code < 500
            crawler.scan_response(base + suffix, response)
    # After the writes, the pages and worklists change (submitted lists, next links): again.
    crawler.seen.clear()
    crawler.run(["/", "/read/", f"/read/{study.slug}/", "/api/reading/worklist"])

    tasks = Assignment.objects.filter(reader=bob).count()
    pages = {u for u in crawler.fetched if re.fullmatch(rf"/read/{study.slug}/\d+/", u)}
    details = {u for u in crawler.fetched if re.fullmatch(r"/api/reading/.+/assignments/\d+/", u)}
    pixel_urls = {u for u in crawler.fetched if "/slices" in u}
    assert len(pages) == tasks and len(details) == tasks
    panes = Pane.objects.filter(assignment__reader=bob).count()
    assert len(pixel_urls) == 2 * panes
    assert any(u.startswith("/static/reading/main.js") for u in crawler.fetched)
    assert crawler.leaks == [], "\n".join(crawler.leaks[:40])
    # Transfer sizes would give the arm away too (DL compresses better): same size, same headers.
    assert set(crawler.pixels) == pixel_urls
    size_problems = pixel_size_problems(crawler.pixels)
    assert size_problems == [], "\n".join(size_problems[:20])


def test_the_crawler_would_catch_a_leak(study, bob, tmp_path):
    """Guard against a crawler that sees nothing: plant leaks in a fake response and scan it."""
    study, _ = _build(study, Study.Design.SIDE_BY_SIDE, "import", tmp_path)
    series = Series.objects.filter(case__study=study, arm="enhanced").first()
    headers = series.provenance.headers
    assert headers["SeriesDescription"].endswith(" DL")
    crawler = Crawler(Client(), _forbidden_strings(study, bob), {series.pk})
    planted_strings = (
        series.storage_key,
        series.series_uid,
        "the enhanced one",
        "AX T2 DL",
        headers["SeriesDescription"],
        headers["ImageComments"],
        "DeepRecon 2.1",
        "GLI-0001",
    )
    for planted in planted_strings:
        crawler.leaks.clear()
        crawler.scan_text("fake", f"<p>{planted}</p>")
        assert crawler.leaks, planted
    assert _json_problems({"panes": [{"series_id": 3}]}, set())
    assert _json_problems({"x": {"id": series.pk}}, {series.pk})
