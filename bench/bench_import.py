"""Benchmark: DICOM import throughput beside a bare-pydicom baseline, and peak memory vs size.

Phantom series (``phantom_dicom.write_study_dicom``: uncompressed explicit VR little endian,
one file per slice) are imported with ``import_dicom`` into a fresh study, the way the CLI does
it (manifest, volumes written to storage, provenance, pair checks, audit). The baseline, measured
in the same run over the same files, is ``pydicom.dcmread(path).pixel_array`` per file and
nothing else. Both read from the page cache (the files are read once before timing).
Target: import time <= 1.5 x baseline.

Peak RSS (``ru_maxrss``) of a process that imports 10 series and of one that imports 100 series
shows that memory does not grow with the number of series: they are streamed one at a time.

Run: ``.venv/bin/python -m bench.bench_import [--series N] [--matrix M] [--slices S]
[--repeat R] [--no-rss] [--profile]`` (``--profile`` needs pyinstrument, not a project
dependency). Throwaway SQLite database and storage in a temporary folder; nothing else is touched.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 1.5
SITES = ("NYU", "Severance", "SNUH")


def _setup_django(tmp: Path) -> None:
    """Settings pointed at a throwaway SQLite database and storage under ``tmp``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "readerstudy.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DEBUG"] = "False"
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["READERSTUDY_VAR_DIR"] = str(tmp)
    os.environ["VOLUME_STORAGE_DIR"] = str(tmp / "volumes")
    os.environ["UPLOAD_STORAGE_DIR"] = str(tmp / "uploads")
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _write_phantom(folder: Path, *, series: int, matrix: int, slices: int) -> Path:
    from readerstudy.demo.phantom.dicom import write_study_dicom

    cases = [(f"B{n:03d}", SITES[n % 3]) for n in range(math.ceil(series / 6))]
    return write_study_dicom(folder, cases=cases, seed=7, matrix=matrix, slices=slices)


def _subset(source: Path, target: Path, count: int) -> Path:
    """The first ``count`` series of the phantom folder, hard-linked (no copying)."""
    lines = (source / "manifest.csv").read_text().splitlines()
    header, rows = lines[0], lines[1 : count + 1]
    path_column = header.split(",").index("path")
    for row in rows:
        relative = row.split(",")[path_column]
        (target / relative).mkdir(parents=True, exist_ok=True)
        for file in (source / relative).iterdir():
            os.link(file, target / relative / file.name)
    (target / "manifest.csv").write_text("\n".join([header, *rows]) + "\n")
    return target / "manifest.csv"


def _dicom_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.dcm"))


def _baseline(files: list[Path]) -> float:
    import pydicom

    start = time.perf_counter()
    for file in files:
        pydicom.dcmread(file).pixel_array  # noqa: B018 - decoding is what is measured
    return time.perf_counter() - start


def _import(folder: Path, manifest: Path, slug: str) -> tuple[float, object]:
    from readerstudy.imaging.services.intake import import_dicom
    from readerstudy.studies.services import study_create

    study = study_create(slug=slug, title=slug)
    start = time.perf_counter()
    report = import_dicom(study=study, path=folder, manifest=manifest)
    return time.perf_counter() - start, report


