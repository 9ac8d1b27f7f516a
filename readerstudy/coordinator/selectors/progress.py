"""Reads for the live progress dashboard: per reader (by site), per case, and over time."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.db.models import Max
from django.utils import timezone

from readerstudy.reading.models import Assignment, Rating
from readerstudy.reading.selectors.frame import iso_utc
from readerstudy.studies.models import Membership, Study

MAX_TIMELINE_POINTS = 240


def _reader_rows(study: Study) -> list[dict]:
    assignments = Assignment.objects.filter(study=study).values_list(
        "reader_id", "status", "active_seconds", "started_at", "submitted_at"
    )
    per_reader: dict[int, dict] = defaultdict(
        lambda: {"total": 0, "done": 0, "drafts": 0, "seconds": [], "last": None}
    )
    for reader_id, status, seconds, started_at, submitted_at in assignments:
        row = per_reader[reader_id]
        row["total"] += 1
        if status == Assignment.Status.SUBMITTED:
            row["done"] += 1
            row["seconds"].append(float(seconds))
        elif status == Assignment.Status.DRAFT:
            row["drafts"] += 1
        for moment in (started_at, submitted_at):
            if moment is not None and (row["last"] is None or moment > row["last"]):
                row["last"] = moment
    last_rating = dict(
        Rating.objects.filter(assignment__study=study)
        .values_list("assignment__reader_id")
        .annotate(last=Max("updated_at"))
        .values_list("assignment__reader_id", "last")
    )
    memberships = (
        Membership.objects.filter(study=study, role=Membership.Role.READER)
        .select_related("user", "site")
        .order_by("site__name", "user__username")
    )
    rows = []
    for membership in memberships:
        row = per_reader[membership.user_id]
        last = max(
            (m for m in (row["last"], last_rating.get(membership.user_id)) if m is not None),
            default=None,
        )
        rows.append(
            {
                "username": membership.user.get_username(),
                "membership": membership.pk,
                "site": membership.site.name if membership.site else "",
                "active": membership.is_active,
                "done": row["done"],
                "total": row["total"],
                "drafts": row["drafts"],
                "median_seconds": round(statistics.median(row["seconds"]), 1)
                if row["seconds"]
                else None,
                "total_seconds": round(sum(row["seconds"]), 1),
                "last_activity": iso_utc(last) or None,
                "tasks_url": f"/studies/{study.slug}/readers/{membership.pk}/tasks/",
            }
        )
    return rows


def _case_rows(study: Study) -> list[dict]:
    rows = Assignment.objects.filter(study=study).values_list(
        "task__case__identifier", "task__case__site__name", "reader_id", "status"
    )
    readers: dict[tuple, dict[int, bool]] = defaultdict(dict)
    for case, site, reader_id, status in rows:
        done = readers[(case, site)].get(reader_id, True)
        readers[(case, site)][reader_id] = done and status == Assignment.Status.SUBMITTED
    return [
        {
            "case": case,
            "site": site,
            "readers_done": sum(1 for done in per_reader.values() if done),
            "readers_total": len(per_reader),
        }
        for (case, site), per_reader in sorted(readers.items())
    ]


def _timeline(study: Study) -> list[dict]:
    moments = list(
        Assignment.objects.filter(study=study, status=Assignment.Status.SUBMITTED)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
    )
    if not moments:
        return []
    step = max(1, len(moments) // MAX_TIMELINE_POINTS)
    points = [
        {"at": iso_utc(moments[i]), "done": i + 1} for i in range(step - 1, len(moments), step)
    ]
    if points[-1]["done"] != len(moments):
        points.append({"at": iso_utc(moments[-1]), "done": len(moments)})
    return points


def study_progress(study: Study) -> dict:
    """Everything the dashboard shows, as JSON-ready data."""
    readers = _reader_rows(study)
    sites: dict[str, list[dict]] = defaultdict(list)
    for row in readers:
        sites[row["site"]].append(row)
    return {
        "study": {"slug": study.slug, "title": study.title, "status": study.status},
        "generated_at": iso_utc(timezone.now()),
        "totals": {
            "done": sum(r["done"] for r in readers),
            "total": sum(r["total"] for r in readers),
            "drafts": sum(r["drafts"] for r in readers),
            "readers": sum(1 for r in readers if r["active"]),
        },
        "sites": [{"site": site, "readers": rows} for site, rows in sites.items()],
        "cases": _case_rows(study),
        "timeline": _timeline(study),
    }
