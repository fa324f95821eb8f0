"""#19 after landing: milestones with gates, figures with history, commitments and their
shortfall tasks, subsidies under their status table, stall warnings and the weekly digest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from luodi.accounts.models import AuditEntry
from luodi.aftercare import domain, stalls
from luodi.aftercare.digest import send_stall_digests
from luodi.aftercare.models import Commitment, FigureReport, StallDigestSent
from luodi.aftercare.rules import (
    figures_visible_to,
    landed_projects_visible_to,
    project_label,
)
from luodi.notifications.models import Notification
from luodi.pipeline.domain.projects import GateWarnings
from luodi.pipeline.models import StageTransition, Task
from tests.aftercare.factories import make_landed, make_parks
from tests.conftest import Personas

TODAY = timezone.localdate()
USCC = "91510100MA61XKQ83W"


@pytest.fixture
def setup(personas: Personas):  # type: ignore[no-untyped-def]
    parks = make_parks()
    return parks, make_landed(personas, parks.park)


def test_recording_a_milestone_out_of_order_warns_until_confirmed(
    personas, setup, settings
) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    with pytest.raises(GateWarnings) as caught:
        domain.set_milestone(
            actor=personas.staff, project=project, kind="construction", actual_on=TODAY
        )
    assert any("注册" in w or "registered" in w.lower() for w in caught.value.warnings)
    assert not project.milestones.exists()  # nothing written
    with pytest.raises(GateWarnings):
        domain.set_milestone(
            actor=personas.staff,
            project=project,
            kind="construction",
            actual_on=TODAY,
            evidence=SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64),
        )
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))  # no orphan
    photo = SimpleUploadedFile("site.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    m = domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="construction",
        planned_on=TODAY - timedelta(days=10),
        actual_on=TODAY,
        evidence=photo,
        confirm_warnings=True,
    )
    assert m.lag_days == 10 and len(m.warnings) == 1  # the evidence is there
    assert m.evidence_name == "site.png" and m.evidence_type == "image/png"


def test_a_milestone_cannot_be_achieved_in_the_future(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    with pytest.raises(ValidationError) as caught:
        domain.set_milestone(
            actor=personas.staff,
            project=project,
            kind="lease_signed",
            actual_on=TODAY + timedelta(days=1),
            confirm_warnings=True,
        )
    assert "actual_on" in caught.value.message_dict


def test_registration_needs_a_valid_credit_code_and_fills_the_landing(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    with pytest.raises(ValidationError):
        domain.set_milestone(
            actor=personas.staff, project=project, kind="registered", actual_on=TODAY
        )
    with pytest.raises(ValidationError):
        domain.set_milestone(
            actor=personas.staff,
            project=project,
            kind="registered",
            actual_on=TODAY,
            credit_code="91510100MA61XKQ830",  # wrong check character
            confirm_warnings=True,
        )
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="registered",
        actual_on=TODAY,
        credit_code=USCC,
        confirm_warnings=True,
    )
    project.landing.refresh_from_db()
    assert (project.landing.credit_code, project.landing.registered_on) == (USCC, TODAY)


def test_reaching_production_moves_the_project_on_the_board(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="production",
        actual_on=TODAY,
        confirm_warnings=True,
    )
    project.refresh_from_db()
    assert project.stage == "in_production"
    assert project.transitions.filter(to_stage="in_production").exists()


def test_figures_keep_their_history(personas, setup) -> None:  # type: ignore[no-untyped-def]
    parks, project = setup
    month = TODAY.replace(day=1)
    first = domain.record_figures(
        actor=parks.park_user, project=project, period=TODAY, values={"capital_wan": "800"}
    )
    again = domain.record_figures(
        actor=personas.staff,
        project=project,
        period=month,
        values={"capital_wan": "1200.5", "jobs": 35},
        expected_version=first.version,
    )
    assert again.pk == first.pk and again.capital_wan == Decimal("1200.5")
    history = AuditEntry.objects.filter(verb="figures.record", target_id=str(first.pk))
    changes = [e.changes["capital_wan"] for e in history.order_by("created_at", "id")]
    assert changes == [[None, "800.00"], ["800.00", "1200.50"]]
    # Nothing changed: no new version, no history line.
    domain.record_figures(actor=personas.staff, project=project, period=month, values={"jobs": 35})
    assert history.count() == 2


@pytest.mark.parametrize(
    "values, field",
    [
        ({"capital_wan": "-5"}, "capital_wan"),
        ({"jobs": "3.5"}, "jobs"),
        ({"tax_wan": "x"}, "tax_wan"),
        ({"output_wan": "NaN"}, "output_wan"),
        ({"output_wan": "1e13"}, "output_wan"),
        ({"jobs": 2**31}, "jobs"),
    ],
)
def test_bad_figures_are_refused_by_field(personas, setup, values, field) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    with pytest.raises(ValidationError) as caught:
        domain.record_figures(actor=personas.staff, project=project, period=TODAY, values=values)
    assert field in caught.value.message_dict
    assert not FigureReport.objects.exists()


def test_a_future_month_is_refused(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    with pytest.raises(ValidationError):
        domain.record_figures(
            actor=personas.staff,
            project=project,
            period=TODAY.replace(day=1) + timedelta(days=40),
            values={"jobs": 1},
        )


def test_actuals_sum_flows_and_read_stocks(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    for months_ago, capital, jobs in ((3, 500, 20), (2, 700, 30), (1, 0, 28)):
        day = (TODAY.replace(day=1) - timedelta(days=31 * months_ago)).replace(day=1)
        domain.record_figures(
            actor=personas.staff,
            project=project,
            period=day,
            values={"capital_wan": capital, "jobs": jobs},
        )
    assert domain.actual_by(project.pk, "capital_wan", TODAY) == 1200
    assert domain.actual_by(project.pk, "jobs", TODAY) == 28


def test_a_shortfall_raises_one_task(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    due = TODAY - timedelta(days=5)
    domain.record_figures(
        actor=personas.staff, project=project, period=due, values={"capital_wan": 1800}
    )
    met = domain.add_commitment(
        actor=personas.staff, project=project, metric="jobs", amount=Decimal(1), due_on=due
    )
    domain.record_figures(actor=personas.staff, project=project, period=due, values={"jobs": 1})
    short = domain.add_commitment(
        actor=personas.staff,
        project=project,
        metric="capital_wan",
        amount=Decimal(3000),
        due_on=due,
    )
    assert stalls.raise_shortfalls() == 1
    assert stalls.raise_shortfalls() == 0  # a second run raises nothing
    short.refresh_from_db()
    met.refresh_from_db()
    assert met.shortfall_task is None
    task = Task.objects.get(pk=short.shortfall_task_id)
    assert task.owner == personas.staff and "1800" in task.title and "3000" in task.title


def test_subsidies_follow_their_status_table(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    item = domain.save_subsidy(
        actor=personas.staff,
        project=project,
        values={"kind": "rent", "policy": "入驻三年租金减免", "amount_applied_wan": Decimal(120)},
    )
    with pytest.raises(ValidationError) as caught:
        domain.save_subsidy(
            actor=personas.staff,
            project=project,
            subsidy=item,
            values={"status": "paid"},
            expected_version=item.version,
        )
    assert "status" in caught.value.message_dict
    item.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        domain.save_subsidy(
            actor=personas.staff,
            project=project,
            subsidy=item,
            values={"status": "approved", "approved_on": TODAY},
            expected_version=item.version,
        )
    assert "amount_approved_wan" in caught.value.message_dict
    item.refresh_from_db()
    domain.save_subsidy(
        actor=personas.staff,
        project=project,
        subsidy=item,
        values={"status": "approved", "approved_on": TODAY, "amount_approved_wan": Decimal(100)},
        expected_version=item.version,
    )
    item.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        domain.save_subsidy(
            actor=personas.staff,
            project=project,
            subsidy=item,
            values={"status": "paid", "paid_on": TODAY, "amount_paid_wan": Decimal(150)},
            expected_version=item.version,
        )
    assert "amount_paid_wan" in caught.value.message_dict


def test_stall_reasons(personas, setup) -> None:  # type: ignore[no-untyped-def]
    _parks, project = setup
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="construction",
        planned_on=TODAY - timedelta(days=20),
    )
    domain.add_commitment(
        actor=personas.staff,
        project=project,
        metric="capital_wan",
        amount=Decimal(1000),
        due_on=TODAY - timedelta(days=1),
    )
    found = stalls.stalled(project.__class__.objects.all())
    assert found[project.pk].codes == [stalls.OVERDUE, stalls.CAPITAL]
    # Landed long ago and nobody came by since.
    StageTransition._base_manager.filter(project=project, to_stage="landed").update(
        created_at=timezone.now() - timedelta(days=200)
    )
    found = stalls.stalled(project.__class__.objects.all())
    assert stalls.NO_CONTACT in found[project.pk].codes


def test_parks_see_their_own_figures_and_viewers_see_no_titles(personas, setup) -> None:  # type: ignore[no-untyped-def]
    parks, project = setup
    domain.record_figures(actor=personas.staff, project=project, period=TODAY, values={"jobs": 9})
    assert figures_visible_to(parks.park_user).count() == 1
    assert figures_visible_to(parks.other_user).count() == 0
    assert figures_visible_to(personas.viewer).count() == 1
    assert list(landed_projects_visible_to(personas.viewer)) == [project]
    assert project_label(personas.viewer, project) == "成都蓉骨医疗科技有限公司"
    assert project_label(parks.park_user, project) == project.title


def test_weekly_digest_goes_once_to_staff_and_park(personas, setup) -> None:  # type: ignore[no-untyped-def]
    parks, project = setup
    domain.set_milestone(
        actor=personas.staff,
        project=project,
        kind="lease_signed",
        planned_on=TODAY - timedelta(days=3),
    )
    monday = timezone.now() + timedelta(days=(7 - TODAY.weekday()) % 7)
    assert send_stall_digests(monday + timedelta(days=1)) == 0  # a Tuesday
    assert send_stall_digests(monday) == 2
    assert send_stall_digests(monday) == 0
    assert set(StallDigestSent.objects.values_list("user__username", flat=True)) == {
        "staff_user",
        "park_user",
    }
    bodies = " ".join(n.body for n in Notification.objects.all())
    assert project.title in bodies  # both may see the project
    assert parks.other_user.pk not in Notification.objects.values_list("user_id", flat=True)


def test_commitment_of_another_projects_agreement_is_refused(personas, setup) -> None:  # type: ignore[no-untyped-def]
    parks, project = setup
    other = make_landed(personas, parks.other, title="另一项目")
    from luodi.pipeline.models import Agreement

    agreement = Agreement.objects.create(project=other, kind="investment", title="投资协议")
    with pytest.raises(ValidationError):
        domain.add_commitment(
            actor=personas.staff,
            project=project,
            metric="capital_wan",
            amount=Decimal(1),
            due_on=date(2027, 1, 1),
            agreement=agreement,
        )
    assert not Commitment.objects.exists()
