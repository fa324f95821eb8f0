"""Open calls email the members of the matched organizations (after commit, in their
language); a mail failure is logged and never undoes the publishing."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from luodi.accounts.models import User
from luodi.matchmaking import actions
from luodi.matchmaking import mail as mm_mail
from luodi.matchmaking.models import OpenCall
from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.matchmaking.conftest import Eco

pytestmark = [pytest.mark.django_db]


def test_publishing_emails_members_with_an_address(
    personas: Personas, eco: Eco, member_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clinician = member_of(eco.west_china, "clinician")
    buyer = member_of(eco.onco_co, "buyer")
    no_mail = member_of(eco.onco_co, "no_mail")
    no_mail.email = ""
    no_mail.save(update_fields=["email"])
    gone = member_of(eco.onco_co, "gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    UserFactory(username="outsider")  # no membership: never mailed

    with django_capture_on_commit_callbacks(execute=True):
        resp = client_for(clinician).post(f"/matchmaking/needs/{eco.need.pk}/open-call/")
    assert resp.status_code == 302

    notified = set(OpenCall.objects.get(need=eco.need).notified.values_list("pk", flat=True))
    assert {eco.onco_co.pk, personas.org_a.pk} <= notified
    to = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(
        u.email
        for u in User.objects.filter(memberships__organization__in=notified).distinct()
        if u.email and u.is_active
    )
    assert to == expected  # one message each
    assert {buyer.email, personas.partner_a.email} <= set(to)
    assert not {no_mail.email, gone.email, clinician.email, "outsider@example.org"} & set(to)
    message = next(m for m in mail.outbox if m.to == [buyer.email])
    assert "肺癌早筛" in message.subject  # the need's title, in the default language (zh)
    assert f"http://testserver/catalog/needs/{eco.need.pk}/" in message.body
    assert "华西医院" in message.body


def test_message_follows_the_recipients_language(eco: Eco) -> None:
    eco.need.title_en = "Early lung cancer screening"
    eco.need.save(update_fields=["title_en"])
    user = UserFactory(username="reader")
    zh_subject, _zh_body = mm_mail.open_call_message(user, eco.need, "https://x/")
    assert "肺癌早筛" in zh_subject
    user.language = "en"
    subject, body = mm_mail.open_call_message(user, eco.need, "https://x/")
    assert subject == "Open call: Early lung cancer screening"
    assert "West China Hospital" in body and "https://x/" in body


def test_unpublished_need_is_not_announced(
    eco: Eco, member_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clinician = member_of(eco.west_china, "clinician")
    eco.need.status = "pending"
    eco.need.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            actions.publish_open_call(user=clinician, need_id=eco.need.pk)
        resp = client_for(clinician).post(f"/matchmaking/needs/{eco.need.pk}/open-call/")
    assert resp.status_code == 302
    assert not OpenCall.objects.exists()
    assert mail.outbox == []
