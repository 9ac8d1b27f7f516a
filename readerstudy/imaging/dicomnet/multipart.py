"""A streaming reader of ``multipart/related`` bodies (RFC 2046 Section 5.1, RFC 2387).

The body is read in chunks and each part's content is written to a sink as it arrives, so a
body of any size is parsed in memory bounded by the chunk size plus the part-header limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import BinaryIO

LOGGER = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 1 << 20
MAX_HEADER_BYTES = 16 << 10
_MAX_PADDING = 256  # transport-padding (spaces/tabs) tolerated after a boundary
_BOUNDARY_MAX = 70  # RFC 2046: 1 to 70 characters


class MultipartError(Exception):
    """The body is not a readable multipart body (HTTP 400)."""

    status = 400


class UnsupportedMediaType(MultipartError):
    """The request's media type is not one this receiver takes (HTTP 415)."""

    status = 415


@dataclass(frozen=True)
class MultipartType:
    """The parameters of a ``multipart/related`` Content-Type header."""

    boundary: bytes
    type: str  # the "type" parameter (media type of the root part), lower case, or ""


def parse_content_type(header: str | None) -> MultipartType:
    """Parse a ``multipart/related; type=...; boundary=...`` header.

    Quoted and unquoted parameter values are both accepted (RFC 2045 Section 5.1).

    Raises
    ------
    UnsupportedMediaType
        If the media type is not ``multipart/related``.
    MultipartError
        If the boundary is missing or not a legal RFC 2046 boundary.
    """
    message = Message()
    message["content-type"] = header or ""
    if message.get_content_type() != "multipart/related":
        raise UnsupportedMediaType(f"expected multipart/related, got {header!r}")
    boundary = message.get_param("boundary")
    related_type = message.get_param("type") or ""
    if not isinstance(boundary, str) or not isinstance(related_type, str):
        raise MultipartError("malformed Content-Type parameters")
    if not 1 <= len(boundary) <= _BOUNDARY_MAX or boundary.endswith(" "):
        raise MultipartError("the boundary must have 1 to 70 characters, not ending in a space")
    if any(c in boundary for c in "\r\n") or not boundary.isascii():
        raise MultipartError("the boundary has characters RFC 2046 does not allow")
    return MultipartType(boundary.encode("ascii"), related_type.strip().lower())


@dataclass
class Part:
    """One body part: its headers, where its content went, and how it ended."""

    index: int
    headers: dict[str, str]
    sink: BinaryIO | None = None
    size: int = 0
    complete: bool = False
    error: str | None = None  # why the part is unusable: "truncated", "too large"

    @property
    def content_type(self) -> str:
        """The part's media type without parameters, lower case, or "" if absent."""
        value = self.headers.get("content-type", "")
        return value.split(";", 1)[0].strip().lower()

    @property
    def params(self) -> dict[str, str]:
        """The parameters of the part's Content-Type (e.g. ``transfer-syntax``)."""
        message = Message()
        message["content-type"] = self.headers.get("content-type", "text/plain")
        return {k.lower(): str(v) for k, v in message.get_params()[1:]}


@dataclass
class _Match:
    kind: str  # "part" (a part follows), "close" (final boundary), "eof" (body ended)
    end: int  # index just past the boundary line


def _parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = ""
    for raw in block.decode("latin-1").replace("\r\n", "\n").split("\n"):
        if not raw:
            continue
        if raw[0] in " \t" and last:  # obsolete line folding
            headers[last] += " " + raw.strip()
            continue
        name, sep, value = raw.partition(":")
        if not sep or not name.strip():
            raise MultipartError(f"malformed part header line {raw[:80]!r}")
        last = name.strip().lower()
        headers[last] = value.strip()
    return headers


