"""Benchmark: how fast a reader's images arrive, beside a static-file baseline from the same run.

For a 2 × 24 × 256² pair and a 2 × 60 × 512² pair of phantom volumes, a Python client loads a
task the way the viewer does (the assignment detail, each pane's middle slice first, then
requests of DEFAULT_CHUNK_BYTES decoded bytes outward (frontend/viewer/loadorder.js), as many in
flight per pane as the viewer keeps (DEFAULT_MAX_IN_FLIGHT in frontend/viewer/stack.js), both
panes at once) from a threaded Django server on loopback running in its own process, and decodes
every response (gunzip + unshuffle) like the browser. Figures:

- first paint: assignment detail + both middle slices decoded (target ≤ 150 ms);
- full pair: every slice of both panes decoded (target ≤ 1 s for the 512² pair);
- pixel endpoint overhead: the slice requests (from the assignment detail's arrival until every
  slice is decoded) against the baseline of the SAME bytes read from disk and sent as
  static files by the same server (WhiteNoise), same requests, same client work (target ≤ 2×);
- payload per slice against raw 16-bit (target ≤ 0.6×), per arm, for the encodings considered;
- bytes sent per arm for a whole task, before and after padding both arms to the same size
  (blinding), and what the padding costs in bandwidth;
- browser: page navigation until both 512² volumes are in the viewer (median of --repeat runs:
  cold server and browser, warm server with an empty browser cache, and the browser's own HTTP
  cache), and frame times (median < 16 ms) while scrolling and dragging W/L.

"cold" is a fresh server process, whose in-memory slice cache is empty (the first time anyone opens
the task, or after a restart), with the encoded slices that opening the study stored on disk
(reading/pixels/store.py); "not stored" is the same without those files (the background task has
not reached this series yet), so every slice is encoded on request; "warm" is the same task again
on the server of the "cold" run (the slices are in memory, as they are for the next task, which
the server loads while the reader reads the current one).

Run: ``.venv/bin/python -m bench.bench_viewer [--repeat N] [--no-browser] [--profile]
[--stack-js FILE]`` (``--profile`` needs pyinstrument on PYTHONPATH; it is not a project
dependency; ``--stack-js`` serves another stack.js to the browser, e.g. an older version from
``git show REV:frontend/viewer/stack.js``, to compare loaders in one run on the same machine).
Throwaway SQLite database and volume storage in a temporary directory; nothing else is touched.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import logging
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="readerstudy-bench-viewer-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "readerstudy.settings_test"
os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ["READERSTUDY_VAR_DIR"] = str(TMP)
os.environ["VOLUME_STORAGE_DIR"] = str(TMP / "volumes")
os.environ["UPLOAD_STORAGE_DIR"] = str(TMP / "uploads")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # playwright's loop in this thread

import django  # noqa: E402
import numpy as np  # noqa: E402

django.setup()
# The immediate task backend logs every task it runs (opening the study stores its slices).
logging.getLogger("django_tasks").setLevel(logging.WARNING)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import (  # noqa: E402
    ThreadedWSGIServer,
    WSGIRequestHandler,
    get_internal_wsgi_application,
)
from django.test import Client  # noqa: E402

TARGET_FIRST_PAINT_MS = 150
TARGET_FULL_512_MS = 1000
TARGET_OVERHEAD = 2.0
TARGET_PAYLOAD = 0.6
TARGET_FRAME_MS = 16
# Server states measured. Steady: a running server that has served pixels before, opening a
# task whose slices are on disk only ("cold": nobody opened it since the server started) or
# also in memory ("warm"). Transient, reported beside them: the first pixel load of a freshly
# started process ("restart"), and a task whose slices are not stored yet ("not stored": the
# background encoding after opening the study has not reached it), encoded on request.
STEADY = ("cold", "warm")
TRANSIENT = ("restart", "not stored")


def _viewer_constant(module: str, pattern: str) -> int:
    """A loader constant read from the viewer's own source, so the bench and it never drift."""
    source = (ROOT / "frontend" / "viewer" / module).read_text()
    expression = re.search(pattern, source).group(1)
    value = 1
    for factor in expression.split("*"):  # e.g. "3 * 1024 * 1024"
        value *= int(factor)
    return value


