"""Field test #18 items 9 and 1 in Chromium: removing a participant through its confirmation
page, the duplicate warning, speakers kept in protocol order, a session outside the event
refused, a future visit not closed, and a news post published in the one language a person
approved."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from luodi.engagements.models import NewsPost, Outcome, Participant
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.engagements.factories import EventFactory, StopFactory, VisitFactory, at
from tests.factories import PASSWORD, OrganizationFactory


def test_participant_duplicate_warning_then_removal_after_confirming(
    page, personas: Personas
) -> None:
    visit = VisitFactory(title_zh="医学城考察", organizer=personas.org_a)
    Participant.objects.create(visit=visit, name="张伟", role="董事长")
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/visits/{visit.pk}/")

    # Failure path: the same name again is not added silently.
    page.click("#participants details.addform summary")
    page.fill("[data-testid=participant-form] input[name=name]", "张伟")
    page.click("[data-testid=participant-form] button[type=submit]")
    form = page.locator("[data-testid=participant-form]")
    expect(form.locator(".error").first).to_contain_text("张伟")
    expect(form.locator("input[name=allow_duplicate]")).to_be_visible()
    assert visit.participants.count() == 1

    # Main path: removing asks first; going back keeps the person.
    page.goto(f"/engagements/visits/{visit.pk}/")
    page.click("[data-testid=participant-remove]")
    expect(page.locator("[data-testid=confirm-page] h1")).to_contain_text("张伟")
    page.click("[data-testid=confirm-no]")
    expect(page.locator("[data-testid=participant-row]")).to_have_count(1)
    page.click("[data-testid=participant-remove]")
    page.click("[data-testid=confirm-yes]")
    expect(page.locator("[data-testid=participant-row]")).to_have_count(0)
    assert not visit.participants.exists()


def test_speakers_keep_protocol_order_and_agenda_stays_within_the_event(
    page, personas: Personas
) -> None:
    event = EventFactory(organizer=personas.org_a, starts_at=at(30, 9), ends_at=at(30, 17))
    day = at(30, 9).date().isoformat()
    later = at(32, 9).date().isoformat()
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/events/{event.pk}/")
    form = "[data-testid=session-form]"

    page.click("#agenda details.addform summary")
    page.fill(f"{form} input[name=title_zh]", "闭幕式")
    page.fill(f"{form} input[name=starts_at]", f"{later}T09:00")
    page.fill(f"{form} input[name=ends_at]", f"{later}T10:00")
    page.click(f"{form} button[type=submit]")
    expect(page.locator(f"{form} .error").first).to_contain_text(day)
    expect(page.locator("[data-testid=agenda] tbody tr")).to_have_count(1)  # "no sessions"

    page.fill(f"{form} input[name=starts_at]", f"{day}T09:00")
    page.fill(f"{form} input[name=ends_at]", f"{day}T10:00")
    page.fill(f"{form} input[name=speakers]", "王院士、陈主任、安娜")
    page.click(f"{form} button[type=submit]")
    speakers = page.locator("[data-testid=speaker]")
    expect(speakers).to_have_count(3)
    expect(speakers.nth(0)).to_contain_text("王院士")
    expect(speakers.nth(1)).to_contain_text("陈主任")
    speakers.nth(2).locator("[data-testid=speaker-up]").click()
    expect(page.locator("[data-testid=speaker]").nth(1)).to_contain_text("安娜")


def test_news_published_only_in_the_approved_language(page, personas: Personas) -> None:
    park = OrganizationFactory(kind="park", name_zh="成都医学城", name_en="Chengdu Medical City")
    visit = VisitFactory(
        title_zh="医学城考察", organizer=personas.org_a, date=date.today() - timedelta(days=1)
    )
    StopFactory(visit=visit, organization=park)
    Outcome.objects.create(visit=visit, kind="intention", text="共建临床试验基地")
    Outcome.objects.create(visit=visit, kind="commitment", text="园区两周内提供租赁条件清单")
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/visits/{visit.pk}/")
    page.click("[data-testid=news-draft]")
    page.click("[data-testid=write-draft]")
    body = page.locator("textarea[name=body_zh]")
    expect(body).to_contain_text("共建临床试验基地")
    expect(body).not_to_contain_text("租赁条件清单")
    expect(page.locator("[data-testid=state-en]")).to_be_visible()

    # Failure path: nothing approved, nothing published.
    page.click("[data-testid=publish-news]")
    expect(page.locator(".editform [role=alert]").first).to_be_visible()
    post = NewsPost.objects.get(visit=visit)
    assert post.status == "draft"

    page.check("input[name=approve_zh]")
    page.click("[data-testid=publish-news]")
    expect(page.locator("[data-testid=news-title]")).to_contain_text("成都医学城")
    post.refresh_from_db()
    assert (post.zh_state, post.en_state) == ("published", "draft")

    page.click("[data-testid=sign-out]")
    page.goto(f"/public/news/{post.pk}/")
    page.click("[data-testid=language-en]")
    expect(page.locator("[data-testid=language-note]")).to_contain_text("Chinese only")
    expect(page.locator("main")).not_to_contain_text(post.title_en)


def test_future_visit_cannot_be_closed(page, personas: Personas) -> None:
    visit = VisitFactory(organizer=personas.org_a, date=date.today() + timedelta(days=3))
    sign_in(page, "staff_user", PASSWORD)
    page.goto(f"/engagements/visits/{visit.pk}/")
    expect(page.locator("[data-testid=done-later]")).to_be_visible()
    page.fill("[data-testid=done-form] textarea[name=summary]", "顺利完成")
    page.click("[data-testid=mark-done]")
    expect(page.locator("[data-testid=done-error]")).to_contain_text(
        (date.today() + timedelta(days=3)).isoformat()
    )
    expect(page.locator("[data-testid=done-form] textarea[name=summary]")).to_have_value("顺利完成")
    visit.refresh_from_db()
    assert visit.status == "planned"
