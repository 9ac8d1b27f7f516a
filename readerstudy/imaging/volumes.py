"""Volume storage: each series is one contiguous little-endian int16/uint16 array (.npy format)
kept in Django's "volumes" storage under an opaque random key.

Going through the storage API (not a local path) is what lets volumes move to object storage;
``FileSystemStorage`` gets a memory-mapped fast path for slice reads.
"""

from __future__ import annotations

import hashlib
import io
import secrets

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import storages

ALLOWED_DTYPES = (np.dtype("<i2"), np.dtype("<u2"))


def volume_storage():
    return storages["volumes"]


def _new_key() -> str:
    # Opaque and unguessable: the key says nothing about the case, sequence or arm.
    return f"v/{secrets.token_hex(2)}/{secrets.token_hex(16)}.npy"


def volume_sha256(volume: np.ndarray) -> str:
    # Hash the array's own buffer (no copy); the same bytes as tobytes().
    return hashlib.sha256(memoryview(np.ascontiguousarray(volume)).cast("B")).hexdigest()


def volume_save(volume: np.ndarray) -> str:
    """Store a (slices, rows, columns) int16/uint16 volume and return its storage key."""
    volume = np.ascontiguousarray(volume)
    if volume.ndim != 3:
        raise ValueError(f"A volume is 3-D (slices, rows, columns); got shape {volume.shape}.")
    little = volume.dtype.newbyteorder("<")
    if little not in ALLOWED_DTYPES:
        raise ValueError(f"A volume is int16 or uint16; got {volume.dtype}.")
    volume = volume.astype(little, copy=False)
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, np.lib.format.header_data_from_array_1_0(volume))
    # One copy of the pixels instead of two (np.save into BytesIO, then getvalue()).
    content = buffer.getvalue() + memoryview(volume).cast("B")
    return volume_storage().save(_new_key(), ContentFile(content))


def _local_path(key: str) -> str | None:
    try:
        return volume_storage().path(key)
    except NotImplementedError:
        return None


def volume_load(key: str, *, mmap: bool = True) -> np.ndarray:
    """The whole volume; memory-mapped (read-only) when the storage is a local file system."""
    path = _local_path(key)
    if path is not None and mmap:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    with volume_storage().open(key, "rb") as handle:
        return np.load(io.BytesIO(handle.read()), allow_pickle=False)


def volume_slices(key: str, start: int, stop: int) -> np.ndarray:
    """Slices ``start..stop-1`` as a contiguous array (clamped to the volume)."""
    volume = volume_load(key)
    start = max(0, min(start, volume.shape[0]))
    stop = max(start, min(stop, volume.shape[0]))
    return np.ascontiguousarray(volume[start:stop])


def volume_delete(key: str) -> None:
    volume_storage().delete(key)
