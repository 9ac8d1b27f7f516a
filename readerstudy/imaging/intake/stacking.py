"""Turning an ordered stack of slices into one int16/uint16 volume, losslessly or not at all.

Rescale slope and intercept are applied per slice (they can differ between slices, and in
Enhanced MR between frames). MONOCHROME1 is inverted so that higher values are always brighter.
The result must equal pydicom's rescaled pixel values exactly; when that cannot be stored as
16-bit integers the series is refused with the reason, never silently rounded or clipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.conf import settings

from readerstudy.imaging.dicom import quiet_pydicom
from readerstudy.imaging.dicom.header import SliceHeader, corrupt
from readerstudy.imaging.dicom.read import describe_error, read_file_frames
from readerstudy.imaging.intake.zipsafe import human_size

INT16 = (-32768, 32767)
UINT16 = (0, 65535)


class VolumeRejected(Exception):
    """The stack cannot become a volume; the message says why."""


@dataclass
class StackVolume:
    array: np.ndarray  # (slices, rows, columns), little-endian int16 or uint16
    slope: float = 1.0  # physical value = stored × slope + intercept (1 and 0 unless noted)
    intercept: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def dtype(self) -> str:
        return self.array.dtype.name


def _check_kind(headers: list[SliceHeader]) -> None:
    first = headers[0]
    if any(h.samples_per_pixel != 1 for h in headers):
        raise VolumeRejected(
            "it holds colour images (SamplesPerPixel 3); MR series must be greyscale"
        )
    if any(h.pixel_keyword != "PixelData" for h in headers):
        raise VolumeRejected("it stores floating-point pixel data, which cannot be kept as 16-bit")
    if first.bits_allocated not in (8, 16, 32):
        raise VolumeRejected(f"BitsAllocated {first.bits_allocated} is not supported")


def _check_size(headers: list[SliceHeader], limit: int) -> None:
    """Refuse a stack whose volume would not fit the per-series memory bound, before reading."""
    first = headers[0]
    width = max(first.bits_allocated // 8, 2)
    needed = len(headers) * first.rows * first.columns * width
    if needed > limit:
        raise VolumeRejected(
            f"its {len(headers)} slices of {first.columns}×{first.rows} would need "
            f"{human_size(needed)} of memory, more than the {human_size(limit)} a series may "
            "take (MAX_SERIES_MB)"
        )


def _read_stored(headers: list[SliceHeader]) -> np.ndarray:
    """Stored values of every slice, in the given order, reading each file once."""
    rows, columns = headers[0].rows, headers[0].columns
    by_file: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        by_file.setdefault(header.path, []).append(index)
    stored: np.ndarray | None = None
    for indices in by_file.values():
        header = headers[indices[0]]
        try:
            with quiet_pydicom():
                frames = read_file_frames(header)
        except MemoryError:
            raise VolumeRejected(f"{header.name}: its pixels do not fit in memory") from None
        except Exception as error:  # decoders raise many kinds of errors
            raise VolumeRejected(f"{header.name}: {corrupt(describe_error(error))}") from None
        if frames.ndim != 3 or frames.shape[1:] != (rows, columns):
            raise VolumeRejected(
                f"{header.name}: its pixel data is {frames.shape[2]}×{frames.shape[1]}, "
                f"not the {columns}×{rows} its header says"
            )
        native = frames.dtype.newbyteorder("=")
        if stored is None:
            stored = np.empty((len(headers), rows, columns), dtype=native)
        elif not np.can_cast(native, stored.dtype, casting="safe"):
            stored = stored.astype(np.promote_types(stored.dtype, native))
        wanted = max(headers[index].frame or 0 for index in indices)
        if frames.shape[0] <= wanted:
            raise VolumeRejected(
                f"{header.name}: its pixel data holds {frames.shape[0]} frames, not the "
                f"{header.frames} its header says"
            )
        for index in indices:
            stored[index] = frames[headers[index].frame or 0]
        del frames
    assert stored is not None
    return stored


def _invert_monochrome1(stored: np.ndarray, headers: list[SliceHeader]) -> bool:
    """Invert MONOCHROME1 slices in the stored domain, over the full BitsStored range."""
    inverted = False
    for index, header in enumerate(headers):
        if header.photometric != "MONOCHROME1":
            continue
        if header.pixel_representation == 1:
            np.invert(stored[index], out=stored[index])  # v -> -1 - v
        else:
            np.subtract((1 << header.bits_stored) - 1, stored[index], out=stored[index])
        inverted = True
    return inverted


def _fits(low: float, high: float, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= low and high <= bounds[1]


def _dtype_for(low: float, high: float) -> np.dtype | None:
    if _fits(low, high, INT16):
        return np.dtype("<i2")
    if _fits(low, high, UINT16):
        return np.dtype("<u2")
    return None


def stack_volume(headers: list[SliceHeader], *, max_bytes: int | None = None) -> StackVolume:
    """Read, rescale and store the slices of one stack (already ordered) as a 16-bit volume.

    ``max_bytes`` bounds the memory of one series (``settings.MAX_SERIES_BYTES`` by default).
    """
    _check_kind(headers)
    _check_size(headers, max_bytes if max_bytes is not None else settings.MAX_SERIES_BYTES)
    stored = _read_stored(headers)
    warnings = []
    if _invert_monochrome1(stored, headers):
        warnings.append("MONOCHROME1 was inverted so that higher values are brighter")
    flat = stored.reshape(len(headers), -1)
    minima, maxima = flat.min(axis=1).astype(np.float64), flat.max(axis=1).astype(np.float64)
    slopes = np.array([h.slope for h in headers], dtype=np.float64)
    intercepts = np.array([h.intercept for h in headers], dtype=np.float64)
    ends = np.stack([minima * slopes + intercepts, maxima * slopes + intercepts])
    low, high = float(ends.min()), float(ends.max())
    identity = bool(np.all(slopes == 1) and np.all(intercepts == 0))
    integral = bool(
        np.all(slopes == np.round(slopes)) and np.all(intercepts == np.round(intercepts))
    )
    target = _dtype_for(low, high)
    if identity and target is not None:
        return StackVolume(array=stored.astype(target, copy=False), warnings=warnings)
    if integral and target is not None:
        array = np.empty(stored.shape, dtype=target)
        for index in range(len(headers)):
            # Exact: integer slope and intercept on 16-bit values stay far below 2**53.
            array[index] = stored[index] * slopes[index] + intercepts[index]
        return StackVolume(array=array, warnings=warnings)
    if target is not None:
        # Non-integer slope or intercept: the rescaled values may still all be integers.
        array = np.empty(stored.shape, dtype=target)
        exact = True
        for index in range(len(headers)):
            values = stored[index].astype(np.float64) * slopes[index] + intercepts[index]
            if not np.array_equal(values, np.round(values)):
                exact = False
                break
            array[index] = values
        if exact:
            return StackVolume(array=array, warnings=warnings)
        del array
    uniform = bool(np.all(slopes == slopes[0]) and np.all(intercepts == intercepts[0]))
    raw_target = _dtype_for(float(minima.min()), float(maxima.max()))
    if uniform and raw_target is not None:
        warnings.append(
            f"its rescaled values are not 16-bit integers (RescaleSlope {slopes[0]:g}, "
            f"RescaleIntercept {intercepts[0]:g}); the stored integers were kept and the rescale "
            "recorded on the series"
        )
        return StackVolume(
            array=stored.astype(raw_target, copy=False),
            slope=float(slopes[0]),
            intercept=float(intercepts[0]),
            warnings=warnings,
        )
    if target is None and integral:
        raise VolumeRejected(
            f"its rescaled values run from {low:g} to {high:g}, which fits neither int16 nor "
            "uint16, so it cannot be stored without loss"
        )
    raise VolumeRejected(
        "its rescale slope or intercept differs between slices and gives values that are not "
        "integers, so it cannot be stored as 16-bit integers without loss"
    )
