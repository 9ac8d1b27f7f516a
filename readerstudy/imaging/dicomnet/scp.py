"""A DICOM storage SCP whose called AE title selects the study that receives the instances.

One listening port serves every study: the peer's Called AE Title is looked up with
``resolve_study`` when the association is requested, and an unknown title is rejected
(rejected-permanent, service-user, "called AE title not recognised"; PS3.8 Table 9-21).
Every instance is handed to ``store`` as the PS3.10 file that arrived, without decoding or
re-encoding its pixel data, so compressed pixel data is kept byte for byte.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, BinaryIO

from pydicom.dataset import Dataset
from pynetdicom import (
    AE,
    ALL_TRANSFER_SYNTAXES,
    AllStoragePresentationContexts,
    _config,
    build_context,
    evt,
)
from pynetdicom.association import Association
from pynetdicom.sop_class import Verification
from pynetdicom.transport import ThreadedAssociationServer

from readerstudy.studies.aetitle import (
    default_ae_title,
    is_valid_ae_title,
    normalise_ae_title,
    unique_ae_title,
)

from .instance import (
    CANNOT_UNDERSTAND,
    DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
    OUT_OF_RESOURCES,
    NotDicom,
    StoreRefused,
    is_valid_uid,
    read_instance_header,
)

__all__ = [
    "STORAGE_SOP_CLASSES",
    "ResolveStudy",
    "StorageSCP",
    "StoreInstance",
    "StoreRefused",
    "default_ae_title",
    "is_valid_ae_title",
    "serve",
    "unique_ae_title",
]

LOGGER = logging.getLogger(__name__)

ResolveStudy = Callable[[str], Hashable | None]
"""``resolve_study(called_ae_title) -> study key``, or None for an unknown title."""

StoreInstance = Callable[[Any, str, BinaryIO], None]
"""``store(study_key, sop_instance_uid, stream)``: keep one PS3.10 file; raise to refuse it."""

STORAGE_SOP_CLASSES: tuple[str, ...] = tuple(
    str(cx.abstract_syntax) for cx in AllStoragePresentationContexts
)
"""Every storage SOP class pynetdicom knows (about 170; its ``StoragePresentationContexts``
is a 120-class subset sized for an SCU's 128-context limit, which does not bind an SCP)."""

# A-ASSOCIATE-RJ (result, source, diagnostic), PS3.8 Table 9-21.
_REJECT_CALLED_AE = (0x01, 0x01, 0x07)  # permanent, service-user, called AE not recognised
_REJECT_CALLING_AE = (0x01, 0x01, 0x03)  # permanent, service-user, calling AE not recognised
_REJECT_TRANSIENT = (0x02, 0x01, 0x01)  # transient, service-user, no reason given

_ERROR_COMMENT_MAX = 64  # Error Comment (0000,0902) is LO


@dataclass
class _Association:
    """What the SCP remembers about one accepted association."""

    key: Any
    called: str
    calling: str
    peer: str
    started: float = field(default_factory=time.monotonic)
    stored: int = 0
    failed: int = 0
    received_bytes: int = 0


class StorageSCP:
    """A storage SCP for all studies, selected by called AE title.

    Parameters
    ----------
    resolve_study : ResolveStudy
        Maps a called AE title (spaces stripped, case kept) to a study key; returns None
        for an unknown title. Called once per association, in the association's thread.
    store : StoreInstance
        ``store(key, sop_instance_uid, stream)`` keeps one instance. ``stream`` is a
        seekable binary file at position 0 holding the whole PS3.10 file (preamble, file
        meta with the negotiated Transfer Syntax, data set as received). Raise
        ``StoreRefused`` to answer a chosen failure status; any other exception answers
        0xA700 (out of resources) so the peer may try again later.
    ae_title : str
        The title this SCP gives for itself in logs and as the AE's own title.
    transfer_syntaxes : Sequence[str], optional
        Transfer syntaxes to accept; default every one pynetdicom lists
        (``ALL_TRANSFER_SYNTAXES``: uncompressed, deflate, big endian, JPEG, JPEG-LS,
        JPEG 2000, HTJ2K, JPEG XL, RLE, MPEG/HEVC, ...).
    allow_peer : Callable[[str, str], bool], optional
        ``allow_peer(calling_ae_title, peer_ip)``; False rejects the association
        ("calling AE title not recognised").
    validate : bool
        Read each instance's header (never its pixel data) and refuse a data set that is
        not DICOM or whose SOP Class/Instance UID differ from the C-STORE request.
    spool_to_disk : bool
        Let pynetdicom write each incoming data set to a temporary file as it arrives
        instead of holding it in memory (``_config.STORE_RECV_CHUNKED_DATASET``). This is a
        process-wide pynetdicom setting, set by ``start`` and restored by ``stop``: run one
        SCP per process (as ``serve`` does).
    accept_unknown_sop_classes : bool
        Also accept private and not-yet-known storage SOP classes (a PACS often sends e.g.
        vendor non-image objects with a study) by turning on pynetdicom's process-wide
        ``_config.UNRESTRICTED_STORAGE_SERVICE``. pynetdicom then accepts the first
        transfer syntax the peer proposes for every storage context.
    on_association_end : Callable[[], None], optional
        Called once per association when it ends (released, aborted, rejected, or the
        connection dropped), e.g. to close the database connection that ``resolve_study``
        and ``store`` opened in the association's thread. It runs in that thread, except
        when ``stop`` aborts an association or a connection just drops, where it runs in
        the stopping thread or pynetdicom's DUL thread.
    maximum_associations : int
        Simultaneous associations; more are rejected transiently by pynetdicom.
    maximum_pdu_size : int
        Largest PDU we ask peers to send (pynetdicom's default, 16382 bytes); 0 means no
        limit. Larger PDUs did not measurably speed up storescu pushes here.
    """

    def __init__(
        self,
        resolve_study: ResolveStudy,
        store: StoreInstance,
        *,
        ae_title: str = "READERSTUDY",
        transfer_syntaxes: Sequence[str] | None = None,
        allow_peer: Callable[[str, str], bool] | None = None,
        validate: bool = True,
        spool_to_disk: bool = True,
        accept_unknown_sop_classes: bool = False,
        on_association_end: Callable[[], None] | None = None,
        maximum_associations: int = 10,
        maximum_pdu_size: int = 16382,
        acse_timeout: float = 30,
        dimse_timeout: float = 120,
        network_timeout: float = 120,
    ) -> None:
        self.resolve_study = resolve_study
        self.store = store
        self.ae_title = normalise_ae_title(ae_title)
        self.transfer_syntaxes = list(transfer_syntaxes or ALL_TRANSFER_SYNTAXES)
        self.allow_peer = allow_peer
        self.validate = validate
        self.spool_to_disk = spool_to_disk
        self.accept_unknown_sop_classes = accept_unknown_sop_classes
        self.on_association_end = on_association_end
        self._accepted_ts = frozenset(self.transfer_syntaxes)
        self._storage = frozenset(STORAGE_SOP_CLASSES)
        self._lock = threading.Lock()
        self._associations: dict[Association, _Association] = {}
        self._server: ThreadedAssociationServer | None = None
        self._saved_config = (False, False)

        self.ae = AE(ae_title=self.ae_title)
        self.ae.maximum_associations = maximum_associations
        self.ae.maximum_pdu_size = maximum_pdu_size
        self.ae.acse_timeout = acse_timeout
        self.ae.dimse_timeout = dimse_timeout
        self.ae.network_timeout = network_timeout
        # Only Verification is registered up front. pynetdicom deep-copies the supported
        # contexts for every association, and the full list (about 170 storage classes x
        # 45 syntaxes; an acceptor is not bound by the 128-context limit, which applies to
        # what one requestor proposes, PS3.8 Section 9.3.2.2) takes ~0.3 s to copy. The
        # storage contexts are instead built per association from what the peer proposes
        # (``_contexts_for``), which also lets the peer's order of preference win.
        self.ae.add_supported_context(Verification, ALL_TRANSFER_SYNTAXES)

    # -- lifecycle -------------------------------------------------------------------

    def start(self, host: str = "0.0.0.0", port: int = 11112) -> tuple[str, int]:
        """Start listening in background threads and return the bound (host, port).

        ``port=0`` binds a free port (useful in tests).
        """
        if self._server is not None:
            raise RuntimeError("this SCP is already running")
        self._saved_config = (
            _config.STORE_RECV_CHUNKED_DATASET,
            _config.UNRESTRICTED_STORAGE_SERVICE,
        )
        _config.STORE_RECV_CHUNKED_DATASET = self.spool_to_disk
        _config.UNRESTRICTED_STORAGE_SERVICE = self.accept_unknown_sop_classes
        handlers = [
            (evt.EVT_CONN_OPEN, _no_delay),
            (evt.EVT_REQUESTED, self._on_requested),
            (evt.EVT_C_STORE, self._on_c_store),
            (evt.EVT_C_ECHO, self._on_c_echo),
            (evt.EVT_RELEASED, self._on_finished),
            (evt.EVT_ABORTED, self._on_finished),
            (evt.EVT_CONN_CLOSE, self._on_finished),
        ]
        self._server = self.ae.start_server((host, port), block=False, evt_handlers=handlers)
        bound = self._server.server_address
        LOGGER.info("DICOM storage SCP %s listening on %s:%s", self.ae_title, *bound[:2])
        return str(bound[0]), int(bound[1])

    @property
    def address(self) -> tuple[str, int]:
        """The bound (host, port) of a running SCP."""
        if self._server is None:
            raise RuntimeError("this SCP is not running")
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self, grace: float = 10.0) -> None:
        """Stop accepting, give open associations ``grace`` seconds, then abort them."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        deadline = time.monotonic() + grace
        for assoc in server.active_associations:
            assoc.join(max(0.0, deadline - time.monotonic()))
            if assoc.is_alive():
                LOGGER.warning("aborting association from %s at shutdown", _peer(assoc))
                assoc.abort()
        _config.STORE_RECV_CHUNKED_DATASET, _config.UNRESTRICTED_STORAGE_SERVICE = (
            self._saved_config
        )
        LOGGER.info("DICOM storage SCP %s stopped", self.ae_title)

    def __enter__(self) -> StorageSCP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- association negotiation ------------------------------------------------------

    def _on_requested(self, event: evt.Event) -> None:
        assoc = event.assoc
        rq = assoc.requestor.primitive
        called = str(rq.called_ae_title).strip(" ")
        calling = str(rq.calling_ae_title).strip(" ")
        peer = _peer(assoc)
        if self.allow_peer is not None and not self.allow_peer(calling, peer.rsplit(":", 1)[0]):
            LOGGER.warning("rejecting %s from %s: peer not allowed", calling, peer)
            _reject(assoc, _REJECT_CALLING_AE)
            self._end_hook()  # every association, rejected or not, ends with the hook
            return
        try:
            key = self.resolve_study(called)
        except Exception:
            LOGGER.exception("rejecting %s from %s: resolving %r failed", calling, peer, called)
            _reject(assoc, _REJECT_TRANSIENT)
            self._end_hook()  # resolve_study may have used this thread's DB
            return
        if key is None:
            LOGGER.warning(
                "rejecting %s from %s: called AE title %r is no study's", calling, peer, called
            )
            _reject(assoc, _REJECT_CALLED_AE)
            self._end_hook()  # resolve_study may have used this thread's DB
            return
        if not self.accept_unknown_sop_classes:
            assoc.acceptor.supported_contexts = self._contexts_for(
                rq.presentation_context_definition_list
            )
        with self._lock:
            self._associations[assoc] = _Association(key, called, calling, peer)
        LOGGER.info("association from %s (%s) to %s accepted", calling, peer, called)

    def _contexts_for(self, proposed: Sequence[Any]) -> list[Any]:
        """Supported contexts for one association, in the requestor's order of preference.

        pynetdicom picks, for each proposed context, the first transfer syntax of *our*
        list that the peer proposed. A peer lists its preferred (usually the file's own)
        syntax first, so ordering our list by the peer's proposals keeps the data as it
        is stored at the sender instead of asking it to transcode.
        """
        rank: dict[str, dict[str, int]] = {}
        for cx in proposed:
            uid = str(cx.abstract_syntax)
            if uid not in self._storage and uid != Verification:
                continue
            order = rank.setdefault(uid, {})
            for position, ts in enumerate(cx.transfer_syntax):
                ts = str(ts)
                if ts in self._accepted_ts or uid == Verification:
                    order[ts] = min(order.get(ts, position), position)
        contexts = []
        for uid, order in rank.items():
            if order:
                syntaxes = sorted(order, key=lambda ts: order[ts])
                contexts.append(build_context(uid, syntaxes))
        return contexts

    # -- services --------------------------------------------------------------------

    def _on_c_echo(self, event: evt.Event) -> int:
        return 0x0000

    def _on_c_store(self, event: evt.Event) -> int | Dataset:
        with self._lock:
            state = self._associations.get(event.assoc)
        request = event.request
        sop_class = str(request.AffectedSOPClassUID)
        sop_instance = str(request.AffectedSOPInstanceUID)
        if state is None:  # cannot happen for an association we accepted
            return _failure(OUT_OF_RESOURCES, "association state lost")
        if not is_valid_uid(sop_instance):  # it becomes part of a storage path
            return self._failed(state, sop_instance, CANNOT_UNDERSTAND, "invalid SOP Instance UID")
        try:
            with _received_file(event) as (stream, size):
                state.received_bytes += size
                if self.validate:
                    header = read_instance_header(stream)
                    if header.sop_instance_uid != sop_instance:
                        raise StoreRefused(
                            "SOP Instance UID differs from the C-STORE request",
                            DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
                        )
                    if header.sop_class_uid != sop_class:
                        raise StoreRefused(
                            "SOP Class UID differs from the C-STORE request",
                            DATA_SET_DOES_NOT_MATCH_SOP_CLASS,
                        )
                self.store(state.key, sop_instance, stream)
        except StoreRefused as exc:
            return self._failed(state, sop_instance, exc.status, exc.reason)
        except NotDicom as exc:
            return self._failed(state, sop_instance, CANNOT_UNDERSTAND, str(exc))
        except Exception as exc:
            LOGGER.exception("storing %s for %s failed", sop_instance, state.called)
            return self._failed(
                state, sop_instance, OUT_OF_RESOURCES, f"{type(exc).__name__}: {exc}"
            )
        state.stored += 1
        LOGGER.debug("stored %s (%s, %d bytes) for %s", sop_instance, sop_class, size, state.called)
        return 0x0000

    def _failed(self, state: _Association, sop_instance: str, status: int, reason: str) -> Dataset:
        if not _is_c_store_failure(status):
            # e.g. 0x0110 "processing failure" is a STOW-RS Failure Reason but no C-STORE
            # status (PS3.4 Table B.2-1); Cxxx tells the peer not to retry as is.
            reason = f"0x{status:04X}: {reason}"
            status = CANNOT_UNDERSTAND
        state.failed += 1
        LOGGER.error(
            "refused %s from %s for %s: 0x%04X %s",
            sop_instance,
            state.calling,
            state.called,
            status,
            reason,
        )
        return _failure(status, reason)

    def _on_finished(self, event: evt.Event) -> None:
        # Released or aborted; EVT_CONN_CLOSE is the fallback for a connection that just
        # dropped. Whichever comes first settles the association, once.
        with self._lock:
            state = self._associations.pop(event.assoc, None)
        if state is None:
            return
        how = {evt.EVT_RELEASED: "released", evt.EVT_ABORTED: "aborted"}.get(event.event, "closed")
        LOGGER.info(
            "association from %s (%s) to %s %s: %d stored, %d refused, %d bytes, %.1f s",
            state.calling,
            state.peer,
            state.called,
            how,
            state.stored,
            state.failed,
            state.received_bytes,
            time.monotonic() - state.started,
        )
        self._end_hook()

    def _end_hook(self) -> None:
        if self.on_association_end is not None:
            try:
                self.on_association_end()
            except Exception:
                LOGGER.exception("on_association_end failed")


def _no_delay(event: evt.Event) -> None:
    """Keep TCP from adding ~40 ms to every C-STORE of a small instance.

    pynetdicom leaves Nagle's algorithm on, so each small C-STORE response waits for the
    peer's delayed ACK. Many senders (dcmtk's storescu, Orthanc: both dcmtk with Nagle on
    unless TCP_NODELAY=1 is set in their environment) write a command PDU and then a data
    PDU, and the second write waits for our ACK, which Linux delays by ~40 ms. Answering
    with TCP_NODELAY and ACKing at once (TCP_QUICKACK, Linux only, re-armed after each
    read since the kernel drops it) removes both waits.
    """
    wrapper = event.assoc.dul.socket
    sock = getattr(wrapper, "socket", None)
    if wrapper is None or sock is None:
        return
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is None:
        return
    read = wrapper.recv

    def recv_and_ack(nr_bytes: int) -> bytearray:
        data = read(nr_bytes)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)
        return data

    wrapper.recv = recv_and_ack


def _peer(assoc: Association) -> str:
    info = assoc.requestor.address_info
    return f"{info.address}:{info.port}" if info is not None else "?"


def _reject(assoc: Association, rsd: tuple[int, int, int]) -> None:
    # Mirrors pynetdicom's own rejection: send A-ASSOCIATE-RJ, then wait for the DUL to
    # finish so the PDU leaves before the socket is closed.
    assoc.acse.send_reject(*rsd)
    assoc.kill()


def _is_c_store_failure(status: int) -> bool:
    """A failure status a C-STORE response may carry (PS3.4 Table B.2-1, PS3.7 Annex C)."""
    return (
        0xA700 <= status <= 0xA7FF
        or 0xA900 <= status <= 0xA9FF
        or 0xC000 <= status <= 0xCFFF
        or status in (0x0117, 0x0122, 0x0124, 0x0210, 0x0211, 0x0212)
    )


def _failure(status: int, reason: str) -> Dataset:
    ds = Dataset()
    ds.Status = status
    ds.ErrorComment = reason[:_ERROR_COMMENT_MAX]
    return ds


@contextmanager
def _received_file(event: evt.Event) -> Iterator[tuple[BinaryIO, int]]:
    """The received PS3.10 file as a stream, from pynetdicom's spool file or memory."""
    try:
        path = event.dataset_path  # None (or AttributeError) unless pynetdicom spooled it
    except AttributeError:
        path = None
    if path is None:
        data = event.encoded_dataset(include_meta=True)
        yield BytesIO(data), len(data)
        return
    with open(path, "rb") as stream:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
        yield stream, size


def serve(
    host: str,
    port: int,
    resolve_study: ResolveStudy,
    store: StoreInstance,
    *,
    stop_event: threading.Event | None = None,
    grace: float = 30.0,
    **options: Any,
) -> None:
    """Run a ``StorageSCP`` until SIGTERM or SIGINT (or ``stop_event``), then stop cleanly.

    Signal handlers are installed only when called from the main thread (Python allows no
    other); elsewhere pass ``stop_event``. Open associations get ``grace`` seconds to
    finish before they are aborted.

    Parameters
    ----------
    host, port : str, int
        Where to listen.
    resolve_study, store
        See ``StorageSCP``.
    stop_event : threading.Event, optional
        Set it to stop the server.
    grace : float
        Seconds open associations may still run after the stop request.
    **options
        Passed to ``StorageSCP``.
    """
    stop = stop_event or threading.Event()
    scp = StorageSCP(resolve_study, store, **options)
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def _request_stop(signum: int, frame: object) -> None:
            LOGGER.info("signal %s received, stopping", signal.Signals(signum).name)
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _request_stop)
    try:
        scp.start(host, port)
        # A timed wait keeps the main thread responsive to signals.
        while not stop.wait(0.5):
            pass
    finally:
        scp.stop(grace)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
