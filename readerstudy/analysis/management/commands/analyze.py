"""python manage.py analyze SLUG --out DIR: the study's analysis written to a folder."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from readerstudy.analysis.models import AnalysisRun
from readerstudy.studies.models import Study


class Command(BaseCommand):
    help = (
        "Analyse a study's submitted scores (and ROI statistics, when the study has ROIs): "
        "writes results.json, the CSV tables and report.html to --out."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The study's slug.")
        parser.add_argument("--out", required=True, help="Output folder (created if missing).")
        parser.add_argument(
            "--margin",
            type=float,
            default=None,
            help="Non-inferiority margin in score points (default: the study's margin).",
        )
        parser.add_argument(
            "--adjust",
            choices=AnalysisRun.Adjust.values,
            default="holm",
            help="Multiplicity adjustment: holm (default) or bh (Benjamini–Hochberg).",
        )
        parser.add_argument(
            "--icc",
            choices=("anova", "reml"),
            default="anova",
            help="ICC estimator: anova (classic, default) or reml (non-negative components).",
        )
        parser.add_argument(
            "--power-effect",
            type=float,
            default=None,
            help="Difference in mean score for the power table (default: the margin).",
        )

    def handle(
        self, *args, slug: str, out: str, margin, adjust: str, icc: str, power_effect, **options
    ) -> None:
        from readerstudy.analysis.services import analysis_export
        from readerstudy.analysis.stats.io import AnalysisInputError

        study = Study.objects.filter(slug=slug).first()
        if study is None:
            raise CommandError(f"No study with the slug {slug!r}.")
        started = time.perf_counter()
        try:
            output = analysis_export(
                study=study,
                out=out,
                margin=margin,
                adjust=adjust,
                icc_estimator=icc,
                power_effect=power_effect,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except AnalysisInputError as exc:
            raise CommandError(str(exc)) from None
        seconds = time.perf_counter() - started
        for path in output["written"].values():
            self.stdout.write(str(path))
        meta = output["results"]["meta"]
        rois = "with" if output["results"]["quantitative"] else "without"
        self.stdout.write(
            self.style.SUCCESS(
                f"Analysed {meta['n_scores']} scores of {meta['n_readers']} readers on "
                f"{meta['n_cases']} cases of {slug!r} ({rois} ROI statistics) in {seconds:.1f} s."
            )
        )
