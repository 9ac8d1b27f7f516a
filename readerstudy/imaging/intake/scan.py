"""Finding the files of an import and reading their headers (the first, pixel-free pass)."""

from __future__ import annotations

import contextlib
import logging
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from readerstudy.imaging.dicom.header import FileSkipped, SliceHeader, corrupt
from readerstudy.imaging.dicom.read import describe_error, read_file_headers
from readerstudy.imaging.intake.workdir import work_folder
from readerstudy.imaging.intake.zipsafe import zip_extract_safely

logger = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]
STAGE_READING = "Reading files"
STAGE_IMPORTING = "Importing series"


class SourceMissing(Exception):
    """The import path does not exist or is not a folder, zip or file."""


@contextlib.contextmanager
def import_root(path: Path, damaged: list[dict] | None = None) -> Iterator[tuple[Path, list[Path]]]:
    """The folder to import from and its files; a zip is checked and extracted to a work folder.

    Damaged zip entries are skipped and listed in ``damaged``.
    """
    if path.is_dir():
        yield path, list_files(path)
        return
    if not path.is_file():
        raise SourceMissing(f"'{path}' does not exist.")
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        with work_folder() as folder:
            zip_extract_safely(
                path, folder, max_bytes=settings.MAX_ZIP_UNCOMPRESSED_BYTES, damaged=damaged
            )
            yield folder, list_files(folder)
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
        except Exception as error:  # no file may stop the import; its reason is reported
            logger.debug("Reading %s failed", name, exc_info=True)
            skipped.append({"file": name, "reason": corrupt(describe_error(error))})
        if progress is not None:
            progress(done, total, STAGE_READING)
    return slices, skipped