IN_FLIGHT = _viewer_constant("stack.js", r"DEFAULT_MAX_IN_FLIGHT = ([\d *]+);")
CHUNK_BYTES = _viewer_constant("loadorder.js", r"DEFAULT_CHUNK_BYTES = ([\d *]+);")


def chunk_slices(slice_bytes: int) -> int:
    """loadorder.js chunkSlices(): slices per background request."""
    return max(1, CHUNK_BYTES // max(1, slice_bytes))


SIZES = [("24 × 256²", 256, 24), ("60 × 512²", 512, 60)]
# Debian's chromium unless CHROMIUM_PATH names another build (never downloaded).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


# -- the server, in its own process -----------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # the benchmark prints its own figures
        pass


def _serve(pipe, stack_js: str | None = None) -> None:
    from readerstudy.reading.pixels.payload import slice_cache

    slice_cache.clear()  # forked from the bench process, whose cache the setup filled
    if stack_js is not None:
        # Served by this process in place of frontend/viewer/stack.js: WhiteNoise indexes the
        # finders' files when the app loads, and the first static dir that has a file wins.
        from django.contrib.staticfiles.finders import get_finder

        override = TMP / "stack-override"
        (override / "viewer").mkdir(parents=True, exist_ok=True)
        (override / "viewer" / "stack.js").write_text(stack_js)
        settings.STATICFILES_DIRS = [override, *settings.STATICFILES_DIRS]
        get_finder.cache_clear()
    server = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler)
    server.set_app(get_internal_wsgi_application())
    pipe.send(server.server_address[1])
    server.serve_forever()


class ServerProcess:
    """A threaded Django server on loopback in its own process (its own GIL, as in production).

    A fresh process starts with an empty encoded-slice cache: that is what "cold" measures.
    ``stack_js`` replaces the viewer's stack.js that this server sends (to compare loaders).
    """

    def __init__(self, stack_js: str | None = None):
        self.stack_js = stack_js

    def __enter__(self) -> int:
        from django.db import connections

        connections.close_all()  # no database connection may be shared across the fork
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, self.stack_js), daemon=True)
        self.process.start()
        ServerProcess.current = self.process.pid
        return parent.recv()

    current: int | None = None

    @staticmethod
    def cpu_ms() -> float:
        """CPU time the running server process has used (user + system), in ms; NaN off Linux.

        Other processes on the machine slow the wall-clock figures down; this one they barely
        touch, so it is the steadier way to compare server work between versions.
        """
        try:
            fields = Path(f"/proc/{ServerProcess.current}/stat").read_text().rsplit(")", 1)[1]
        except (OSError, TypeError):
            return float("nan")
        utime, stime = (int(v) for v in fields.split()[11:13])
        return (utime + stime) * 1000 / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.join(5)


# -- data ---------------------------------------------------------------------------------------


def _phantom(matrix: int, slices: int, seed: int) -> dict[str, np.ndarray]:
    from readerstudy.demo.phantom.cases import make_case

    case = make_case(seed, seed=seed, matrix=matrix, slices=slices)
    return {arm: case.volumes["T2W", arm] for arm in ("conventional", "enhanced")}


