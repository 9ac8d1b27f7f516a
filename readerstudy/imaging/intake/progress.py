"""A progress bar for command-line imports: one bar per stage (reading files, importing series)."""

from __future__ import annotations

import sys

from tqdm import tqdm


class TqdmProgress:
    """A progress bar on stderr that restarts for each stage (reading files, importing series)."""

    def __init__(self, stream=None, disable: bool = False):
        self.stream = stream or sys.stderr
        self.disable = disable
        self.bar: tqdm | None = None
        self.stage = ""

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.bar is None or stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(
                total=total, desc=stage, unit="", file=self.stream, disable=self.disable
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
