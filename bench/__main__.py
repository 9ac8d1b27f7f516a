"""Run every ``bench/bench_*.py`` module's ``main()`` in turn: ``python -m bench [NAME ...]``.

Each benchmark runs in its own Python process, because each configures Django (its own
throwaway database and storage) when it is imported. Exit status: non-zero if any failed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def modules() -> list[str]:
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    chosen = argv or modules()
    unknown = [name for name in chosen if name not in modules()]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(modules())}")
        return 2
    failed = []
    for name in chosen:
        print(f"== {name} ==", flush=True)
        code = f"import sys, bench.{name} as m; sys.exit(m.main([]))"
        result = subprocess.run([sys.executable, "-c", code], cwd=HERE.parent, check=False)
        if result.returncode != 0:
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"Benchmarks that failed or missed their target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
