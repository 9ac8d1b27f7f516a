"""Writes of the studies app, one module per entity, each change audited.

``study`` (create, settings, close), ``site``, ``membership``, ``sequence``, ``criterion``, ``case``
(exclusion) and ``plan`` (who reads which cases). Opening a study belongs to the reading app,
which schedules the readers (``readerstudy.reading.services.study_open``).
"""

from readerstudy.studies.services.case import case_exclude, case_include
from readerstudy.studies.services.common import FROZEN_MESSAGE, require_draft
from readerstudy.studies.services.criterion import (
    CRITERION_FIELDS,
    criterion_add,
    criterion_move,
    criterion_remove,
    criterion_update,
)
from readerstudy.studies.services.membership import (
    membership_activate,
    membership_deactivate,
    membership_grant,
    membership_site_set,
)
from readerstudy.studies.services.sequence import (
    sequence_add,
    sequence_move,
    sequence_remove,
    sequence_update,
)
from readerstudy.studies.services.site import site_add
from readerstudy.studies.services.study import (
    SETTINGS_FIELDS,
    study_close,
    study_create,
    study_settings_update,
)

__all__ = [
    "CRITERION_FIELDS",
    "FROZEN_MESSAGE",
    "SETTINGS_FIELDS",
    "case_exclude",
    "case_include",
    "criterion_add",
    "criterion_move",
    "criterion_remove",
    "criterion_update",
    "membership_activate",
    "membership_deactivate",
    "membership_grant",
    "membership_site_set",
    "require_draft",
    "sequence_add",
    "sequence_move",
    "sequence_remove",
    "sequence_update",
    "site_add",
    "study_close",
    "study_create",
    "study_settings_update",
]
