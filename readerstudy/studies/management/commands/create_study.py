from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.studies.protocols import DEFAULT_TEMPLATE
from readerstudy.studies.services import study_create


class Command(BaseCommand):
    help = "Create a draft study from a study template (default: the glioma DL protocol)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--title", default=None)
        parser.add_argument("--template", default=DEFAULT_TEMPLATE)

    def handle(self, *args, slug, title, template, **options):
        try:
            study = study_create(slug=slug, title=title, template=template)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created study {study.slug!r}: {study.sequences.count()} sequences, "
                f"{study.criteria.count()} criteria."
            )
        )
