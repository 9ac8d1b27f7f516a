"""Coordinator API of a study's people: invite, list, deactivate, move between sites."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.response import Response

from readerstudy.coordinator.api import serializers as s
from readerstudy.coordinator.api.common import TAG
from readerstudy.coordinator.services import people
from readerstudy.studies import services as study_services
from readerstudy.studies.access import (
    get_membership_for_coordinator,
)
from readerstudy.studies.gates import CoordinatorAPIView, bad_request
from readerstudy.studies.models import Membership


class MemberListView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG, summary="Readers and coordinators", responses=s.MembershipSerializer(many=True)
    )
    def get(self, request, slug):
        members = Membership.objects.filter(study=self.study).select_related("user", "site")
        return Response(s.MembershipSerializer(members, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Invite a reader or coordinator by email (one-time set-password link)",
        request=s.InviteSerializer,
        responses={201: s.MembershipSerializer},
    )
    def post(self, request, slug):
        data = s.InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site_name = data.validated_data.get("site", "")
        site = self.study.sites.filter(name=site_name).first() if site_name else None
        if site_name and site is None:
            return Response({"detail": f"The study has no site named {site_name!r}."}, status=400)
        try:
            invitation = people.invitation_send(
                study=self.study,
                email=data.validated_data["email"],
                role=data.validated_data["role"],
                site=site,
                username=data.validated_data.get("username", ""),
                actor=request.user,
                request=request,
            )
        except ValidationError as exc:
            return bad_request(exc)
        return Response(s.MembershipSerializer(invitation.membership).data, status=201)


class MemberView(CoordinatorAPIView):
    @extend_schema(
        tags=TAG,
        summary="Deactivate (scores kept), reactivate, or move a reader to a site",
        operation_id="studies_member_action",
        request=s.MembershipActionSerializer,
        responses=s.MembershipSerializer,
    )
    def post(self, request, slug, membership_id):
        membership = get_membership_for_coordinator(self.study, membership_id)
        data = s.MembershipActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        who = {"actor": request.user, "request": request}
        try:
            if action == "deactivate":
                study_services.membership_deactivate(membership=membership, **who)
            elif action == "activate":
                people.membership_reactivate(membership=membership, **who)
            else:
                site = self.study.sites.filter(name=data.validated_data.get("site", "")).first()
                if site is None:
                    raise ValidationError("Name one of this study's sites.")
                study_services.membership_site_set(membership=membership, site=site, **who)
        except ValidationError as exc:
            return bad_request(exc)
        return Response(s.MembershipSerializer(membership).data)
