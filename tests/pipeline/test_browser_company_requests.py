"""#19 in the browser: record a company request on a landed project, see it among the
overdue ones, resolve it; a resolution left empty is refused beside the field."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from luodi.pipeline.models import CompanyRequest
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD, OrganizationFactory
from tests.pipeline.factories import make_project


def _project(personas: Personas):  # type: ignore[no-untyped-def]
    park = OrganizationFactory(kind="park", name_zh="某园区")
    return make_project(personas.staff, personas.org_a, company=personas.org_b, target_park=park)


def test_record_and_resolve_a_company_request(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    project = _project(personas)
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_test_id("raise-request").locator("summary").click()
    form = page.get_by_test_id("raise-request")
    form.locator("select[name=category]").select_option("site")
    form.locator("input[name=title]").fill("洁净区双回路供电改造")
    form.locator("select[name=owner]").select_option(label="staff_user")
    yesterday = timezone.localdate() - timedelta(days=1)
    form.locator("input[name=due_date]").fill(yesterday.isoformat())
    page.get_by_test_id("raise-request-submit").click()

    expect(page.get_by_test_id("request-title")).to_have_text("洁净区双回路供电改造")
    page.goto("/projects/requests/?overdue=on")
    req = CompanyRequest.objects.get()
    expect(page.get_by_test_id(f"request-row-{req.pk}")).to_contain_text("逾期")
    page.get_by_test_id(f"request-row-{req.pk}").locator("a").first.click()
    page.fill("[data-testid=resolve-form] textarea[name=resolution]", "园区协调供电公司完成接入")
    page.select_option("[data-testid=resolve-form] select[name=satisfaction]", "5")
    page.get_by_test_id("resolve").click()

    expect(page.get_by_test_id("request-status")).to_have_text("已解决")
    expect(page.get_by_test_id("resolution")).to_contain_text("完成接入")


def test_a_resolution_left_empty_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    from luodi.pipeline.domain.requests import raise_request

    req = raise_request(
        actor=personas.staff,
        project=_project(personas),
        owner=personas.staff,
        values={
            "category": "talent",
            "title": "人才公寓",
            "due_date": timezone.localdate() + timedelta(days=5),
        },
    )
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/projects/requests/{req.pk}/")
    page.get_by_test_id("resolve").click()

    expect(page.locator("[data-testid=resolve-form] .field.has-error .error")).to_be_visible()
    expect(page.get_by_test_id("request-status")).to_have_text("待办")
    req.refresh_from_db()
    assert req.status == "open"