@dataclass
class MultipartReader:
    """Read a multipart body from ``stream``, one part at a time.

    Parameters
    ----------
    stream : BinaryIO
        Anything with ``read(n)``; ``b""`` means the body has ended.
    boundary : bytes
        The boundary from the Content-Type header.
    chunk_size : int
        Bytes asked of ``stream`` per read.
    max_part_bytes : int, optional
        A part larger than this stops being written to its sink and ends with
        ``error="too large"``; reading goes on with the next part.
    """

    stream: BinaryIO
    boundary: bytes
    chunk_size: int = DEFAULT_CHUNK_SIZE
    max_part_bytes: int | None = None
    max_header_bytes: int = MAX_HEADER_BYTES
    closed: bool = field(default=False, init=False)  # the close delimiter was seen
    bytes_read: int = field(default=0, init=False)
    peak_buffer: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._delimiter = b"\r\n--" + self.boundary
        # A virtual CRLF lets a body that starts directly with "--boundary" match the
        # delimiter like every later boundary does (the CRLF belongs to the delimiter).
        self._buf = bytearray(b"\r\n")
        self._eof = False

    # -- reading ---------------------------------------------------------------------

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self.stream.read(self.chunk_size)
        if not chunk:
            self._eof = True
            return False
        self.bytes_read += len(chunk)
        self._buf += chunk
        self.peak_buffer = max(self.peak_buffer, len(self._buf))
        return True

    def _match_at(self, i: int) -> _Match | bool | None:
        """Decide whether the delimiter at ``i`` is a real boundary line.

        Returns a ``_Match``, None when it is only text that starts like the delimiter,
        or True when more bytes are needed to tell.
        """
        buf = self._buf
        j = i + len(self._delimiter)
        if len(buf) < j + 2 and not self._eof:
            return True
        if buf[j : j + 2] == b"--":
            return _Match("close", j + 2)
        k = j
        while k < len(buf) and buf[k] in b" \t":
            k += 1
            if k - j > _MAX_PADDING:
                return None
        if k >= len(buf):
            return True if not self._eof else _Match("eof", k)
        if buf[k : k + 2] == b"\r\n":
            return _Match("part", k + 2)
        if buf[k : k + 1] == b"\n":  # tolerate bare LF line ends
            return _Match("part", k + 1)
        if buf[k : k + 1] == b"\r" and k + 1 >= len(buf) and not self._eof:
            return True
        return None

    def _find_boundary(self, sink: Callable[[memoryview], None] | None) -> _Match | None:
        """Advance to the next boundary line, passing the bytes before it to ``sink``.

        Returns None when the body ends first.
        """
        start = 0
        keep = len(self._delimiter) - 1
        while True:
            i = self._buf.find(self._delimiter, start)
            if i >= 0:
                match = self._match_at(i)
                if isinstance(match, _Match):
                    self._emit(sink, i)
                    del self._buf[: match.end - i]
                    return match
                if match is None:  # not a boundary: those bytes are content
                    start = i + 1
                    continue
                # Undecided: keep the candidate and read on.
                self._emit(sink, i)
                start = 0
                if not self._fill():
                    match = self._match_at(0)
                    if isinstance(match, _Match):
                        del self._buf[: match.end]
                        return match
                    start = 1
                continue
            # No candidate: everything but a possible delimiter prefix is content.
            flush = max(0, len(self._buf) - keep)
            self._emit(sink, flush)
            start = 0
            if not self._fill():
                self._emit(sink, len(self._buf))
                return None

    def _emit(self, sink: Callable[[memoryview], None] | None, n: int) -> None:
        if n <= 0:
            return
        if sink is not None:
            with memoryview(self._buf) as view:
                sink(view[:n])
        del self._buf[:n]

    def _read_headers(self) -> dict[str, str] | None:
        """Read a part's header block; None when the body ends inside it."""
        while True:
            if self._buf.startswith(b"\r\n"):  # a part with no headers
                del self._buf[:2]
                return {}
            ends = [(self._buf.find(sep), len(sep)) for sep in (b"\r\n\r\n", b"\n\n")]
            found = [(i, n) for i, n in ends if i >= 0]
            if found:
                i, n = min(found)
                block = bytes(self._buf[:i])
                del self._buf[: i + n]
                return _parse_headers(block)
            if len(self._buf) > self.max_header_bytes:
                raise MultipartError("part headers are too long")
            if not self._fill():
                return None

    # -- parts -----------------------------------------------------------------------

    def parts(self, open_sink: Callable[[Part], BinaryIO | None]) -> Iterator[Part]:
        """Yield each part once its content has been written to its sink.

        ``open_sink(part)`` is called when a part's headers are read and returns the file
        its content is written to (or None to discard it). The last part of a body that
        ends early is yielded with ``error="truncated"``.

        Raises
        ------
        MultipartError
            If the body holds no boundary at all or a part's headers are malformed.
        """
        first = self._find_boundary(None)  # the preamble is discarded
        if first is None:
            raise MultipartError("the body contains no multipart boundary")
        match: _Match | None = first
        index = 0
        while match is not None and match.kind == "part":
            headers = self._read_headers()
            part = Part(index=index, headers=headers or {})
            index += 1
            if headers is None:
                part.error = "truncated"
                yield part
                return
            part.sink = open_sink(part)
            match = self._find_boundary(self._writer(part))
            if match is None:
                part.error = part.error or "truncated"
            else:
                part.complete = part.error is None
            yield part
        if match is not None and match.kind == "close":
            self.closed = True
        elif match is not None:
            LOGGER.warning("multipart body ended without its closing boundary")

    def _writer(self, part: Part) -> Callable[[memoryview], None]:
        limit = self.max_part_bytes

        def write(data: memoryview) -> None:
            part.size += len(data)
            if limit is not None and part.size > limit:
                part.error = "too large"
                return
            if part.sink is not None:
                part.sink.write(data)

        return write
