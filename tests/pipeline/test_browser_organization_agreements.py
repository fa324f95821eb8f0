"""#18 item 3 in the browser: from an organization's page, record a strategic cooperation
intention with it (no project), add an obligation with its follow-up; one party alone is
refused with the reason beside the field."""

from __future__ import annotations

from playwright.sync_api import expect

from luodi.pipeline.models import Agreement, Task
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD


def test_staff_record_a_cooperation_with_a_group_and_its_follow_up(  # type: ignore[no-untyped-def]
    page, personas: Personas
) -> None:
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/catalog/organizations/{personas.org_b.pk}/")
    page.get_by_test_id("org-new-agreement").click()

    expect(page.locator("h1")).to_have_text("新建机构间协议")
    page.select_option("select[name=kind]", "strategic")
    page.fill("input[name=title]", "共同举办产业论坛战略合作意向")
    page.select_option("select[name=parties]", [str(personas.org_a.pk), str(personas.org_b.pk)])
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("agreement-title")).to_have_text("共同举办产业论坛战略合作意向")
    expect(page.get_by_test_id("agreement-parties")).to_contain_text("甲机构")
    agreement = Agreement.objects.get()
    page.get_by_test_id(f"add-obligation-{agreement.pk}").locator("summary").click()
    form = page.get_by_test_id(f"add-obligation-{agreement.pk}")
    form.locator("select[name=kind]").select_option("report")
    form.locator("input[name=description]").fill("提交年度论坛计划")
    form.locator("input[name=due_date]").fill("2027-01-31")
    form.locator("select[name=responsible]").select_option(label="partner_b")
    form.get_by_role("button", name="添加履约事项").click()

    expect(page.locator(".messages")).to_contain_text("已为")
    expect(page.locator("[data-testid^=obligation-]")).to_contain_text("提交年度论坛计划")
    assert Task.objects.get().owner == personas.partner_b
    page.goto("/projects/agreements/?scope=organizations")
    expect(page.get_by_test_id(f"agreement-row-{agreement.pk}")).to_contain_text("机构间协议")


def test_one_party_is_refused_beside_the_field(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/projects/agreements/new/")

    page.select_option("select[name=kind]", "mou")
    page.fill("input[name=title]", "合作备忘录")
    page.select_option("select[name=parties]", [str(personas.org_a.pk)])
    page.get_by_test_id("save").click()

    expect(page.locator("h1")).to_have_text("新建机构间协议")
    expect(page.locator(".field.has-error .error")).to_contain_text("机构间协议至少需要两方")
    assert not Agreement.objects.exists()