def build_study():
    """One open study, one sequence, a 256² and a 512² case; returns (study, reader, volumes)."""
    from readerstudy.imaging.models import PairCheck
    from readerstudy.reading.services import study_open
    from readerstudy.studies.models import Case
    from readerstudy.studies.services import site_add, study_create
    from tests.factories import add_reader, keep_criteria, keep_sequences, make_series

    study = study_create(slug="bench", title="Viewer benchmark")
    site = site_add(study=study, name="Bench site", exist_ok=True)
    (sequence,) = keep_sequences(study, ["T2W"])
    keep_criteria(study, ["overall_quality", "noise"])
    reader = add_reader(study, "bench-reader", site=site, password="bench-password-123")
    volumes = {}
    for index, (label, matrix, slices) in enumerate(SIZES):
        case = Case.objects.create(study=study, site=site, identifier=f"BENCH-{matrix}")
        volumes[label] = _phantom(matrix, slices, seed=index + 1)
        for number, (arm, volume) in enumerate(volumes[label].items()):
            make_series(case=case, sequence=sequence, arm=arm, volume=volume, number=number)
        PairCheck.objects.create(case=case, sequence=sequence, status="complete")
    study_open(study=study, seed=1)
    return study, reader, volumes


def load_order(n: int, chunk: int) -> list[tuple[int, int]]:
    """The viewer's request plan with no scrolling: middle slice, then chunks outward from it."""
    middle = (n - 1) // 2
    order, done = [(middle, middle + 1)], {middle}
    while len(done) < n:
        hit = next(
            s
            for d in range(n)
            for s in ([middle] if d == 0 else [middle + d, middle - d])
            if 0 <= s < n and s not in done
        )
        if hit >= middle:
            stop = hit + 1
            while stop - hit < chunk and stop < n and stop not in done:
                stop += 1
            span = (hit, stop)
        else:
            start = hit
            while hit + 1 - start < chunk and start - 1 >= 0 and start - 1 not in done:
                start -= 1
            span = (start, hit + 1)
        order.append(span)
        done.update(range(*span))
    return order


def stored_pixels(study, *, present: bool) -> None:
    """Store (as opening the study does) or remove every pane's encoded slices."""
    from readerstudy.reading.models import Pane
    from readerstudy.reading.pixels import store as pixel_store
    from readerstudy.reading.pixels.payload import STORED_ENCODING
    from readerstudy.reading.tasks import store_series_pixels

    series = {
        p.series for p in Pane.objects.filter(assignment__study=study).select_related("series")
    }
    if present:
        store_series_pixels([s.pk for s in series])
    else:
        for s in series:
            pixel_store.delete(s, STORED_ENCODING)


def plan_for(series) -> list[tuple[int, int]]:
    return load_order(series.slices, chunk_slices(series.rows * series.columns * 2))


def write_baseline_files(study, reader, client: Client) -> dict[str, int]:
    """Every response of each assignment, as the same bytes in files under STATIC_ROOT; returns
    the read order of each size's assignment.

    Written before any server starts: WhiteNoise indexes static files when the app loads.
    """
    from readerstudy.reading.models import Assignment
    from readerstudy.reading.pixels.payload import pixel_payload

    root = Path(settings.STATIC_ROOT) / "bench"
    read_orders = {}
    for assignment in Assignment.objects.filter(reader=reader).order_by("read_order"):
        panes = list(assignment.panes.select_related("series"))
        label = next(lbl for lbl, matrix, _ in SIZES if matrix == panes[0].series.rows)
        folder = root / f"assignment{assignment.read_order}"
        folder.mkdir(parents=True, exist_ok=True)
        for pane in panes:
            for start, stop in plan_for(pane.series):
                body = pixel_payload(pane.series, start, stop).body
                (folder / f"{pane.name}-{start}-{stop}.bin").write_bytes(body)
        detail = client.get(f"/api/reading/{study.slug}/assignments/{assignment.read_order}/")
        (folder / "detail.json").write_bytes(detail.content)
        read_orders[label] = assignment.read_order
    return read_orders


# -- the client: what the viewer does -----------------------------------------------------------


class Fetcher:
    def __init__(self, port: int, cookie: str):
        self.port = port
        self.headers = {"Cookie": cookie, "Accept-Encoding": "gzip", "Connection": "close"}

    def get(self, path: str) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers=self.headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"GET {path} answered {response.status}: {body[:200]!r}")
        return body


