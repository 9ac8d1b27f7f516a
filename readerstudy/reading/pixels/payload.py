"""The pixel payload of the reading API: byte-shuffled 16-bit slices in one gzip stream.

Contract (docs/reading-api.md, "Pixels"): slices ``start..stop-1`` concatenated, each slice's
``rows*columns`` low bytes then its high bytes, sent with ``Content-Encoding: gzip``.

Why it is built this way:

- Byte shuffling puts the noisy low bytes and the smooth high bytes in separate runs, which
  deflate compresses better (≈0.4–0.5 × raw on the phantom, vs ≈0.5–0.6 unshuffled).
- Deflate with the run-length strategy (``Z_RLE``, matches at distance 1 only): on shuffled
  512² phantom slices it is ≈2× faster than the default strategy at level 1 (≈2.7 vs ≈6 ms per
  slice) AND ≈4% smaller, because the useful matches in shuffled MR data are runs (background,
  high bytes of 12-bit data); level 6 with the default strategy costs ≈1.5–3× level 1 for ≈2%.
  Encoding time is what the reader waits for (bench/bench_viewer.py prints these figures).
- Each slice is deflated on its own and ended with a sync flush, so the per-slice blocks can be
  cached and concatenated into any range: a gzip member is header + deflate blocks + trailer, and
  the trailer's CRC-32 of the whole range is combined from per-slice CRCs (zlib's
  crc32_combine, ported below). The cache is a per-process LRU bounded in bytes; a miss reads
  the blocks stored when the study opened (pixel_store.py) or, failing that, encodes again, so
  several app servers need no shared state beyond the volume storage.
- Both panes, whatever arm they show, go through exactly this code.
- Both arms of a case × sequence send the same number of bytes for the same slice range
  (blinding: DL series compress better, ≈0.39 vs ≈0.45 × raw on the phantom, so transfer sizes
  in the browser's developer tools would tell the arms apart). The smaller member is padded up
  to the larger one with empty deflate blocks, which decode to nothing, so the bytes the
  browser gets after inflating are unchanged and the gzip header is the same for both arms.
  The target is the exact size of the pair's other series for the range, computed here from
  both series; that serves the side-by-side design (A and B) and the sequential design (one
  pane, the other arm read weeks later) with one rule, and costs only the difference (≈+7% for
  a pair on the phantom). A fixed bucket (raw × a ratio) was rejected: it costs more on every
  arm and still leaks whenever the larger arm does not fit the bucket.
"""

from __future__ import annotations

import functools
import struct
import threading
import zlib
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.http import HttpResponse

from readerstudy.imaging.blinding import reader_series_pixels
from readerstudy.imaging.models import Series
from readerstudy.reading.pixels import store as pixel_store
from readerstudy.reading.pixels.store import EncodedSlice

GZIP_LEVEL = 1
GZIP_STRATEGY = zlib.Z_RLE
# Names the encoding in the stored files' keys (pixel_store.py): a change here is a new file.
# zlib's version is part of it: padding adds up lengths from both sources (stored files and
# fresh encoding), which must agree byte for byte, and another zlib build may not.
STORED_ENCODING = f"shuffle-deflate{GZIP_LEVEL}-{GZIP_STRATEGY}-zlib{zlib.ZLIB_RUNTIME_VERSION}"
# gzip member header: magic, deflate, no flags, mtime 0, XFL 4 (fastest), OS 255 (unknown).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\xff"
_FINAL_EMPTY_BLOCK = b"\x03\x00"
# Padding, all of it decoding to nothing, placed after the slices' sync flushes (byte aligned):
# an empty non-final stored block is 5 bytes (BFINAL 0, BTYPE 00, align, LEN 0, NLEN 0xffff);
# the final tail takes 2..6 bytes: 0..3 empty non-final fixed-Huffman blocks (10 bits each)
# before the final empty fixed block, or for +4 one such block and a final empty stored block.
_STORED_EMPTY_BLOCK = b"\x00\x00\x00\xff\xff"
_FINAL_TAILS = (
    _FINAL_EMPTY_BLOCK,
    b"\x02\x0c\x00",
    b"\x02\x08\x30\x00",
    b"\x02\x08\x20\xc0\x00",
    b"\x02\x04\x00\x00\xff\xff",
)
_MEMBER_OVERHEAD = len(_GZIP_HEADER) + len(_FINAL_EMPTY_BLOCK) + 8  # header, final block, trailer
_POLY = 0xEDB88320


