"""Private work folders of an import (an extracted zip, a copied upload, the inbox's files).

A killed import cannot clean up after itself, so every folder is named after its owning process
and records that process's identity. The next import, and every worker start, removes folders
whose owner is no longer alive. Age says nothing (an import of 40,000 files runs for hours);
only whether the owner still runs does.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)
PREFIX = "readerstudy-import-"
OWNER = "owner.json"


def work_root() -> Path:
    root = Path(settings.IMPORT_WORK_DIR or tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    return root


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (tells a reused pid apart), None where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22, counted after the command name


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    if start is not None:
        current = _start_time(pid)
        if current is not None and current != start:
            return False  # the pid was reused by a newer process
    return True


def _owner(folder: Path) -> tuple[str, int, str | None] | None:
    """(host, pid, start) of a work folder, from its owner file or, while that is being
    written, from its name."""
    try:
        data = json.loads((folder / OWNER).read_text())
        return str(data["host"]), int(data["pid"]), data.get("start")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        pid = int(folder.name.removeprefix(PREFIX).split("-", 1)[0])
    except ValueError:
        return None
    return socket.gethostname(), pid, None


def stale_work_folders_remove() -> list[str]:
    """Remove the work folders of processes on this host that are no longer alive."""
    removed = []
    host = socket.gethostname()
    for folder in work_root().glob(PREFIX + "*"):
        if not folder.is_dir() or folder.is_symlink():
            continue
        owner = _owner(folder)
        if owner is None or owner[0] != host or _alive(owner[1], owner[2]):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder.name)
        logger.info("Removed the work folder %s of a stopped import (pid %s)", folder, owner[1])
    return removed


@contextlib.contextmanager
def work_folder() -> Iterator[Path]:
    """A private, empty folder for one import, removed afterwards, or by the next import if
    this process is killed before it can."""
    stale_work_folders_remove()
    pid = os.getpid()
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{pid}-", dir=work_root()))
    owner = {"host": socket.gethostname(), "pid": pid, "start": _start_time(pid)}
    (folder / OWNER).write_text(json.dumps(owner))
    files = folder / "files"
    files.mkdir()
    try:
        yield files
    finally:
        shutil.rmtree(folder, ignore_errors=True)