def decode(body: bytes, rows: int, cols: int, count: int, dtype: str) -> np.ndarray:
    """What the browser does with a payload: inflate, then undo the byte shuffle."""
    planes = np.frombuffer(gzip.decompress(body), np.uint8).reshape(count, 2, rows * cols)
    return (planes[:, 0].astype(np.uint16) | (planes[:, 1].astype(np.uint16) << 8)).view(dtype)


def load_task(fetcher: Fetcher, detail_path: str, url_for) -> dict[str, float]:
    """Load a task like the viewer; ``url_for(pane, start, stop)`` gives each request's path."""
    cpu0 = ServerProcess.cpu_ms()
    t0 = time.perf_counter()
    panes = json.loads(fetcher.get(detail_path))["panes"]
    t_pixels = time.perf_counter()
    first_done: dict[str, float] = {}
    lock = threading.Lock()

    def fetch(pane, span):
        body = fetcher.get(url_for(pane, *span))
        decode(body, pane["rows"], pane["columns"], span[1] - span[0], pane["dtype"])

    def pane_loader(pane):
        plan = load_order(pane["slices"], chunk_slices(pane["rows"] * pane["columns"] * 2))
        fetch(pane, plan[0])  # the middle slice alone, first
        with lock:
            first_done[pane["name"]] = time.perf_counter()
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            list(pool.map(lambda span: fetch(pane, span), plan[1:]))

    with ThreadPoolExecutor(max_workers=len(panes)) as pool:
        list(pool.map(pane_loader, panes))
    return {
        "first_ms": (max(first_done.values()) - t0) * 1000,
        "full_ms": (time.perf_counter() - t0) * 1000,
        "pixels_ms": (time.perf_counter() - t_pixels) * 1000,
        "server_cpu_ms": ServerProcess.cpu_ms() - cpu0,
    }


# -- figures ------------------------------------------------------------------------------------


def _median(values) -> float:
    return statistics.median(values) if values else float("nan")


def _verdict(value: float, target: float, strict: bool = False) -> str:
    return "ok" if (value < target if strict else value <= target) else "MISSED"


