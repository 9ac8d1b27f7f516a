"""Benchmark: importing compressed single-file series beside a bare pydicom decode of them.

A realistic PACS export is mostly compressed single-file series. The set is built from the MR
files inside the pydicom wheel (JPEG 2000 lossless, JPEG-LS lossless, RLE, and the native
original), each copied as ``--copies`` series with new UIDs (pixel data untouched). The import
runs as the CLI does (manifest by series_uid, volumes and provenance stored, pair checks,
audit); the baseline, over the same files in the same run, is ``dcmread(path).pixel_array``.
Target: import time <= 1.3 x baseline. The fixed per-series costs (storing, header JSON, pair
checks, hash) dominate with such small series, which is what this measures.

Run: ``.venv/bin/python -m bench.bench_import_compressed [--copies N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 1.3
VARIANTS = [
    "MR_small_jp2klossless.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "MR_small_RLE.dcm",
    "MR_small.dcm",
]


def _build(folder: Path, copies: int) -> tuple[list[Path], Path]:
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    folder.mkdir(parents=True)
    files, rows = [], ["case,site,sequence,arm,series_uid"]
    arms = ["conventional", "enhanced"]
    number = 0
    for copy in range(copies):
        for name in VARIANTS:
            ds = pydicom.dcmread(get_testdata_file(name, download=False))
            ds.SeriesInstanceUID = generate_uid()
            ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
            path = folder / f"S{copy:03d}_{name}"
            ds.save_as(path)
            files.append(path)
            sequence = ["T2W", "FLAIR", "T1CE"][(number // 2) % 3]
            case = f"K{number // 6:03d}"
            rows.append(f"{case},NYU,{sequence},{arms[number % 2]},{ds.SeriesInstanceUID}")
            number += 1
    manifest = folder.parent / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n")
    return files, manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="readerstudy-bench-") as tmp:
        from bench.bench_import import _baseline, _import, _setup_django

        _setup_django(Path(tmp))
        files, manifest = _build(Path(tmp) / "export", args.copies)
        for path in files:
            path.read_bytes()  # page cache, as for the baseline
        baseline = min(_baseline(files) for _ in range(args.repeat))
        timings = []
        for run in range(args.repeat):
            seconds, report = _import(Path(tmp) / "export", manifest, f"bench-c{run}")
            assert len(report.imported) == len(files), report.as_text()
            timings.append(seconds)
        best = min(timings)
        ratio = best / baseline
        print(
            json.dumps(
                {
                    "series": len(files),
                    "syntaxes": VARIANTS,
                    "baseline_s": round(baseline, 3),
                    "import_s": round(best, 3),
                    "ratio": round(ratio, 2),
                    "target": TARGET_RATIO,
                    "ms_per_series": round(1000 * best / len(files), 1),
                },
                indent=2,
            )
        )
        time.sleep(0)
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
