"""Why a reading write was refused. The API maps each to a status code and a JSON body."""

from __future__ import annotations


class ReadingRefused(Exception):
    """Base class: ``detail`` is a sentence for the reader; ``extra`` joins the JSON body."""

    status_code = 400

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ScoresInvalid(ReadingRefused):
    """Unknown pane or criterion, a score outside the scale, or a bad comment/preference."""

    status_code = 400

    def __init__(self, errors: dict):
        super().__init__(
            "Some answers could not be saved; nothing was changed. " + _first_error(errors),
            errors=errors,
        )


class AssignmentLocked(ReadingRefused):
    """The task is submitted and the study does not allow revisions."""

    status_code = 409

    def __init__(self):
        super().__init__(
            "This case is already submitted and this study does not allow changes.",
            status="submitted",
        )


class SessionNotOpen(ReadingRefused):
    """Sequential design: the task belongs to session 2 and the washout has not passed."""

    status_code = 403

    def __init__(self, opens_at=None):
        when = (
            f"on {opens_at:%Y-%m-%d %H:%M} UTC"
            if opens_at is not None
            else "after you finish session 1 and the washout period"
        )
        super().__init__(
            f"Session 2 opens {when}.",
            opens_at=opens_at.isoformat() if opens_at is not None else None,
        )


class StudyNotOpen(ReadingRefused):
    status_code = 404

    def __init__(self):
        super().__init__("This study is not open for reading.")


def _first_error(errors: dict) -> str:
    """The first message of a nested error dict, so the headline names the bad input."""
    for key, value in errors.items():
        if isinstance(value, dict):
            inner = _first_error(value)
            if inner:
                return inner
        elif isinstance(value, list | tuple) and value:
            return str(value[0])
        elif value:
            return str(value)
        del key
    return ""
