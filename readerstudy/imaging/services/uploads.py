"""Resumable chunked uploads of big zips: each chunk is a short request, so no worker timeout or
dropped connection loses a multi-GB upload, and a resumed upload continues where it stopped.

State lives in the uploads storage only (``storages["default"]``; object storage later), as
``chunked/<study>/<id>/meta.json`` plus one object per chunk named by its offset. The offset an
upload has reached is the sum of its contiguous chunks, so a chunk that was cut off mid-request
is simply sent again.
"""

from __future__ import annotations

import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

CHUNK_BYTES = 8 * 1024 * 1024  # what the page sends; the server takes up to twice that
MAX_CHUNK_BYTES = 2 * CHUNK_BYTES
ROOT = "chunked"


class UploadError(Exception):
    """The chunk or upload is refused; ``offset`` is where the upload really is, if known."""

    def __init__(self, message: str, offset: int | None = None):
        super().__init__(message)
        self.offset = offset


@dataclass
class ChunkedUpload:
    id: str
    study_id: int
    name: str
    size: int
    offset: int

    @property
    def complete(self) -> bool:
        return self.offset == self.size


def _folder(study_id: int, upload_id: str) -> str:
    if not upload_id.replace("-", "").replace("_", "").isalnum():
        raise UploadError("There is no such upload.")
    return f"{ROOT}/{study_id}/{upload_id}"


def _chunk_names(folder: str) -> list[str]:
    try:
        names = default_storage.listdir(folder)[1]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(n for n in names if n.endswith(".part"))


def upload_start(*, study_id: int, name: str, size: int) -> ChunkedUpload:
    """Start an upload of ``size`` bytes named ``name``."""
    if size <= 0:
        raise UploadError("The file is empty.")
    if size > settings.MAX_UPLOAD_BYTES:
        raise UploadError(
            f"The file is {size} bytes, more than the {settings.MAX_UPLOAD_BYTES} accepted."
        )
    upload_id = secrets.token_urlsafe(18)
    meta = {"name": Path(name).name[:255] or "upload.zip", "size": size}
    default_storage.save(f"{_folder(study_id, upload_id)}/meta.json", ContentFile(json.dumps(meta)))
    return ChunkedUpload(upload_id, study_id, meta["name"], size, 0)


def upload_get(*, study_id: int, upload_id: str) -> ChunkedUpload:
    folder = _folder(study_id, upload_id)
    try:
        with default_storage.open(f"{folder}/meta.json") as handle:
            meta = json.loads(handle.read())
    except (FileNotFoundError, OSError, ValueError):
        raise UploadError("There is no such upload.") from None
    offset = 0
    for name in _chunk_names(folder):
        start = int(name.removesuffix(".part"))
        if start != offset:
            break
        offset += default_storage.size(f"{folder}/{name}")
    return ChunkedUpload(upload_id, study_id, meta["name"], int(meta["size"]), offset)


def upload_chunk(*, study_id: int, upload_id: str, offset: int, data: bytes) -> ChunkedUpload:
    """Append ``data`` at ``offset``; a wrong offset is refused with the real one."""
    upload = upload_get(study_id=study_id, upload_id=upload_id)
    if offset != upload.offset:
        raise UploadError(f"The upload is at byte {upload.offset}, not {offset}.", upload.offset)
    if not data:
        raise UploadError("The chunk is empty.", upload.offset)
    if len(data) > MAX_CHUNK_BYTES or offset + len(data) > upload.size:
        raise UploadError("The chunk is too large.", upload.offset)
    name = f"{_folder(study_id, upload_id)}/{offset:016d}.part"
    default_storage.save(name, ContentFile(data))
    upload.offset += len(data)
    return upload


def upload_chunk_names(upload: ChunkedUpload) -> list[str]:
    folder = _folder(upload.study_id, upload.id)
    return [f"{folder}/{name}" for name in _chunk_names(folder)]


def upload_chunks_join(names: list[str], target: Path) -> None:
    """Write the chunks, in order, into one local file (for the import task)."""
    with open(target, "wb") as sink:
        for name in names:
            with default_storage.open(name, "rb") as source:
                shutil.copyfileobj(source, sink, 1024 * 1024)


def upload_chunks_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
    if names:
        default_storage.delete(names[0].rsplit("/", 1)[0] + "/meta.json")
