"""Serializers: they parse input and shape output; services hold the logic."""

from __future__ import annotations

from rest_framework import serializers

from readerstudy.studies.models import Criterion, Membership, ReadingPlan, Sequence, Study


class StudySerializer(serializers.ModelSerializer):
    class Meta:
        model = Study
        fields = [
            "slug",
            "title",
            "description",
            "status",
            "design",
            "washout_days",
            "allow_revisions",
            "ask_preference",
            "allow_comment",
            "noninferiority_margin",
            "randomization_seed",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = ["slug", "status", "randomization_seed", "opened_at", "closed_at"]


class StudyCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=64)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    template = serializers.CharField(
        required=False,
        allow_blank=True,
        default="glioma_dl_template",
        help_text="A template name, or empty for a study from scratch.",
    )


class SequenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sequence
        fields = ["id", "key", "label", "order"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = [
            "id",
            "key",
            "label",
            "help_text",
            "order",
            "scale_min",
            "scale_max",
            "anchors",
            "required",
            "noninferiority",
        ]


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    blocking = serializers.BooleanField()


class WorkloadSerializer(serializers.Serializer):
    reader = serializers.CharField(source="membership.user.username")
    site = serializers.CharField(source="membership.site.name", default="")
    cases = serializers.IntegerField()
    tasks = serializers.IntegerField()
    scores = serializers.IntegerField()


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    site = serializers.CharField(source="site.name", default="")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "site", "is_active"]


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)
    site = serializers.CharField(required=False, allow_blank=True, help_text="Site name (readers).")
    username = serializers.CharField(required=False, allow_blank=True, max_length=150)


class MembershipActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["deactivate", "activate", "site"])
    site = serializers.CharField(required=False, allow_blank=True)


class ExclusionSerializer(serializers.Serializer):
    excluded = serializers.BooleanField(default=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PlanRowSerializer(serializers.Serializer):
    reader = serializers.CharField()
    case = serializers.CharField()


class ReadingPlanSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=ReadingPlan.Mode.choices)
    readers_per_case = serializers.IntegerField(required=False, min_value=1)
    rows = PlanRowSerializer(many=True, required=False)


class OpenSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AuditEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    data = serializers.JSONField()
    ip_address = serializers.CharField(allow_null=True)
