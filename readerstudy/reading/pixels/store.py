"""Encoded slices kept on disk beside each volume, so no reader waits for compression.

When a study opens, a background task (reading/tasks.py) encodes every series its readers will
see and stores the per-slice deflate blocks in one file next to the volume (same storage, the
volume's key plus a suffix naming the encoding). A pixel request that misses the in-memory
cache then reads those blocks instead of encoding: a restarted server, a second app server
process and the first reader to open a task all get the speed of a warm cache.

File layout (little-endian): ``MAGIC``, slice count ``n`` (uint32), ``n`` index entries (offset
from the end of the index: uint64, deflate length: uint32, CRC-32: uint32, shuffled size:
uint32), then the deflate blocks of slices 0..n-1 in order.

The file is only ever a cache of what pixels.encode_slice makes from the volume: when it is
missing, short (a write in progress or cut off) or made for another encoding, the request path
encodes the slices itself, as it always could.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass

from django.core.files.base import ContentFile

from readerstudy.imaging.models import Series
from readerstudy.imaging.volumes import volume_storage

logger = logging.getLogger(__name__)

MAGIC = b"RSPX\x01"
_COUNT = struct.Struct("<I")
_ENTRY = struct.Struct("<QIII")


@dataclass(frozen=True)
class EncodedSlice:
    deflate: bytes  # raw deflate blocks ending in a sync flush (byte aligned, not final)
    crc: int  # CRC-32 of the shuffled slice
    size: int  # bytes of the shuffled slice


def store_key(series: Series, encoding: str) -> str:
    return f"{series.storage_key}.{encoding}"


def pack(parts: list[EncodedSlice]) -> bytes:
    index, offset = [], 0
    for part in parts:
        index.append(_ENTRY.pack(offset, len(part.deflate), part.crc, part.size))
        offset += len(part.deflate)
    return b"".join([MAGIC, _COUNT.pack(len(parts)), *index, *(p.deflate for p in parts)])


def write(series: Series, encoding: str, parts: list[EncodedSlice]) -> bool:
    """Store the encoded slices of ``series``; False when a file is already there.

    Two writers racing both save (the storage gives the loser another name), and the loser's
    copy is deleted: what is under the key is always one writer's whole file.
    """
    storage, key = volume_storage(), store_key(series, encoding)
    if storage.exists(key):
        return False
    saved = storage.save(key, ContentFile(pack(parts)))
    if saved != key:
        storage.delete(saved)
        return False
    return True


def delete(series: Series, encoding: str) -> None:
    key = store_key(series, encoding)
    _lengths.pop(key, None)
    volume_storage().delete(key)


_lengths: dict[str, tuple[int, ...]] = {}  # complete files only; they never change


def lengths(series: Series, encoding: str) -> tuple[int, ...] | None:
    """Each stored slice's deflate length, when the whole file is there (else None).

    Padding needs only the other arm's lengths, not its blocks: reading the index instead of
    the slices keeps each pane's request from waiting on, or reading, the other pane's data.
    """
    key = store_key(series, encoding)
    known = _lengths.get(key)
    if known is not None:
        return known
    try:
        handle = _open(key)
    except OSError:
        return None
    with handle:
        entries = _entries(handle, series, 0, series.slices)
        if entries is None:
            return None
        total = sum(length for _, length, _, _ in entries)
        handle.seek(0, 2)
        if handle.tell() != _data_start(series) + total:  # cut off or still being written
            return None
    found = tuple(length for _, length, _, _ in entries)
    _lengths[key] = found
    return found


def _walk(storage, folder: str = ""):
    dirs, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}" if folder else name)


def prune(*, keep: str) -> int:
    """Delete stored files of any encoding but ``keep`` (volumes are never touched)."""
    storage, removed = volume_storage(), 0
    for key in _walk(storage):
        _, dot, encoding = key.rpartition(".npy.")
        if dot and encoding != keep:
            storage.delete(key)
            _lengths.pop(key, None)
            removed += 1
    return removed


_HEAD = len(MAGIC) + _COUNT.size


def _data_start(series: Series) -> int:
    return _HEAD + series.slices * _ENTRY.size


def _entries(handle, series: Series, start: int, stop: int) -> list[tuple] | None:
    """Index entries of slices ``start..stop-1``; None unless the file is one of ours, made for
    this volume's slice count, with that part of its index present."""
    head = handle.read(_HEAD)
    if len(head) < _HEAD or not head.startswith(MAGIC):
        return None
    (count,) = _COUNT.unpack_from(head, len(MAGIC))
    if count != series.slices or not 0 <= start < stop <= count:
        return None
    handle.seek(_HEAD + start * _ENTRY.size)
    raw_index = handle.read((stop - start) * _ENTRY.size)
    if len(raw_index) < (stop - start) * _ENTRY.size:
        return None
    return list(_ENTRY.iter_unpack(raw_index))


def _open(key: str):
    storage = volume_storage()
    try:
        return open(storage.path(key), "rb")  # local disk: no storage-layer wrapper
    except NotImplementedError:
        return storage.open(key, "rb")


def read(series: Series, encoding: str, start: int, stop: int) -> list[EncodedSlice] | None:
    """Slices ``start..stop-1`` from the stored file, or None when it cannot serve them."""
    key = store_key(series, encoding)
    try:
        handle = _open(key)
    except OSError:
        return None
    with handle:
        entries = _entries(handle, series, start, stop)
        if entries is None:
            return None
        first = entries[0][0]
        span = entries[-1][0] + entries[-1][1] - first
        handle.seek(_data_start(series) + first)
        blob = handle.read(span)
    if len(blob) < span:  # cut off, or still being written by another process
        logger.warning("Stored pixels %s are shorter than their index; encoding instead.", key)
        return None
    view = memoryview(blob)
    return [
        EncodedSlice(deflate=bytes(view[o - first : o - first + n]), crc=crc, size=size)
        for o, n, crc, size in entries
    ]
