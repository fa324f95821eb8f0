"""The event page runs clean in the browser with matches to pull in (field test #18 item
10: a form control named "matches" shadowed form.matches() and htmx threw on every event
page), and pulling nothing in is refused with a field error."""

from __future__ import annotations

from playwright.sync_api import expect

from luodi.matchmaking.models import MatchRecord
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.engagements.factories import EventFactory
from tests.factories import PASSWORD, AchievementFactory, OrganizationFactory


def _shortlisted(personas: Personas) -> MatchRecord:
    achievement = AchievementFactory(owner=personas.org_a, title_zh="可降解心脏支架")
    investor = OrganizationFactory(kind="investor", name_zh="蓉创医疗基金")
    return MatchRecord.objects.create(
        source_kind="achievement",
        source_id=achievement.pk,
        target_kind="investor",
        target_id=investor.pk,
        achievement=achievement,
        counterparty=investor,
        status="shortlisted",
        score=0.8,
    )


def test_pull_a_shortlisted_match_into_a_roadshow(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    _shortlisted(personas)
    event = EventFactory(kind="roadshow", title_zh="医工融合路演")
    sign_in(page, "staff_user", PASSWORD)

    page.goto(f"/engagements/events/{event.pk}/")
    page.get_by_text("从匹配结果导入成果和受邀机构").click()
    form = page.locator("[data-testid=pull-form]")
    form.get_by_label("可降解心脏支架", exact=False).check()
    form.locator("button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("蓉创医疗基金")
    assert [a.title_zh for a in event.achievements.all()] == ["可降解心脏支架"]
    # (the page fixture fails the test on any uncaught script error)


def test_pulling_nothing_in_is_refused(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    _shortlisted(personas)
    event = EventFactory(kind="roadshow", title_zh="医工融合路演")
    sign_in(page, "staff_user", PASSWORD)

    page.goto(f"/engagements/events/{event.pk}/")
    page.get_by_text("从匹配结果导入成果和受邀机构").click()
    page.locator("[data-testid=pull-form] button[type=submit]").click()

    expect(page.locator("[data-testid=pull-form] .has-error [role=alert]")).to_be_visible()
    assert not event.achievements.exists()