def shuffle_slices(slices: np.ndarray) -> bytes:
    """(k, rows, cols) 16-bit samples → per slice: all low bytes, then all high bytes."""
    little = np.ascontiguousarray(slices, dtype=slices.dtype.newbyteorder("<"))
    k = little.shape[0]
    if little.size == 0:
        return b""
    as_bytes = little.view(np.uint8).reshape(k, -1, 2)
    return np.ascontiguousarray(as_bytes.transpose(0, 2, 1)).tobytes()


# -- CRC-32 combination (port of zlib's crc32_combine, zlib 1.2.12+) -------------------------


def _multmodp(a: int, b: int) -> int:
    """Multiply a(x) by b(x) modulo the CRC-32 polynomial (reflected bit order)."""
    m = 1 << 31
    p = 0
    while True:
        if a & m:
            p ^= b
            if (a & (m - 1)) == 0:
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _x2n_table() -> list[int]:
    table, p = [], 1 << 30  # x^1
    table.append(p)
    for _ in range(1, 32):
        p = _multmodp(p, p)
        table.append(p)
    return table


_X2N = _x2n_table()


@functools.lru_cache(maxsize=256)
def _x8nmodp(n: int) -> int:
    """x^(8n) modulo the polynomial: the operator that shifts a CRC past n zero bytes.

    Cached: a series' slices all have one length, so each request reuses the same few operators
    (computing one is ≈30 µs of pure Python, per slice of every response).
    """
    p, k = 1 << 31, 3
    while n:
        if n & 1:
            p = _multmodp(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B)."""
    return _multmodp(_x8nmodp(length2), crc1) ^ crc2


# -- Per-slice encoded blocks and their cache --------------------------------------------------


def encode_slice(
    shuffled: bytes, level: int = GZIP_LEVEL, strategy: int = GZIP_STRATEGY
) -> EncodedSlice:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, 8, strategy)
    block = compressor.compress(shuffled) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return EncodedSlice(deflate=block, crc=zlib.crc32(shuffled), size=len(shuffled))


def final_padding(extra: int) -> bytes:
    """Empty deflate blocks ending a stream: the final block plus exactly ``extra`` bytes more."""
    stored, tail = divmod(max(0, extra), len(_STORED_EMPTY_BLOCK))
    return _STORED_EMPTY_BLOCK * stored + _FINAL_TAILS[tail]


def member_length(parts: list[EncodedSlice]) -> int:
    """Length of ``gzip_member(parts)`` without padding."""
    return _MEMBER_OVERHEAD + sum(len(p.deflate) for p in parts)


def gzip_member(parts: list[EncodedSlice], pad_to: int = 0) -> bytes:
    """One gzip member whose payload is the concatenation of the parts' slices.

    ``pad_to`` is the member length to reach (when longer than the natural one) with deflate
    blocks that decode to nothing.
    """
    crc, size = 0, 0
    for part in parts:
        crc = crc32_combine(crc, part.crc, part.size) if size else part.crc
        size += part.size
    trailer = struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
    ending = final_padding(pad_to - member_length(parts))
    return b"".join([_GZIP_HEADER, *(p.deflate for p in parts), ending, trailer])


class _SliceCache:
    """Thread-safe LRU of encoded slices, bounded by total bytes."""

    def __init__(self):
        self._items: OrderedDict[tuple, EncodedSlice] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def budget() -> int:
        return int(getattr(settings, "READING_PIXEL_CACHE_MB", 256)) * 1024 * 1024

    def get(self, key: tuple) -> EncodedSlice | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: tuple, item: EncodedSlice) -> None:
        budget = self.budget()
        if len(item.deflate) > budget:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = item
            self._bytes += len(item.deflate)
            while self._bytes > budget:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old.deflate)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0


slice_cache = _SliceCache()


def _cache_key(series: Series, index: int) -> tuple:
    # The content hash (not the row id) keys the cache, so a re-imported volume is never stale.
    return (series.content_sha256, series.storage_key, index, GZIP_LEVEL, GZIP_STRATEGY)


class _Encoding:
    """Slices being encoded right now, so that each is encoded once.

    Padding needs both arms' slices for every request, and a side-by-side viewer asks for the
    same range on both panes at the same moment: without this, a cold pair would be encoded
    twice over.
    """

    def __init__(self):
        self._events: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    def claim(self, key: tuple) -> threading.Event | None:
        """None when the caller now encodes ``key``; else the event set when the owner is done."""
        with self._lock:
            event = self._events.get(key)
            if event is None:
                self._events[key] = threading.Event()
            return event

    def release(self, key: tuple) -> None:
        with self._lock:
            event = self._events.pop(key, None)
        if event is not None:
            event.set()


_encoding = _Encoding()
_WAIT_SECONDS = 30


def _encode_into(parts: list, series: Series, start: int, offsets: list[int]) -> None:
    first, last = start + offsets[0], start + offsets[-1] + 1
    # Encoded when the study opened (pixel_store.py): read, don't encode.
    stored = pixel_store.read(series, STORED_ENCODING, first, last)
    # Otherwise one read for the whole span: a memory-mapped slab, copied once.
    pixels = reader_series_pixels(series, first, last) if stored is None else None
    for offset in offsets:
        index = start + offset
        if stored is not None:
            part = stored[index - first]
        else:
            part = encode_slice(shuffle_slices(pixels[index - first : index - first + 1]))
        slice_cache.put(_cache_key(series, index), part)
        parts[offset] = part


def store_encoded(series: Series) -> bool:
    """Encode every slice of ``series`` and store them (pixel_store.py); False if already there."""
    if pixel_store.read(series, STORED_ENCODING, 0, series.slices) is not None:
        return False
    pixel_store.delete(series, STORED_ENCODING)  # a file cut off by a killed worker, if any
    volume = reader_series_pixels(series, 0, series.slices)
    parts = [encode_slice(shuffle_slices(volume[i : i + 1])) for i in range(series.slices)]
    return pixel_store.write(series, STORED_ENCODING, parts)


def encoded_slices(series: Series, start: int, stop: int) -> list[EncodedSlice]:
    """Encoded slices ``start..stop-1`` (already clamped), from the cache or freshly encoded."""
    keys = [_cache_key(series, i) for i in range(start, stop)]
    parts: list[EncodedSlice | None] = [slice_cache.get(key) for key in keys]
    owned, waiting = [], []
    for offset, part in enumerate(parts):
        if part is None:
            event = _encoding.claim(keys[offset])
            (owned if event is None else waiting).append((offset, event))
    if owned:
        try:
            _encode_into(parts, series, start, [offset for offset, _ in owned])
        finally:
            for offset, _ in owned:
                _encoding.release(keys[offset])
    # Only after releasing its own claims does a request wait for others: no circular wait.
    leftover = []
    for offset, event in waiting:
        event.wait(_WAIT_SECONDS)
        parts[offset] = slice_cache.get(keys[offset])
        if parts[offset] is None:  # the owner failed, or the cache had no room for it
            leftover.append(offset)
    if leftover:
        _encode_into(parts, series, start, leftover)
    return parts  # type: ignore[return-value]


@dataclass(frozen=True)
class PixelPayload:
    start: int
    count: int
    body: bytes


RANGE_ERROR = "The slice range needs whole numbers: ?start=K&stop=M."


def requested_range(params, series: Series) -> tuple[int, int] | None:
    """``?start=K&stop=M`` of a pixel request (default: the whole volume); None when not numbers."""
    try:
        return int(params.get("start", 0)), int(params.get("stop", series.slices))
    except ValueError:
        return None


def payload_response(payload: PixelPayload, *, cache_control: str) -> HttpResponse:
    """The HTTP answer of every pixel endpoint (docs/reading-api.md, "Pixels")."""
    response = HttpResponse(payload.body, content_type="application/octet-stream")
    response["Content-Encoding"] = "gzip"
    response["X-Slice-Start"] = str(payload.start)
    response["X-Slice-Count"] = str(payload.count)
    response["Cache-Control"] = cache_control
    return response


def clamp_range(series: Series, start: int, stop: int) -> tuple[int, int]:
    start = max(0, min(int(start), series.slices))
    stop = max(start, min(int(stop), series.slices))
    return start, stop


def _pair_sql() -> str:
    meta = Series._meta
    names = ("id", "slices", "storage_key", "content_sha256", "case", "sequence")
    c = {name: meta.get_field(name).column for name in names}
    return (
        f"SELECT {c['id']}, {c['slices']}, {c['storage_key']}, {c['content_sha256']} "
        f"FROM {meta.db_table} WHERE {c['case']} = %s AND {c['sequence']} = %s AND {c['id']} <> %s"
    )


_PAIR_SQL = _pair_sql()


def pair_series(series: Series) -> list[Series]:
    """The other arm of the series' case × sequence, for padding only (never sent anywhere).

    The pixel endpoint gets the pair from its access query (access.get_pane_for_reader); this
    serves warming and callers without one. Raw SQL: the ORM query costs ≈0.5 ms to compile.
    """
    return list(Series.objects.raw(_PAIR_SQL, [series.case_id, series.sequence_id, series.pk]))


def _member_length_of(series: Series, start: int, stop: int) -> int:
    """What ``series`` sends for this range unpadded: from its stored index when complete."""
    stored = pixel_store.lengths(series, STORED_ENCODING)
    if stored is not None:
        return _MEMBER_OVERHEAD + sum(stored[start:stop])
    return member_length(encoded_slices(series, start, stop))


def pixel_payload(
    series: Series, start: int, stop: int, *, pair: list[Series] | None = None
) -> PixelPayload:
    """The gzip body for slices ``start..stop-1`` of a series (clamped to the volume).

    The body is padded to the longest member any series of the pair (``pair``, looked up when
    not given) would send for the same range, so both arms send the same number of bytes.
    """
    start, stop = clamp_range(series, start, stop)
    parts = encoded_slices(series, start, stop)
    target = member_length(parts)
    for other in pair_series(series) if pair is None else pair:
        target = max(target, _member_length_of(other, *clamp_range(other, start, stop)))
    return PixelPayload(start=start, count=stop - start, body=gzip_member(parts, pad_to=target))


# -- Warming: encode the panes a reader will open next while they read the current one --------

_warmer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pixel-warm")


def _warm(series_list: list[Series]) -> None:
    for series in series_list:
        middle = (series.slices - 1) // 2
        # Middle first, then outward, like the viewer asks for them.
        order = sorted(range(series.slices), key=lambda i: (abs(i - middle), i < middle))
        for index in order:
            if slice_cache.get(_cache_key(series, index)) is None:
                try:
                    encoded_slices(series, index, index + 1)
                except Exception:
                    return


def prewarm_enabled() -> bool:
    return bool(getattr(settings, "READING_PIXEL_PREWARM", True))


def prewarm(series_list: list[Series]) -> None:
    """Queue background encoding of these series and of their pairs' other arms, which padding
    needs (no-op when READING_PIXEL_PREWARM is off)."""
    if series_list and prewarm_enabled():
        seen = {s.pk for s in series_list}
        # The other arm is needed only for padding lengths, which its stored file gives.
        others = [
            o
            for s in series_list
            for o in pair_series(s)
            if o.pk not in seen and pixel_store.lengths(o, STORED_ENCODING) is None
        ]
        _warmer.submit(_warm, list(series_list) + others)
