"""Finding the files of an import and reading their headers (the first, pixel-free pass)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from readerstudy.imaging.dicom.header import FileSkipped, SliceHeader
from readerstudy.imaging.dicom.read import read_file_headers
from readerstudy.imaging.intake.zipsafe import zip_extract_safely

Progress = Callable[[int, int, str], None]
STAGE_READING = "Reading files"
STAGE_IMPORTING = "Importing series"


class SourceMissing(Exception):
    """The import path does not exist or is not a folder, zip or file."""


@contextlib.contextmanager
def import_root(path: Path) -> Iterator[tuple[Path, list[Path]]]:
    """The folder to import from and its files; a zip is checked and extracted to a temp folder."""
    if path.is_dir():
        yield path, list_files(path)
        return
    if not path.is_file():
        raise SourceMissing(f"'{path}' does not exist.")
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        folder = Path(tempfile.mkdtemp(prefix="readerstudy-import-"))
        try:
            zip_extract_safely(path, folder, max_bytes=settings.MAX_ZIP_UNCOMPRESSED_BYTES)
            yield folder, list_files(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    yield path.parent, [path]


def list_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` in a stable order (links are not followed)."""
    files = []
    for folder, directories, names in os.walk(root):
        directories.sort()
        files.extend(Path(folder) / name for name in sorted(names))
    return [f for f in files if f.is_file() and not f.is_symlink()]


def scan_headers(
    root: Path, files: list[Path], *, progress: Progress | None = None
) -> tuple[list[SliceHeader], list[dict]]:
    """Slice headers of every DICOM image among ``files``, and the files skipped with reasons."""
    slices: list[SliceHeader] = []
    skipped: list[dict] = []
    total = len(files)
    for done, file in enumerate(files, start=1):
        name = file.relative_to(root).as_posix()
        try:
            slices.extend(read_file_headers(str(file), name))
        except FileSkipped as reason:
            skipped.append({"file": name, "reason": str(reason)})
        except OSError as error:
            skipped.append({"file": name, "reason": f"cannot be read ({error.strerror})"})
        if progress is not None:
            progress(done, total, STAGE_READING)
    return slices, skipped
