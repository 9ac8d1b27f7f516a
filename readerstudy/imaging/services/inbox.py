"""The study's inbox: instances received from PACS (C-STORE, STOW-RS), imported on request.

Files live in ``storages["inbox"]`` (a local folder now, object storage later: only the storage
API is used), one row per instance in ``InboxInstance``. Importing copies them into a private
work folder and runs THE import (``import_dicom``), so the inbox is matched by a manifest or the
study's rules exactly like a folder. Instances of series that were imported, or were already
there unchanged, leave the inbox; the others stay, with their reasons in the report.
"""

from __future__ import annotations

import logging
import shutil
from typing import IO, BinaryIO

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction

from readerstudy.audit.services import audit_record
from readerstudy.imaging.dicomnet.instance import InstanceHeader, is_valid_uid
from readerstudy.imaging.intake.report import ImportReport
from readerstudy.imaging.intake.scan import Progress
from readerstudy.imaging.intake.workdir import work_folder
from readerstudy.imaging.models import InboxInstance
from readerstudy.imaging.services.intake import import_dicom
from readerstudy.studies.models import Study

logger = logging.getLogger(__name__)
INBOX_SOURCE = "inbox"
EMPTY = "The inbox is empty: nothing to import."


def inbox_storage() -> Storage:
    return storages["inbox"]


def _storage_name(study: Study, header: InstanceHeader) -> str:
    series = header.series_instance_uid if is_valid_uid(header.series_instance_uid) else "_"
    return f"{study.pk}/{series}/{header.sop_instance_uid}.dcm"


def inbox_store(
    *, study: Study, header: InstanceHeader, stream: BinaryIO, source: str
) -> InboxInstance:
    """Keep one received instance (a PS3.10 file, as it arrived) in the study's inbox.

    A resend of the same SOP Instance UID replaces the earlier copy. The caller has checked the
    header (``read_instance_header``): its UIDs are safe to use in a storage name.
    """
    storage = inbox_storage()
    name = _storage_name(study, header)
    if storage.exists(name):
        storage.delete(name)  # a resend replaces; FileSystemStorage would otherwise rename
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    saved = storage.save(name, File(stream, name=name.rsplit("/", 1)[-1]))
    instance, _ = InboxInstance.objects.update_or_create(
        study=study,
        sop_instance_uid=header.sop_instance_uid,
        defaults={
            "sop_class_uid": header.sop_class_uid,
            "series_uid": header.series_instance_uid[:64],
            "study_uid": header.study_instance_uid[:64],
            "transfer_syntax": header.transfer_syntax_uid[:64],
            "size": size,
            "source": source[:120],
            "storage_name": saved,
        },
    )
    return instance


def _copy_out(instances: list[InboxInstance], folder) -> None:
    storage = inbox_storage()
    for instance in instances:
        target = folder / instance.storage_name.replace("/", "_")
        try:
            with storage.open(instance.storage_name, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
        except OSError:
            logger.warning("The inbox file %s cannot be read", instance.storage_name)


def inbox_import(
    *,
    study: Study,
    manifest: str | bytes | IO | None = None,
    dry_run: bool = False,
    actor=None,
    request=None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import everything in the study's inbox through ``import_dicom``; see docs/import.md.

    An empty inbox gives an empty report saying so (a re-run is a no-op, not a failure).
    """
    instances = list(InboxInstance.objects.filter(study=study))
    if not instances:
        report = ImportReport(study=study.slug, source=INBOX_SOURCE, dry_run=dry_run)
        report.warnings.append(EMPTY)
        return report
    with work_folder() as folder:
        _copy_out(instances, folder)
        report = import_dicom(
            study=study,
            path=folder,
            manifest=manifest,
            dry_run=dry_run,
            actor=actor,
            request=request,
            progress=progress,
            source_name=INBOX_SOURCE,
        )
    if not dry_run:
        _inbox_release(study=study, report=report, actor=actor, request=request)
    return report


@transaction.atomic
def _inbox_release(*, study: Study, report: ImportReport, actor, request) -> None:
    """Take the instances of imported (or already stored) series out of the inbox."""
    done = {e["series_uid"] for e in report.imported + report.skipped if e.get("series_uid")}
    leaving = InboxInstance.objects.filter(study=study, series_uid__in=done)
    names = list(leaving.values_list("storage_name", flat=True))
    count = leaving.delete()[0]
    storage = inbox_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    audit_record(
        action="import.inbox_release",
        actor=actor,
        study=study,
        data={"series": len(done), "instances": count},
        request=request,
    )
