"""The attendee's survey in the browser, on a phone in a messaging app's in-app browser with
scripts off: answer, see the thanks, come back and change an answer. Failure path: sending
without a required answer shows that question's error and keeps the other answers. And the
organiser's main path: create the survey from the event page's link and send it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from luodi.surveys import tokens
from luodi.surveys.models import Answer, Invitation, Response, Survey
from tests.browser_fixtures import sign_in
from tests.conftest import Personas
from tests.factories import PASSWORD
from tests.surveys.helpers import setup, survey_for

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI"
)


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _wechat(browser, live_server):  # type: ignore[no-untyped-def]
    return browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport=PHONE,
        user_agent=WECHAT_UA,
        java_script_enabled=False,
    )


def test_attendee_answers_on_a_phone_without_scripts(
    browser, live_server, personas: Personas
) -> None:  # type: ignore[no-untyped-def]
    s = setup()
    survey = survey_for(s, send=True)
    inv = Invitation.objects.filter(survey=survey).order_by("pk").first()
    assert inv is not None
    q1, q2, q3, q4 = survey.questions.order_by("position")
    context = _wechat(browser, live_server)
    page = context.new_page()
    page.goto(tokens.answer_path(inv.pk))
    assert _fits(page)
    page.check(f"input[name=q{q1.pk}][value='4']")
    page.check(f"input[name=q{q2.pk}][value='5']")
    page.check(f"input[name=q{q3.pk}][value='1']")
    page.fill(f"textarea[name=q{q4.pk}]", "希望提供会议资料下载")
    page.get_by_test_id("submit-answers").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    assert _fits(page)
    # Back later: the answers are there and a change replaces them.
    expect(page.locator(f"input[name=q{q1.pk}][value='4']")).to_be_checked()
    page.check(f"input[name=q{q1.pk}][value='2']")
    page.get_by_test_id("submit-answers").click()
    expect(page.get_by_test_id("saved")).to_be_visible()
    context.close()
    response = Response.objects.get()
    assert dict(Answer.objects.filter(response=response).values_list("question_id", "value")) == {
        q1.pk: "2",
        q2.pk: "5",
        q3.pk: "1",
        q4.pk: "希望提供会议资料下载",
    }


def test_missing_required_answer_shows_its_error(browser, live_server, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup()
    survey = survey_for(s, send=True)
    inv = Invitation.objects.filter(survey=survey).order_by("pk").first()
    assert inv is not None
    q1, q2, q3, q4 = survey.questions.order_by("position")
    context = _wechat(browser, live_server)
    page = context.new_page()
    page.goto(tokens.answer_path(inv.pk))
    page.check(f"input[name=q{q2.pk}][value='3']")
    page.fill(f"textarea[name=q{q4.pk}]", "茶歇")
    page.get_by_test_id("submit-answers").click()
    expect(page.get_by_test_id(f"error-q{q1.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"error-q{q3.pk}")).to_be_visible()
    expect(page.locator(f"input[name=q{q2.pk}][value='3']")).to_be_checked()
    expect(page.locator(f"textarea[name=q{q4.pk}]")).to_have_value("茶歇")
    assert _fits(page)
    context.close()
    assert not Response.objects.exists()


def test_organiser_creates_and_sends_the_survey(page, personas: Personas) -> None:  # type: ignore[no-untyped-def]
    s = setup()
    page.set_viewport_size(PHONE)
    sign_in(page, "organiser", PASSWORD)
    page.goto(f"/surveys/event/{s.event.pk}/")
    page.get_by_test_id("create-survey").click()
    expect(page.get_by_test_id("survey-state")).to_have_attribute("data-state", "draft")
    assert _fits(page)
    page.get_by_test_id("send-survey").click()
    expect(page.get_by_test_id("survey-state")).to_have_attribute("data-state", "open")
    survey = Survey.objects.get(event=s.event)
    assert survey.invitations.filter(mailed_at__isnull=False).count() == 4
    page.get_by_test_id("results-link").click()
    expect(page.get_by_test_id("invited")).to_have_text("4")
    assert _fits(page)