def server_figures(study, cookie: str, read_orders: dict[str, int], repeat: int) -> list[str]:
    def endpoint_url(pane, start, stop):
        return f"/api/reading/panes/{pane['token']}/slices?start={start}&stop={stop}"

    lines = []
    for label, _matrix, _slices in SIZES:
        read_order = read_orders[label]
        detail_path = f"/api/reading/{study.slug}/assignments/{read_order}/"

        def static_url(pane, start, stop, read_order=read_order):
            return f"/static/bench/assignment{read_order}/{pane['name']}-{start}-{stop}.bin"

        # Another task first: a server that has served pixels before (process warm-up, ≈30–40
        # ms the first time a process builds pixel responses, is not this task's cost).
        other = next(read_orders[other] for other, _, _ in SIZES if other != label)
        other_path = f"/api/reading/{study.slug}/assignments/{other}/"
        runs: dict[str, list[dict]] = {kind: [] for kind in TRANSIENT + STEADY + ("static",)}
        for _ in range(repeat):
            stored_pixels(study, present=False)
            with ServerProcess() as port:
                fetcher = Fetcher(port, cookie)
                fetcher.get("/api/reading/worklist")
                load_task(fetcher, other_path, endpoint_url)
                runs["not stored"].append(load_task(fetcher, detail_path, endpoint_url))
            stored_pixels(study, present=True)
            with ServerProcess() as port:
                fetcher = Fetcher(port, cookie)
                fetcher.get("/api/reading/worklist")  # Django warmed up, no pixels served yet
                runs["restart"].append(load_task(fetcher, detail_path, endpoint_url))
            with ServerProcess() as port:
                fetcher = Fetcher(port, cookie)
                fetcher.get("/api/reading/worklist")
                load_task(fetcher, other_path, endpoint_url)
                runs["cold"].append(load_task(fetcher, detail_path, endpoint_url))
                runs["warm"].append(load_task(fetcher, detail_path, endpoint_url))
                runs["static"].append(
                    load_task(
                        fetcher, f"/static/bench/assignment{read_order}/detail.json", static_url
                    )
                )
        median = {
            kind: {
                key: _median([r[key] for r in items])
                for key in ("first_ms", "full_ms", "pixels_ms", "server_cpu_ms")
            }
            for kind, items in runs.items()
        }
        static = median["static"]
        for kind in TRANSIENT + STEADY:
            f = median[kind]
            overhead = f["pixels_ms"] / static["pixels_ms"]
            whole = f["full_ms"] / static["full_ms"]
            full = f"full pair {f['full_ms']:6.1f} ms (static {static['full_ms']:6.1f} ms"
            if "512" in label:
                full += f", target ≤ {TARGET_FULL_512_MS}: "
                full += _verdict(f["full_ms"], TARGET_FULL_512_MS)
            lines.append(
                f"  {label} pair, {kind + (' (transient)' if kind in TRANSIENT else ''):22}: "
                f"first paint {f['first_ms']:5.1f} ms (static "
                f"{static['first_ms']:4.1f} ms, target ≤ {TARGET_FIRST_PAINT_MS}: "
                f"{_verdict(f['first_ms'], TARGET_FIRST_PAINT_MS)}) · {full}) · pixel endpoint "
                f"overhead {overhead:.2f}× [target ≤ {TARGET_OVERHEAD}×: "
                f"{_verdict(overhead, TARGET_OVERHEAD)}] · whole task (with the assignment detail) "
                f"{whole:.2f}× · server CPU "
                f"{f['server_cpu_ms']:.0f} ms (static {static['server_cpu_ms']:.0f} ms)"
            )
    return lines


