"""The C-STORE listener: a storage SCP whose called AE title selects the study's inbox."""

from __future__ import annotations

import logging
from typing import BinaryIO

from django.db import close_old_connections, connection

from readerstudy.imaging.dicomnet.instance import read_instance_header
from readerstudy.imaging.dicomnet.scp import StorageSCP
from readerstudy.imaging.services.inbox import inbox_store
from readerstudy.studies.models import Study

logger = logging.getLogger(__name__)
LISTENER_AE_TITLE = "READERSTUDY"


class _Peers:
    """Remembers each association's calling AE title, for the inbox's 'source' column."""

    def __init__(self) -> None:
        self.calling: dict[int, str] = {}


def study_for_ae_title(called_ae: str) -> int | None:
    """The draft study that answers to ``called_ae``, or None (the association is rejected)."""
    close_old_connections()
    return (
        Study.objects.filter(dicom_ae_title=called_ae.strip(), status=Study.Status.DRAFT)
        .values_list("pk", flat=True)
        .first()
    )


def _store(study_pk: int, sop_instance_uid: str, stream: BinaryIO) -> None:
    header = read_instance_header(stream)  # already checked by the SCP; gives the series UID
    study = Study.objects.get(pk=study_pk)
    inbox_store(study=study, header=header, stream=stream, source="C-STORE")


def inbox_listener(**options) -> StorageSCP:
    """A storage SCP for every storage SOP class and transfer syntax, storing into inboxes.

    Private SOP classes (e.g. vendor non-image objects pushed with a study) are accepted too, so
    a PACS push does not end "completed with failures"; the import later skips what is not an
    image. Database connections are closed at the end of each association (its own thread).
    """
    return StorageSCP(
        study_for_ae_title,
        _store,
        ae_title=options.pop("ae_title", LISTENER_AE_TITLE),
        accept_unknown_sop_classes=True,
        on_association_end=lambda: connection.close(),  # this thread's connection
        **options,
    )
