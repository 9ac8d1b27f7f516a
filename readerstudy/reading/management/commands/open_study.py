"""python manage.py open_study SLUG [--seed N]: open a draft study and schedule its readers."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.reading.services import study_open
from readerstudy.studies.models import Study


class Command(BaseCommand):
    help = "Open a draft study: store the seed, give every active reader a randomized schedule."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--seed", type=int, default=None, help="Study seed (random if unset).")

    def handle(self, *args, slug, seed, **options):
        study = Study.objects.filter(slug=slug).first()
        if study is None:
            raise CommandError(f"No study with the slug {slug!r}.")
        try:
            result = study_open(study=study, seed=seed)
        except ValidationError as exc:
            problems = "\n".join(f"  - {message}" for message in exc.messages)
            raise CommandError(f"The study {slug!r} cannot open yet:\n{problems}") from None
        side_by_side = study.is_side_by_side
        self.stdout.write(self.style.SUCCESS(f"Opened {slug!r} with seed {result['seed']}."))
        what = "enhanced in pane A" if side_by_side else "enhanced in session 1"
        for summary in result["readers"]:
            per_sequence = ", ".join(
                f"{key} {summary.enhanced_first.get(key, 0)}/{n if side_by_side else n // 2}"
                for key, n in summary.per_sequence.items()
            )
            sessions = (
                ""
                if side_by_side
                else " · sessions " + ", ".join(f"{k}: {v}" for k, v in summary.sessions.items())
            )
            self.stdout.write(
                f"{summary.reader}: {summary.tasks} tasks{sessions} · {what}: "
                f"{per_sequence or 'none'}"
            )
        skipped = {
            (s["case"], s["sequence"], s["reason"]) for r in result["readers"] for s in r.skipped
        }
        if skipped:
            self.stdout.write(self.style.WARNING(f"Skipped {len(skipped)} case × sequence pairs:"))
            for case, sequence, reason in sorted(skipped):
                self.stdout.write(f"  {case} {sequence}: {reason}")