def payload_figures(volumes) -> list[str]:
    """Bytes per slice against raw 16-bit, and encode time, for the encodings considered."""
    from readerstudy.reading.pixels.payload import (
        GZIP_LEVEL,
        GZIP_STRATEGY,
        encode_slice,
        shuffle_slices,
    )

    options = [
        ("chosen: shuffle + gzip-1 Z_RLE", True, GZIP_LEVEL, GZIP_STRATEGY),
        ("shuffle + gzip-1 default", True, 1, zlib.Z_DEFAULT_STRATEGY),
        ("shuffle + gzip-6 default", True, 6, zlib.Z_DEFAULT_STRATEGY),
        ("no shuffle, gzip-1 default", False, 1, zlib.Z_DEFAULT_STRATEGY),
    ]
    lines = []
    for label, arms in volumes.items():
        for arm, volume in arms.items():
            raw = volume[0].nbytes
            sample = range(0, volume.shape[0], max(1, volume.shape[0] // 8))
            for name, shuffle, level, strategy in options:
                sizes, times = [], []
                for index in sample:
                    plane = volume[index : index + 1]
                    data = shuffle_slices(plane) if shuffle else plane.tobytes()
                    start = time.perf_counter()
                    sizes.append(len(encode_slice(data, level, strategy).deflate))
                    times.append((time.perf_counter() - start) * 1000)
                ratio = sum(sizes) / (raw * len(sizes))
                verdict = f" [target ≤ {TARGET_PAYLOAD}: {_verdict(ratio, TARGET_PAYLOAD)}]"
                lines.append(
                    f"  {label} {arm:12} {name:30} {ratio:.3f} × raw, "
                    f"encode {_median(times):5.2f} ms/slice"
                    + (verdict if name.startswith("chosen") else "")
                )
    return lines


def padding_figures(study, reader) -> list[str]:
    """Bytes each arm sends for a whole task (the viewer's requests), before and after padding."""
    from readerstudy.reading.models import Assignment
    from readerstudy.reading.pixels.payload import encoded_slices, member_length, pixel_payload

    lines = []
    for assignment in Assignment.objects.filter(reader=reader).order_by("read_order"):
        panes = list(assignment.panes.select_related("series"))
        series = panes[0].series
        label = next(lbl for lbl, matrix, _ in SIZES if matrix == series.rows)
        raw = series.rows * series.columns * 2 * series.slices
        before, after = {}, {}
        for pane in panes:
            plan = plan_for(pane.series)
            arm = pane.series.arm
            before[arm] = sum(member_length(encoded_slices(pane.series, *span)) for span in plan)
            after[arm] = sum(len(pixel_payload(pane.series, *span).body) for span in plan)
        cost = sum(after.values()) / sum(before.values()) - 1
        arms = " · ".join(
            f"{arm} {before[arm] / raw:.3f} → {after[arm] / raw:.3f} × raw "
            f"({after[arm] / 1e6:.2f} MB)"
            for arm in ("conventional", "enhanced")
        )
        lines.append(f"  {label}: {arms} · pair +{cost * 100:.1f}% bytes")
    return lines


def _open_task(page, url: str) -> float:
    """Milliseconds from navigation to both volumes being in the viewer."""
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        "() => window.__readerstudyViewer && window.__readerstudyViewer.state().panes"
        ".every((p) => p.loaded === p.slices)",
        timeout=30000,
    )
    return (time.perf_counter() - start) * 1000


def _reader_page(browser, base: str, cookie: str):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    name, value = cookie.split("=", 1)
    context.add_cookies([{"name": name, "value": value, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/read/")  # a running server: Django warmed up
    return context, page


def browser_figures(
    cookie: str, study, read_order: int, repeat: int, stack_js: str | None = None
) -> list[str]:
    if not CHROMIUM.exists():
        return [f"  skipped: no browser at {CHROMIUM}"]
    from playwright.sync_api import sync_playwright

    loads: dict[str, list[float]] = {"cold": [], "warm server": [], "browser cache": []}
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for run_index in range(repeat):
            with ServerProcess(stack_js) as port:
                base = f"http://127.0.0.1:{port}"
                url = f"{base}/read/{study.slug}/{read_order}/"
                # cold: empty pixel cache on the server, empty browser cache.
                context, page = _reader_page(browser, base, cookie)
                loads["cold"].append(_open_task(page, url))
                # warm server: slices encoded, but a fresh browser (another reader's view).
                other, other_page = _reader_page(browser, base, cookie)
                loads["warm server"].append(_open_task(other_page, url))
                other.close()
                # The same browser again: pixel responses come from its HTTP cache.
                loads["browser cache"].append(_open_task(page, url))
                if run_index == repeat - 1:
                    lines += _frame_figures(page)
                context.close()
        browser.close()
    in_flight = "substituted stack.js" if stack_js is not None else f"{IN_FLIGHT} in flight"
    summary = [
        f"  page navigation until both volumes are in the viewer ({in_flight}/pane), "
        f"median of {repeat}:"
    ]
    for kind, values in loads.items():
        if values:
            summary.append(
                f"    {kind:13} {_median(values):6.0f} ms "
                f"(min {min(values):.0f}, max {max(values):.0f})"
            )
    return summary + lines


def _frame_figures(page) -> list[str]:
    lines = []
    for mode in ("scroll", "window"):
        result = page.evaluate(
            f"() => window.__readerstudyViewer.bench({{frames: 120, mode: '{mode}'}})"
        )
        lines.append(
            f"  synchronous {mode:6} frame (render + read-back): median "
            f"{result['median']:.2f} ms, p95 {result['p95']:.2f} ms [target median < "
            f"{TARGET_FRAME_MS} ms: {_verdict(result['median'], TARGET_FRAME_MS, True)}]"
        )
    box = page.locator("#reading-app canvas").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for mode in ("scroll", "W/L drag"):
        page.evaluate("() => window.__readerstudyViewer.resetStats()")
        page.mouse.move(x, y)
        if mode == "scroll":
            for i in range(90):
                page.mouse.wheel(0, 100 if (i // 30) % 2 == 0 else -100)
                page.wait_for_timeout(8)
        else:
            page.mouse.down()
            for i in range(90):
                page.mouse.move(x + (i % 40) * 4, y + (i % 25) * 3)
                page.wait_for_timeout(8)
            page.mouse.up()
        page.wait_for_timeout(100)
        stats = page.evaluate("() => window.__readerstudyViewer.stats()")
        if stats.get("median") is None:
            lines.append(f"  interactive {mode}: no frames recorded")
            continue
        interval = stats.get("intervalMedian")
        lines.append(
            f"  interactive {mode:8} ({len(stats['frames'])} frames): work median "
            f"{stats['median']:.2f} ms, p95 {stats['p95']:.2f} ms"
            + (f", frame interval median {interval:.1f} ms" if interval else "")
            + f" [target median < {TARGET_FRAME_MS} ms: "
            f"{_verdict(stats['median'], TARGET_FRAME_MS, True)}]"
        )
    return lines


def profile_server(client: Client, study, read_order: int) -> str:
    """pyinstrument over the server side of one cold 512² task load, run in this thread."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "  (--profile needs pyinstrument on PYTHONPATH; it is not a project dependency)"
    from readerstudy.reading.pixels.payload import slice_cache

    slice_cache.clear()
    detail = client.get(f"/api/reading/{study.slug}/assignments/{read_order}/").json()
    profiler = Profiler(async_mode="disabled")
    profiler.start()
    for pane in detail["panes"]:
        for start, stop in load_order(
            pane["slices"], chunk_slices(pane["rows"] * pane["columns"] * 2)
        ):
            client.get(f"/api/reading/panes/{pane['token']}/slices?start={start}&stop={stop}")
    profiler.stop()
    out = TMP / "profile-512-cold-server.txt"
    out.write_text(profiler.output_text(unicode=True, color=False))
    return f"  profile of the server side of a cold 512² load: {out}"


def run(repeat: int, browser: bool, profile: bool, stack_js: str | None = None) -> int:
    print(f"Viewer benchmark (throwaway data in {TMP})")
    call_command("migrate", verbosity=0, interactive=False)
    settings.READING_PIXEL_PREWARM = False  # cold and warm are measured explicitly
    started = time.perf_counter()
    study, reader, volumes = build_study()
    client = Client()
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    read_orders = write_baseline_files(study, reader, client)
    print(f"  phantom study built in {time.perf_counter() - started:.1f} s")

    print(f"\nServer on loopback, median of {repeat}; the client decodes every slice:")
    for line in server_figures(study, cookie, read_orders, repeat):
        print(line)
    if profile:
        print(profile_server(client, study, read_orders["60 × 512²"]))

    print("\nPayload per slice (phantom T2W, Rician noise) against raw 16-bit:")
    for line in payload_figures(volumes):
        print(line)
    print("\nBytes per arm for a whole task, unpadded → padded to the pair's larger arm:")
    for line in padding_figures(study, reader):
        print(line)

    if browser:
        print("\nBrowser (headless chromium, 60 × 512² pair):")
        source = Path(stack_js).read_text() if stack_js else None
        for line in browser_figures(cookie, study, read_orders["60 × 512²"], repeat, source):
            print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--profile", action="store_true", help="pyinstrument a cold 512² load")
    parser.add_argument(
        "--stack-js", help="serve this file as the viewer's stack.js (compare loaders)"
    )
    args = parser.parse_args(argv)
    return run(
        args.repeat, browser=not args.no_browser, profile=args.profile, stack_js=args.stack_js
    )


if __name__ == "__main__":
    sys.exit(main())
