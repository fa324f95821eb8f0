"""Dashboard details from the field test (#18 items 7 and 10): people by their names, day
counts without ".0", and the project owner column named for what it holds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from luodi.insights import activity, queries
from luodi.pipeline.models import Task
from tests.conftest import Personas, client_for
from tests.insights.fixtures import portfolio

pytestmark = pytest.mark.django_db


def test_overdue_work_is_listed_by_the_owners_display_name(personas: Personas) -> None:
    projects = portfolio(personas.org_a)
    personas.staff.display_name = "王晓梅"
    personas.staff.save(update_fields=["display_name"])
    today = date(2026, 12, 6)
    for project in list(projects.values())[:2]:
        Task.objects.create(
            project=project,
            title="回访园区",
            owner=personas.staff,
            due_date=today - timedelta(days=3),
        )

    rows = activity.overdue_by_owner(personas.staff, today=today).rows

    assert [(r["owner"], r["tasks"]) for r in rows] == [("王晓梅", 2)]
    assert personas.staff.username not in str(rows)


def test_day_counts_are_whole_numbers_where_they_are(personas: Personas) -> None:
    portfolio(personas.org_a)

    row = queries.time_to_landing(personas.staff).rows[0]

    # The PDF and Excel print the value as it is: "100", not "100.0".
    assert (str(row["median_days"]), str(row["p90_days"])) == ("100", "124")
    assert all(
        isinstance(r["median_days"], int)
        for r in queries.time_per_stage(personas.staff).rows
        if r["median_days"] is not None and r["median_days"] == int(r["median_days"])
    )


def test_the_drill_table_names_the_owner_organization(personas: Personas) -> None:
    portfolio(personas.org_a)

    client = client_for(personas.staff)
    page = client.get("/insights/projects/", {"stage": "landed"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.status_code == 200
    html = page.content.decode()
    assert "权属单位" in html and "<th>负责人</th>" not in html


def test_a_period_ending_in_the_future_counts_nothing_planned_as_done(
    personas: Personas,
) -> None:
    """#18 item 7: a report to 31 December, run on 6 December, listed next week's forum as
    held and this month's tasks, not yet due, as overdue."""
    from django.utils import timezone

    from luodi.insights import reports
    from tests.engagements.factories import EventFactory

    projects = portfolio(personas.org_a)
    today = timezone.localdate()
    now = timezone.now()
    EventFactory(title_zh="已开论坛", starts_at=now - timedelta(days=1), ends_at=now)
    EventFactory(
        title_zh="下周论坛",
        starts_at=now + timedelta(days=7),
        ends_at=now + timedelta(days=7, hours=8),
    )
    project = next(iter(projects.values()))
    Task.objects.create(
        project=project, title="下周回访", owner=personas.staff, due_date=today + timedelta(days=5)
    )
    Task.objects.create(
        project=project, title="已逾期", owner=personas.staff, due_date=today - timedelta(days=5)
    )
    end = today + timedelta(days=40)

    data = reports.collect(personas.staff, today - timedelta(days=30), end)

    assert [e[0] for e in data.events] == ["已开论坛"]
    overdue = data.charts["overdue"].rows
    assert sum(r["tasks"] for r in overdue) == 1


def test_the_viewers_board_points_to_the_numbers_instead_of_saying_no_projects(
    personas: Personas,
) -> None:
    portfolio(personas.org_a)

    html = client_for(personas.viewer).get("/projects/board/").content.decode()

    assert 'data-testid="board-aggregate"' in html
    assert "/insights/" in html and "No projects." not in html


def test_report_pdf_keeps_closing_brackets_on_their_line(
    personas: Personas, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """#18 item 7: the PDF broke the header "投资（万元）" before its closing bracket."""
    from django.utils import translation
    from pypdf import PdfReader

    from luodi.insights import reports

    settings.MEDIA_ROOT = tmp_path
    from luodi.pipeline.models import Project

    portfolio(personas.org_a)
    # Titles as long as real ones: the columns were shared out without looking at them.
    for project in Project.objects.all():
        project.title = f"{project.title}：基于单细胞测序的肿瘤早筛试剂盒产业化及成都医学城落地"
        project.save(update_fields=["title"])
    with translation.override("zh-hans"):
        job = reports.request_report(
            actor=personas.staff, start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
    job.refresh_from_db()
    lines = [
        line.strip()
        for page in PdfReader(job.pdf.open("rb")).pages
        for line in page.extract_text().splitlines()
    ]
    assert any("投资（万元）" in line for line in lines)
    assert not [line for line in lines if line.startswith(("）", "，", "。"))]


def test_landing_counts_have_their_own_axis(personas: Personas) -> None:
    """#18 item 7: beside 180 planned jobs on the same axis, 3 landings were an invisible
    bar; the charts draw landings on one axis and investment on the other, jobs in the
    table."""
    portfolio(personas.org_a)

    for chart in (
        queries.landings_by_park(personas.staff),
        queries.landings_by_area(personas.staff),
    ):
        assert chart.series == ["landings", "investment_wan"]
        assert chart.y2 == ["investment_wan"]
        assert "jobs" in [key for key, _label in chart.columns]


def test_whole_amounts_print_without_a_decimal_point(personas: Personas) -> None:
    """#18 item 7: "4500.0" in the landing tables; whole amounts are printed whole."""
    from decimal import Decimal

    from luodi.insights.base import plain_number

    assert [str(plain_number(Decimal(v))) for v in ("4500.00", "12.50", "0")] == [
        "4500",
        "12.5",
        "0",
    ]
