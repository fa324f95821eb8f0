"""In the browser, on a phone-sized screen (390 px): an abstract submitted without an
account is reviewed, accepted and placed in the timetable with the room + slot selects (no
drag), and shows on the public programme; a speaker conflict is refused with a message."""

from __future__ import annotations

from playwright.sync_api import expect

from luodi.conferences import domain
from luodi.conferences.models import Abstract
from tests.browser_fixtures import sign_in
from tests.conferences.factories import abstract, conference, room
from tests.conftest import Personas
from tests.engagements.factories import at
from tests.factories import PASSWORD, UserFactory


def test_submit_review_accept_and_place_on_a_phone(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    conf = conference(personas.staff)
    hall = room(personas.staff, conf)
    UserFactory(username="reviewer_r", email="r@example.org")

    # 1. Submit without an account.
    page.goto(f"/conferences/public/{conf.event_id}/call/")
    form = page.locator("[data-testid=submit-form]")
    form.locator("[name=title]").fill("可降解支架的体内监测")
    form.locator("[name=body]").fill("摘要正文。")
    form.locator("[name=topic]").select_option("医疗器械")
    form.locator("[name=preference][value=oral]").check()
    form.locator("[name=author1_name]").fill("周子墨")
    form.locator("[name=author1_affiliation]").fill("示例大学")
    form.locator("[name=author2_name]").fill("韩青")
    form.locator("[name=author2_affiliation]").fill("示例医院")
    form.locator("[name=contact_email]").fill("zhou@example.org")
    page.click("[data-testid=submit-abstract]")
    expect(page.locator("[data-testid=submitted]")).to_be_visible()
    a = Abstract.objects.get()
    assert [x.name for x in a.authors.all()] == ["周子墨", "韩青"]
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # 2. The organiser assigns a reviewer.
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/conferences/abstracts/{a.pk}/")
    page.locator("[data-testid=assign-form] [name=reviewer]").fill("reviewer_r")
    page.click("[data-testid=assign]")
    expect(page.locator("[data-testid=reviews]")).to_contain_text("reviewer_r")

    # 3. The reviewer scores it.
    page.context.clear_cookies()
    sign_in(page, "reviewer_r", PASSWORD)
    page.goto(f"/conferences/abstracts/{a.pk}/")
    page.locator("[data-testid=review-form] [name=score][value='4']").check()
    page.locator("[data-testid=review-form] [name=comment]").fill("方法可靠")
    page.click("[data-testid=save-review]")
    assert a.reviews.get().score == 4

    # 4. The organiser accepts it as oral and places it with the selects.
    page.context.clear_cookies()
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/conferences/abstracts/{a.pk}/")
    page.locator("[data-testid=decision-form] [name=decision][value=oral]").check()
    page.click("[data-testid=decide]")
    expect(page.locator("[data-testid=abstract-status]")).not_to_have_text("")
    page.click("[data-testid=to-timetable]")
    card = page.locator(f"#abstract-{a.pk}")
    card.locator("select[name$=room]").select_option(str(hall.pk))
    card.locator("select[name$=slot]").select_option(at(30, 9, 30).strftime("%Y-%m-%dT%H:%M"))
    card.locator("[data-testid=place]").click()
    expect(page.locator(f"#abstract-{a.pk} [data-testid=placed-at]")).to_contain_text("主会场")
    a.refresh_from_db()
    assert a.status == "oral" and a.session is not None and a.session.starts_at == at(30, 9, 30)

    # 5. The public programme shows it, on the phone, without an account.
    page.context.clear_cookies()
    page.goto(f"/conferences/public/{conf.event_id}/programme/")
    expect(page.locator("[data-testid=programme-session]")).to_contain_text("可降解支架的体内监测")
    expect(page.locator("[data-testid=programme-session]")).to_contain_text("周子墨")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_speaker_conflict_is_refused_with_a_message(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    conf = conference(personas.staff)
    hall, side = room(personas.staff, conf), room(personas.staff, conf, "分会场A")
    first, second = abstract(conf, "第一个报告"), abstract(conf, "第二个报告")  # one presenter
    for x in (first, second):
        domain.decide(actor=personas.staff, abstract=x, decision="oral")
    domain.place(actor=personas.staff, abstract=first, room=hall, starts_at=at(30, 9))

    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/conferences/{conf.pk}/timetable/")
    card = page.locator(f"#abstract-{second.pk}")
    card.locator("select[name$=room]").select_option(str(side.pk))
    card.locator("select[name$=slot]").select_option(at(30, 9).strftime("%Y-%m-%dT%H:%M"))
    card.locator("[data-testid=place]").click()
    error = page.locator(f"#abstract-{second.pk} .has-error [role=alert]")
    expect(error).to_contain_text("周子墨")
    expect(error).to_contain_text("第一个报告")
    second.refresh_from_db()
    assert second.session is None


def test_submission_after_the_call_closed_shows_it_is_closed(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    conf = conference(personas.staff, call_opens_at=at(-10, 0), call_closes_at=at(-1, 0))
    page.goto(f"/conferences/public/{conf.event_id}/call/")
    expect(page.locator("[data-testid=call-closed]")).to_be_visible()
    expect(page.locator("[data-testid=submit-form]")).to_have_count(0)
