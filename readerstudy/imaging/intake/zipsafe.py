"""Extracting an uploaded zip without trusting it.

Everything is checked from the central directory BEFORE anything is written: absolute paths,
``..`` entries, symbolic links, encrypted entries, and the summed uncompressed size against
``settings.MAX_ZIP_UNCOMPRESSED_BYTES`` (a zip bomb is refused without inflating a byte). While
extracting, the bytes actually written are counted too, because the declared sizes can lie.

A zip whose central directory cannot be read is refused whole, naming it. An entry whose data
is damaged (bad CRC, corrupt deflate stream, cut short) is skipped with its reason, and the
other entries are extracted: one bad file does not lose the rest.
"""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
import zlib
from pathlib import Path

CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


class ZipRejected(Exception):
    """The zip is refused as a whole; the message names the entry and the reason."""


def human_size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"  # pragma: no cover


def _check_entry(info: zipfile.ZipInfo) -> None:
    name = info.filename
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise ZipRejected(f"The zip is rejected: entry '{name}' has an absolute path.")
    if ".." in name.replace("\\", "/").split("/"):
        raise ZipRejected(
            f"The zip is rejected: entry '{name}' contains '..' and would be written outside "
            "the import folder."
        )
    if "\x00" in name:
        raise ZipRejected(f"The zip is rejected: entry {name!r} has a NUL byte in its name.")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise ZipRejected(f"The zip is rejected: entry '{name}' is a symbolic link.")
    if info.flag_bits & 0x1:
        raise ZipRejected(f"The zip is rejected: entry '{name}' is encrypted.")


def zip_check(archive: zipfile.ZipFile, *, max_bytes: int) -> int:
    """Check every entry and the total uncompressed size; return that size."""
    total = 0
    for info in archive.infolist():
        _check_entry(info)
        total += info.file_size
    if total > max_bytes:
        raise ZipRejected(
            f"The zip is rejected: its files would take {human_size(total)} uncompressed, more "
            f"than the limit of {human_size(max_bytes)}. Nothing was extracted."
        )
    return total


_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError)


def zip_extract_safely(
    path: str | Path,
    destination: str | Path,
    *,
    max_bytes: int,
    damaged: list[dict] | None = None,
) -> int:
    """Extract the zip at ``path`` into ``destination`` after checking it; return the file count.

    Raises ``ZipRejected`` with the reason; a partial extraction is removed. Damaged entries are
    skipped and appended to ``damaged`` as {"file", "reason"} (the import reports them).
    """
    destination = Path(destination).resolve()
    name = Path(path).name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, *_DAMAGED):
        raise ZipRejected(f"The upload '{name}' is not a valid zip file.") from None
    with archive:
        zip_check(archive, max_bytes=max_bytes)
        written = 0
        count = 0
        try:
            for info in archive.infolist():
                target = (destination / info.filename.replace("\\", "/")).resolve()
                if not target.is_relative_to(destination):  # belt and braces after the check
                    raise ZipRejected(
                        f"The zip is rejected: entry '{info.filename}' points outside the folder."
                    )
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    written += _extract_entry(archive, info, target, max_bytes - written)
                except _DAMAGED as error:
                    target.unlink(missing_ok=True)
                    if damaged is not None:
                        damaged.append(
                            {
                                "file": info.filename,
                                "reason": f"damaged in the zip '{name}', skipped "
                                f"({type(error).__name__}: {str(error)[:120]})",
                            }
                        )
                    continue
                count += 1
        except ZipRejected:
            _empty(destination)
            raise
        except OSError as error:
            _empty(destination)
            raise ZipRejected(f"The zip '{name}' cannot be extracted ({error}).") from None
    return count


def _extract_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, room: int):
    """Write one entry, counting what it really inflates to; return the bytes written."""
    entry_bytes = 0
    with archive.open(info) as source, open(target, "wb") as sink:
        while chunk := source.read(CHUNK):
            entry_bytes += len(chunk)
            if entry_bytes > info.file_size or entry_bytes > room:
                raise ZipRejected(
                    f"The zip is rejected: entry '{info.filename}' inflates to more "
                    "than its declared size."
                )
            sink.write(chunk)
    return entry_bytes


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
