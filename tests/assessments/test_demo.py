"""The demo's assessments: one summarised with three reviewers (one conflict declared), one
open; a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from luodi import demo
from luodi.assessments.choices import Status
from luodi.assessments.models import Assessment, Invitation
from luodi.assessments.results import latest_results
from tests.assessments.helpers import default_template

pytestmark = pytest.mark.django_db


def test_demo_assessments() -> None:
    default_template()  # in case a browser test flushed the migration's rows
    out = io.StringIO()
    demo.load(out)
    demo.load(io.StringIO())  # idempotent

    assessments = list(Assessment.objects.filter(is_demo=True).order_by("pk"))
    assert [a.status for a in assessments] == [Status.SUMMARISED, Status.OPEN], out.getvalue()
    done, running = assessments
    reviewers = list(Invitation.objects.filter(assessment=done))
    assert len(reviewers) == 3
    assert sum(r.has_conflict for r in reviewers) == 1
    assert sum(r.submitted_at is not None for r in reviewers) == 2
    result = latest_results([done.achievement_id])[done.achievement_id]
    assert result.readiness == 6 and 0 < result.overall < 1
    assert running.invitations.filter(submitted_at__isnull=False).count() == 1
