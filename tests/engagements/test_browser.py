"""Acceptance flows in Chromium: plan a visit and accept the suggested order; record minutes,
a cooperation intention and a follow-up; publish the news post; run an event from agenda to
check-in and attendee export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from luodi.engagements.models import Event, FollowUp, NewsPost, Outcome, Registration, Visit
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.engagements.factories import StopFactory, VisitFactory
from tests.factories import PASSWORD, OrganizationFactory


def test_plan_three_stop_visit_and_accept_suggested_order(page, personas: Personas) -> None:
    parks = [
        OrganizationFactory(kind="park", name_zh="远园区", latitude=30.405, longitude=104.013),
        OrganizationFactory(kind="park", name_zh="北园区", latitude=30.715, longitude=103.835),
        OrganizationFactory(kind="park", name_zh="近园区", latitude=30.566, longitude=104.046),
    ]
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/engagements/visits/")
    page.click("[data-testid=new-visit]")
    page.fill("input[name=title_zh]", "三园区考察")
    page.fill("input[name=date]", "2026-12-01")
    page.fill("input[name=start_time]", "08:30")
    page.fill("input[name=start_latitude]", "30.657")
    page.fill("input[name=start_longitude]", "104.066")
    page.select_option("select[name=organizer]", str(personas.org_a.pk))
    page.click("form.editform button[type=submit]")
    expect(page.locator("h1")).to_contain_text("三园区考察")
    for park in parks:
        page.click("#itinerary details.addform summary")
        page.select_option("[data-testid=stop-form] select[name=organization]", str(park.pk))
        page.fill("[data-testid=stop-form] input[name=duration_min]", "60")
        page.click("[data-testid=stop-form] button[type=submit]")
    expect(page.locator("[data-testid=stop-row]")).to_have_count(3)
    page.click("[data-testid=suggest]")
    expect(page.locator("[data-testid=suggested-stop]").first).to_contain_text("近园区")
    page.click("[data-testid=accept-order]")
    expect(page.locator("[data-testid=order-accepted]")).to_be_visible()
    visit = Visit.objects.get(title_zh="三园区考察")
    assert visit.order_accepted_at is not None
    first = visit.stops.select_related("organization").first()
    assert first is not None
    assert first.organization.name_zh == "近园区"
    page.click("[data-testid=briefing]")
    expect(page.locator("[data-testid=briefing-stop]")).to_have_count(3)


def test_record_minutes_intention_follow_up_then_publish_news(page, personas: Personas) -> None:
    # Held yesterday: the news of a visit still to come cannot be published (issue #18).
    visit = VisitFactory(
        title_zh="医学城考察", organizer=personas.org_a, date=date.today() - timedelta(days=1)
    )
    partner_park = OrganizationFactory(kind="park", name_zh="成都医学城")
    StopFactory(visit=visit, organization=partner_park, latitude=30.715, longitude=103.835)
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/visits/{visit.pk}/")
    page.click("[data-testid=minutes-link]")
    page.fill("textarea[name=minutes]", "参观湿实验室，座谈入驻政策。")
    page.click("form.editform button[type=submit]")
    page.click("#outcomes details.addform summary")
    page.select_option("[data-testid=outcome-form] select[name=kind]", "intention")
    page.fill("[data-testid=outcome-form] textarea[name=text]", "共同举办产业论坛和学术会议")
    page.select_option("[data-testid=outcome-form] select[name=counterpart]", str(partner_park.pk))
    page.click("[data-testid=outcome-form] button[type=submit]")
    expect(page.locator("[data-testid=outcomes]")).to_contain_text("共同举办产业论坛")
    page.click("#follow-ups details.addform summary")
    page.fill("[data-testid=follow-up-form] input[name=title]", "一个月内回访")
    page.select_option("[data-testid=follow-up-form] select[name=owner]", str(personas.staff.pk))
    page.fill("[data-testid=follow-up-form] input[name=due_date]", "2026-12-31")
    page.click("[data-testid=follow-up-form] button[type=submit]")
    expect(page.locator("[data-testid=follow-ups]")).to_contain_text("一个月内回访")
    assert visit.stops.get().minutes == "参观湿实验室，座谈入驻政策。"
    assert Outcome.objects.get(visit=visit).kind == "intention"
    assert FollowUp.objects.get(visit=visit).owner == personas.staff

    page.click("[data-testid=news-draft]")
    page.click("[data-testid=write-draft]")  # what to report: the intention is ticked
    expect(page.locator("textarea[name=body_zh]")).to_contain_text("共同举办产业论坛和学术会议")
    page.fill("input[name=title_zh]", "创新中心陪同考察成都医学城")
    page.check("input[name=approve_zh]")  # a person approves the Chinese version
    page.click("[data-testid=publish-news]")
    expect(page.locator("[data-testid=news-title]")).to_have_text("创新中心陪同考察成都医学城")
    assert NewsPost.objects.get(visit=visit).status == "published"
    page.goto("/public/news/")
    expect(page.locator("main")).to_contain_text("创新中心陪同考察成都医学城")


def test_event_agenda_registration_check_in_and_export(page, personas: Personas) -> None:
    sign_in(page, "staff_user", PASSWORD)
    page.goto("/engagements/events/")
    page.click("[data-testid=new-event]")
    page.fill("input[name=title_zh]", "医工融合论坛")
    page.fill("input[name=title_en]", "Medical-Engineering Forum")
    page.select_option("select[name=organizer]", str(personas.org_a.pk))
    page.select_option("select[name=co_organizers]", [str(personas.org_b.pk)])
    page.fill("input[name=venue]", "会展中心")
    page.fill("input[name=starts_at]", "2026-12-01T09:00")
    page.fill("input[name=ends_at]", "2026-12-01T17:00")
    page.fill("input[name=capacity]", "50")
    page.click("form.editform button[type=submit]")
    expect(page.locator("h1")).to_contain_text("医工融合论坛")
    event = Event.objects.get(title_zh="医工融合论坛")

    def add_session(title: str, room: str, start: str, end: str, speakers: str) -> None:
        page.click("#agenda details.addform summary") if not page.is_visible(
            "[data-testid=session-form]"
        ) else None
        form = "[data-testid=session-form]"
        page.fill(f"{form} input[name=title_zh]", title)
        page.fill(f"{form} input[name=room]", room)
        page.fill(f"{form} input[name=starts_at]", start)
        page.fill(f"{form} input[name=ends_at]", end)
        page.fill(f"{form} input[name=speakers]", speakers)
        page.click(f"{form} button[type=submit]")

    add_session("主旨报告", "主会场", "2026-12-01T09:00", "2026-12-01T10:00", "陈静")
    add_session("圆桌", "主会场", "2026-12-01T09:30", "2026-12-01T10:30", "王建国")
    expect(page.locator("[data-testid=session-form] .error").first).to_contain_text("主会场")
    add_session("圆桌", "分会场", "2026-12-01T10:00", "2026-12-01T11:00", "王建国")
    expect(page.locator("[data-testid=agenda] tbody tr")).to_have_count(2)
    page.click("[data-testid=publish-event]")
    expect(page.locator("[data-testid=event-status]")).to_have_text(re.compile(r"\S"))

    page.click("[data-testid=sign-out]")
    page.goto(f"/public/events/{event.pk}/")
    expect(page.locator("main")).to_contain_text("圆桌")

    def register(name: str) -> None:
        page.goto(f"/public/events/{event.pk}/")
        form = "[data-testid=register-form]"
        page.fill(f"{form} input[name=name]", name)
        page.fill(f"{form} input[name=email]", "guest@example.org")
        page.fill(f"{form} input[name=organization_name]", "某医院")
        page.check(f"{form} input[name=consent]")
        page.click("[data-testid=register]")

    register("李娜")
    code = page.locator("[data-testid=ticket-code]").inner_text()
    expect(page.locator("img.qr")).to_be_visible()
    register("李娜")
    expect(page.locator("[data-testid=register-form] .error")).to_be_visible()
    assert Registration.objects.filter(event=event).count() == 1

    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/events/{event.pk}/checkin/")
    page.fill("[data-testid=code-form] input[name=code]", code)
    page.click("[data-testid=checkin-code]")
    expect(page.locator(".messages")).to_contain_text("李娜")
    assert Registration.objects.get(code=code).checked_in_at is not None

    page.goto(f"/engagements/events/{event.pk}/registrations/")
    with page.expect_download() as info:
        page.click("[data-testid=export-csv]")
    with open(info.value.path(), encoding="utf-8-sig") as f:
        text = f.read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][:3] == ["李娜", "guest@example.org", "某医院"]
    assert rows[1][-1] != ""  # checked in


def test_park_member_sees_own_stop_in_full_and_competitors_withheld(
    page, personas: Personas
) -> None:
    from tests.engagements.test_park_competition import build_tour, marker

    tour = build_tour(personas)
    elsewhere = VisitFactory(title_zh="乙园区专场考察", organizer=tour.visit.organizer)
    StopFactory(visit=elsewhere, organization=tour.park_b)
    sign_in(page, "park_a_member", PASSWORD)
    page.goto(f"/engagements/visits/{tour.visit.pk}/")
    expect(page.locator("[data-testid=stop-row]")).to_have_count(2)
    expect(page.locator("[data-testid=withheld-notice]")).to_be_visible()
    own = page.locator("[data-testid=stop-row]:not([data-withheld])")
    expect(own).to_contain_text("PLACE-A")
    expect(own).to_contain_text(marker("MINUTES", "A"))
    own.locator("details summary").click()
    expect(own.locator("pre.fit")).to_contain_text(marker("SUBSIDY", "A"))
    other = page.locator("[data-testid=stop-row][data-withheld=true]")
    expect(other).to_contain_text("PLACE-B")
    expect(other.locator("[data-testid=stop-withheld]")).to_have_text(
        "已隐去：仅工作人员和该园区可见。"
    )
    expect(other.locator("[data-testid=minutes-link]")).to_have_count(0)
    expect(page.locator("[data-testid=outcomes]")).to_contain_text(marker("OUTCOME", "A"))
    expect(page.locator("[data-testid=records-withheld]")).to_be_visible()
    for kind in ("FIT", "SUBSIDY", "GRANT", "MINUTES", "HOSTS", "OUTCOME", "FOLLOWUP"):
        expect(page.locator("main")).not_to_contain_text(marker(kind, "B"))

    page.click("[data-testid=briefing]")
    expect(page.locator("[data-testid=briefing-stop]")).to_have_count(2)
    withheld = page.locator("[data-testid=briefing-stop][data-withheld=true]")
    expect(withheld).to_contain_text("PLACE-B")
    expect(withheld.locator("[data-testid=stop-withheld]")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(marker("FIT", "B"))

    # A visit park A takes no part in: its briefing pack is not found, not even named.
    response = page.goto(f"/engagements/visits/{elsewhere.pk}/briefing/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("乙园区专场考察")
