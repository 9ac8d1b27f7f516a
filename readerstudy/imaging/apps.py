import sys

from django.apps import AppConfig


class ImagingConfig(AppConfig):
    name = "readerstudy.imaging"
    label = "imaging"

    def ready(self) -> None:
        if sys.argv[1:2] == ["db_worker"]:
            # A worker that starts after a crash removes the work folders its dead imports left.
            from readerstudy.imaging.intake.workdir import stale_work_folders_remove

            stale_work_folders_remove()
