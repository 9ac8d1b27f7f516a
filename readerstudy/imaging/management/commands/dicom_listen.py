"""python manage.py dicom_listen [--port P] [--host H]"""

from __future__ import annotations

import logging
import signal
import threading

from django.core.management.base import BaseCommand

from readerstudy.imaging.services.listener import inbox_listener


class Command(BaseCommand):
    help = (
        "Receive DICOM from PACS (C-STORE) into study inboxes. The called AE title selects the "
        "study (shown on its import page); unknown titles are rejected. Nothing is imported "
        "until a coordinator imports the inbox."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=11112)
        parser.add_argument("--host", default="0.0.0.0")

    def handle(self, *args, **options) -> None:
        logging.getLogger("pynetdicom").setLevel(logging.WARNING)  # it logs every PDU at INFO
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        scp = inbox_listener()
        host, port = scp.start(options["host"], options["port"])
        self.stdout.write(f"Listening for C-STORE on {host}:{port} (Ctrl-C stops).")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            scp.stop(grace=30)
            self.stdout.write("Stopped.")
