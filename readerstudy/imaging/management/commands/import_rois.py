"""python manage.py import_rois SLUG ROIS.csv: ROIs from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from readerstudy.imaging.services.rois_csv import ROIImportError, rois_import_csv
from readerstudy.studies.models import Study

FORMAT = """
CSV columns (header row required, UTF-8): case, sequence, label, slice, shape, points
and optionally name.

  case      the case identifier, as on the coordinator's case list (e.g. NYU-01)
  sequence  the sequence key (e.g. T2W, FLAIR, T1CE)
  label     lesion, white_matter, gray_matter, csf, background or custom
            (give custom ROIs a name; their statistics are labelled custom_<name>)
  slice     1-based slice number, as the viewer shows it (1 = first slice)
  shape     ellipse or polygon
  points    pixel coordinates, x = column and y = row, 0-based, pixel centres on whole
            numbers; as text "x y; x y; ..." or as JSON [[x, y], ...]
            ellipse: centre then semi-axes (radii), "cx cy; rx ry"
            polygon: three or more vertices "x1 y1; x2 y2; x3 y3; ..." (closes itself)

A pixel belongs to the ROI when its centre lies inside the shape. The ROI applies to both
arms of the case x sequence. Example:

  case,sequence,label,slice,shape,points
  NYU-01,T2W,white_matter,12,ellipse,"130 120; 8 8"
  NYU-01,T2W,lesion,12,polygon,"[[90,100],[110,98],[112,120],[92,122]]"

Every bad line is reported (line 1 is the header) and nothing is imported until the file is
clean. ROIs identical to ones already stored are skipped, so re-running is safe.
"""


class Command(BaseCommand):
    help = "Import ROIs for a study from a CSV file (all or nothing)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        parser.description = self.help + "\n" + FORMAT
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The study's slug.")
        parser.add_argument("csv", type=Path, help="The ROI CSV file.")

    def handle(self, *args, **options) -> None:
        study = Study.objects.filter(slug=options["slug"]).first()
        if study is None:
            raise CommandError(f'There is no study "{options["slug"]}".')
        path: Path = options["csv"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            report = rois_import_csv(study=study, csv_text_or_path=path)
        except ROIImportError as error:
            raise CommandError("Nothing was imported:\n" + "\n".join(error.problems)) from None
        self.stdout.write(report.as_text())
