"""Serializers of the reading API: input parsing and the documented output shapes.

Output dicts come from ``readerstudy.reading.selectors.assignments``; these classes give them a
schema (drf-spectacular) and a stable rendering. No logic lives here.
"""

from __future__ import annotations

from rest_framework import serializers


class AnswersSerializer(serializers.Serializer):
    """Body of a draft save and of a submit: the full current answers of one assignment."""

    scores = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(allow_null=True)),
        help_text='Per pane, per criterion key: the score, e.g. {"A": {"noise": 4}, "B": {}}. '
        "A criterion absent from a pane (or null) is unset.",
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False
    )
    preference = serializers.ChoiceField(
        choices=["A", "B", "none"], required=False, allow_null=True, allow_blank=True, default=None
    )
    active_seconds = serializers.FloatField(required=False, default=0.0, min_value=0.0)
    revision = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0,
        help_text="The revision the client last saw; stale revisions are accepted.",
    )  # fmt: skip


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField()


class MissingScoresSerializer(ErrorSerializer):
    missing = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class LockedSerializer(ErrorSerializer):
    status = serializers.CharField()


class DraftSavedSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    saved_at = serializers.DateTimeField()
    status = serializers.CharField()


class SubmittedSerializer(serializers.Serializer):
    status = serializers.CharField()
    next_url = serializers.CharField(allow_null=True)
    worklist_url = serializers.CharField()


class StudyBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    design = serializers.CharField()


class AssignmentStateSerializer(serializers.Serializer):
    read_order = serializers.IntegerField(
        help_text='1-based position in the reader\'s own order; the label is "Case {read_order}".'
    )
    label = serializers.CharField()
    sequence = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "draft", "submitted"])
    editable = serializers.BooleanField()
    comment = serializers.CharField(allow_blank=True)
    preference = serializers.CharField(allow_null=True)
    ask_preference = serializers.BooleanField()
    allow_comment = serializers.BooleanField()
    active_seconds = serializers.FloatField()
    revision = serializers.IntegerField()


class WindowSerializer(serializers.Serializer):
    center = serializers.FloatField()
    width = serializers.FloatField()


class RangeSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()


class PaneSerializer(serializers.Serializer):
    """A pane as the reader sees it: an opaque token plus the whitelisted series view."""

    name = serializers.CharField()
    token = serializers.CharField()
    rows = serializers.IntegerField()
    columns = serializers.IntegerField()
    slices = serializers.IntegerField()
    pixel_spacing = serializers.ListField(child=serializers.FloatField())
    slice_spacing = serializers.FloatField(allow_null=True)
    dtype = serializers.ChoiceField(choices=["int16", "uint16"])
    window = WindowSerializer()
    range = RangeSerializer()


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    help_text = serializers.CharField(allow_blank=True)
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    anchors = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()


class AssignmentDetailSerializer(serializers.Serializer):
    study = StudyBriefSerializer()
    assignment = AssignmentStateSerializer()
    panes = PaneSerializer(many=True)
    criteria = CriterionSerializer(many=True)
    scores = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    next_url = serializers.CharField(allow_null=True)
    previous_url = serializers.CharField(allow_null=True)


class WorklistStudySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    design = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    drafts = serializers.IntegerField()
    active_seconds = serializers.FloatField()
    continue_url = serializers.CharField(allow_null=True)
    session2_opens_at = serializers.DateTimeField(
        allow_null=True, required=False,
        help_text="Sequential design: when session 2 opens (null while session 1 is unfinished).",
    )  # fmt: skip


class WorklistSerializer(serializers.Serializer):
    studies = WorklistStudySerializer(many=True)


class AssignmentListItemSerializer(serializers.Serializer):
    read_order = serializers.IntegerField()
    label = serializers.CharField()
    sequence = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reopenable = serializers.BooleanField()
    url = serializers.CharField()


class AssignmentListSerializer(serializers.Serializer):
    assignments = AssignmentListItemSerializer(many=True)


class NextAssignmentSerializer(serializers.Serializer):
    read_order = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True)
