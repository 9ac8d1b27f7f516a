"""Study templates: a study's protocol (sequences, criteria, design) kept as JSON in fixtures/."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

TEMPLATE_DIR = Path(settings.BASE_DIR) / "fixtures"
DEFAULT_TEMPLATE = "glioma_dl_template"


def template_names() -> list[str]:
    return sorted(path.stem for path in TEMPLATE_DIR.glob("*_template.json"))


def load_template(name: str = DEFAULT_TEMPLATE) -> dict:
    """Read and validate a template; errors name the template and the bad part."""
    if name not in template_names():
        raise ValidationError(
            f"Unknown study template {name!r}; available: {', '.join(template_names())}."
        )
    data = json.loads((TEMPLATE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    for key in ("title", "sequences", "criteria"):
        if key not in data:
            raise ValidationError(f"Study template {name!r} has no {key!r}.")
    modalities = data.get("modalities", [])
    if not isinstance(modalities, list) or not all(
        isinstance(m, str) and m.isupper() and 0 < len(m) <= 16 for m in modalities
    ):
        raise ValidationError(
            f"Study template {name!r}: 'modalities' must be a list of DICOM modality codes "
            'such as ["MR"].'
        )
    for criterion in data["criteria"]:
        low, high = criterion.get("scale_min", 1), criterion.get("scale_max", 5)
        if len(criterion.get("anchors", [])) != high - low + 1:
            raise ValidationError(
                f"Study template {name!r}: criterion {criterion.get('key')!r} needs "
                f"{high - low + 1} anchor texts."
            )
    return data