def _peak_kb() -> int:
    """Peak RSS of this process in KB.

    On Linux, ``ru_maxrss`` of a child carries over the parent's peak across fork+exec, so the
    kernel's per-process high-water mark (VmHWM) is read instead when it is there.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _rss_child(folder: str, manifest: str) -> int:
    """Runs in its own process: import, then print the peak RSS as JSON."""
    tmp = Path(tempfile.mkdtemp(prefix="readerstudy-bench-rss-"))
    try:
        _setup_django(tmp)
        from readerstudy.imaging import services  # noqa: F401 - count the code, not the data

        before = _peak_kb()
        seconds, report = _import(Path(folder), Path(manifest), "rss")
        result = {
            "peak_kb": _peak_kb(),
            "before_kb": before,
            "seconds": seconds,
            "series": len(report.imported),
        }
        print(json.dumps(result))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _peak_rss(folder: Path, manifest: Path) -> dict:
    code = (
        "import sys, bench.bench_import as b; "
        f"sys.exit(b.main(['--rss-child', {str(folder)!r}, {str(manifest)!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _profile(folder: Path, manifest: Path) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("--profile needs pyinstrument (.venv/bin/pip install pyinstrument)")
        return
    profiler = Profiler()
    profiler.start()
    _import(folder, manifest, "profile")
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100, help="series (default 100)")
    parser.add_argument("--matrix", type=int, default=256)
    parser.add_argument("--slices", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=2, help="runs; the best is reported")
    parser.add_argument("--no-rss", action="store_true", help="skip the 10/100-series RSS runs")
    parser.add_argument("--profile", action="store_true", help="profile one import")
    parser.add_argument("--rss-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        return _rss_child(*args.rss_child)

    tmp = Path(tempfile.mkdtemp(prefix="readerstudy-bench-import-"))
    try:
        _setup_django(tmp)
        print(
            f"Writing {args.series} phantom series ({args.matrix}×{args.matrix}×{args.slices})…",
            flush=True,
        )
        data = tmp / "dicom"
        manifest = _write_phantom(data, series=args.series, matrix=args.matrix, slices=args.slices)
        files = _dicom_files(data)
        megabytes = sum(f.stat().st_size for f in files) / 1e6
        for file in files:  # warm the page cache for both contenders
            file.read_bytes()

        baseline = min(_baseline(files) for _ in range(args.repeat))
        runs = [_import(data, manifest, f"bench-{n}") for n in range(args.repeat)]
        imported = min(seconds for seconds, _ in runs)
        series = len(runs[0][1].imported)
        ratio = imported / baseline
        if args.profile:
            _profile(data, manifest)

        print(
            f"{series} series, {len(files)} files, {megabytes:.1f} MB "
            f"(explicit VR little endian, {args.matrix}×{args.matrix}×{args.slices})"
        )
        print(f"  {'':<40} {'seconds':>8} {'files/s':>9} {'MB/s':>7}")
        for name, seconds in (
            ("baseline: dcmread + pixel_array", baseline),
            ("import_dicom (store, provenance, pairs)", imported),
        ):
            print(
                f"  {name:<40} {seconds:8.2f} {len(files) / seconds:9.0f} "
                f"{megabytes / seconds:7.1f}"
            )
        verdict = "within" if ratio <= TARGET_RATIO else "OVER"
        print(f"import / baseline: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})")

        flat = True
        if not args.no_rss:
            peaks = {}
            for count in (10, 100):
                folder = tmp / f"subset-{count}"
                subset_manifest = _subset(data, folder, count)
                if count > series:
                    print(f"(only {series} series written; the {count}-series run has them all)")
                peaks[count] = _peak_rss(folder, subset_manifest)
            growth = (peaks[100]["peak_kb"] - peaks[10]["peak_kb"]) / 1024
            for peak in peaks.values():
                print(
                    f"peak RSS importing {peak['series']:>3} series: "
                    f"{peak['peak_kb'] / 1024:6.0f} MB ({peak['before_kb'] / 1024:.0f} MB before "
                    f"the import: Python, Django, numpy, pydicom; {peak['seconds']:.1f} s)"
                )
            # One series' pixels (plus its converted copy) is the most the import should add.
            allowance = 2 * args.matrix * args.matrix * args.slices * 2 / 2**20 + 16
            flat = growth <= allowance
            print(
                f"growth from 10 to 100 series: {growth:+.0f} MB "
                f"({'flat' if flat else 'GROWS'}; allowance {allowance:.0f} MB)"
            )
        return 0 if ratio <= TARGET_RATIO and flat else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
