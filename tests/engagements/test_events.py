from __future__ import annotations

import csv
import io

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from luodi.engagements.models import Event, Registration, Session
from tests.conftest import Personas, client_for
from tests.engagements.factories import EventFactory, RegistrationFactory, at
from tests.factories import OrganizationFactory

VALID = {
    "consent": "on",
    "name": "李娜",
    "email": "li.na@example.org",
    "organization_name": "某医院",
    "position": "主任",
    "phone": "028-1234567",
    "website": "",
}


def _session(client, event: Event, **extra):  # type: ignore[no-untyped-def]
    data = {
        "title_zh": "主旨报告",
        "room": "主会场",
        "starts_at": "2026-12-01T09:00",
        "ends_at": "2026-12-01T10:00",
        "speakers": "陈静",
    } | extra
    # Sessions must fall on the event's day (issue #18): the times below are on that day.
    day = timezone.localtime(event.starts_at).date().isoformat()
    for key in ("starts_at", "ends_at"):
        data[key] = data[key].replace("2026-12-01", day)
    return client.post(f"/engagements/events/{event.pk}/sessions/", data)


def test_session_same_room_overlap_is_refused(personas: Personas) -> None:
    event = EventFactory()
    client = client_for(personas.staff)
    _session(client, event)
    response = _session(
        client,
        event,
        title_zh="另一个",
        speakers="别人",
        starts_at="2026-12-01T09:30",
        ends_at="2026-12-01T10:30",
    )
    assert response.status_code == 400
    assert Session.objects.count() == 1
    assert "主会场" in response.content.decode()


def test_session_same_speaker_overlap_is_refused(personas: Personas) -> None:
    event = EventFactory()
    client = client_for(personas.staff)
    _session(client, event)
    response = _session(
        client,
        event,
        title_zh="分论坛",
        room="分会场A",
        starts_at="2026-12-01T09:45",
        ends_at="2026-12-01T10:15",
    )
    assert response.status_code == 400
    assert Session.objects.count() == 1


def test_session_back_to_back_in_same_room_is_accepted(personas: Personas) -> None:
    event = EventFactory()
    client = client_for(personas.staff)
    _session(client, event)
    response = _session(
        client, event, title_zh="第二场", starts_at="2026-12-01T10:00", ends_at="2026-12-01T11:00"
    )
    assert response.status_code == 302
    assert Session.objects.count() == 2


def test_public_registration_confirms_and_emails_ics(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    event = EventFactory(title_zh="医工融合论坛")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(None).post(f"/public/events/{event.pk}/", VALID)
    reg = Registration.objects.get(event=event)
    assert response.status_code == 302
    assert response["Location"] == f"/public/events/{event.pk}/ticket/{reg.code}/"
    assert reg.status == "confirmed"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.na@example.org"]
    assert reg.code in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "event.ics"
    assert mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content


def test_public_registration_duplicate_email_refused(personas: Personas) -> None:
    event = EventFactory()
    client = client_for(None)
    client.post(f"/public/events/{event.pk}/", VALID)
    response = client.post(
        f"/public/events/{event.pk}/", VALID | {"email": "LI.NA@example.org", "name": "别人"}
    )
    assert response.status_code == 400
    assert Registration.objects.filter(event=event).count() == 1
    page = response.content.decode()
    assert "该邮箱已报名本活动" in page


def test_public_registration_malformed_input_gives_field_errors(personas: Personas) -> None:
    event = EventFactory()
    response = client_for(None).post(
        f"/public/events/{event.pk}/",
        {
            "name": "<b>",
            "email": "not-an-email",
            "phone": "call me",
            "website": "",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"name", "email", "phone"}
    assert Registration.objects.count() == 0


def test_public_registration_honeypot_refused(personas: Personas) -> None:
    event = EventFactory()
    response = client_for(None).post(
        f"/public/events/{event.pk}/", VALID | {"website": "http://spam"}
    )
    assert response.status_code == 400
    assert Registration.objects.count() == 0


def test_public_registration_is_rate_limited(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LUODI_REGISTRATION_RATE_LIMIT = 3
    event = EventFactory()
    client = client_for(None)
    codes = [
        client.post(
            f"/public/events/{event.pk}/", VALID | {"email": f"p{i}@example.org"}
        ).status_code
        for i in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert Registration.objects.count() == 3


def test_public_registration_waiting_list_when_full(personas: Personas) -> None:
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event)
    response = client_for(None).post(f"/public/events/{event.pk}/", VALID, follow=True)
    assert Registration.objects.get(email="li.na@example.org").status == "waitlisted"
    assert response.status_code == 200


def test_public_pages_never_reveal_other_registrants(personas: Personas) -> None:
    event = EventFactory()
    other = RegistrationFactory(
        event=event, name="秘密嘉宾", email="secret@example.org", organization_name="秘密公司"
    )
    client = client_for(None)
    client.post(f"/public/events/{event.pk}/", VALID)
    mine = Registration.objects.get(email="li.na@example.org")
    pages = [
        client.get(f"/public/events/{event.pk}/").content.decode(),
        client.get(f"/public/events/{event.pk}/ticket/{mine.code}/").content.decode(),
        client.post(f"/public/events/{event.pk}/", VALID).content.decode(),
    ]
    for page in pages:
        assert "秘密嘉宾" not in page
        assert "secret@example.org" not in page
        assert "秘密公司" not in page
    assert client.get(f"/public/events/{event.pk}/ticket/WRONGCODE1/").status_code == 404
    assert client.get(f"/public/events/{other.event_id}/ticket/{other.code}x/").status_code == 404


def test_unpublished_event_is_not_public(personas: Personas) -> None:
    event = EventFactory(status="draft")
    assert client_for(None).get(f"/public/events/{event.pk}/").status_code == 404
    assert client_for(personas.partner_b).get(f"/engagements/events/{event.pk}/").status_code == 404


def test_ticket_qr_is_svg(personas: Personas) -> None:
    reg = RegistrationFactory()
    response = client_for(None).get(f"/public/events/{reg.event_id}/ticket/{reg.code}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_check_in_by_code_and_twice(personas: Personas) -> None:
    reg = RegistrationFactory()
    client = client_for(personas.staff)
    url = f"/engagements/events/{reg.event_id}/checkin/"
    client.post(url, {"code": reg.code.lower()})
    reg.refresh_from_db()
    first = reg.checked_in_at
    response = client.post(url, {"code": reg.code}, follow=True)
    reg.refresh_from_db()
    assert first is not None
    assert reg.checked_in_at == first
    assert response.status_code == 200


def test_check_in_unknown_code_shows_error(personas: Personas) -> None:
    event = EventFactory()
    response = client_for(personas.staff).post(
        f"/engagements/events/{event.pk}/checkin/", {"code": "NOPE123456"}
    )
    assert response.status_code == 404
    assert response.context["form"].errors["code"]


def test_check_in_by_search(personas: Personas) -> None:
    reg = RegistrationFactory(name="张三丰")
    client = client_for(personas.staff)
    found = client.get(f"/engagements/events/{reg.event_id}/checkin/", {"q": "三丰"})
    assert [r.pk for r in found.context["found"]] == [reg.pk]
    client.post(f"/engagements/events/{reg.event_id}/checkin/", {"registration": reg.pk})
    reg.refresh_from_db()
    assert reg.checked_in_at is not None


def test_check_in_refused_to_other_partners(personas: Personas) -> None:
    reg = RegistrationFactory()
    response = client_for(personas.partner_a).get(f"/engagements/events/{reg.event_id}/checkin/")
    assert response.status_code == 403


def test_co_organizer_partner_manages_check_in(personas: Personas) -> None:
    event = EventFactory()
    event.co_organizers.add(personas.org_a)
    response = client_for(personas.partner_a).get(f"/engagements/events/{event.pk}/checkin/")
    assert response.status_code == 200


def test_attendee_export_csv_and_xlsx_neutralize_formulas(personas: Personas) -> None:
    event = EventFactory()
    RegistrationFactory(event=event, name="=HYPERLINK(1)", organization_name="甲医院")
    client = client_for(personas.staff)
    text = client.get(f"/engagements/events/{event.pk}/registrations/?export=csv").content.decode(
        "utf-8-sig"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][2] == "甲医院"
    xlsx = client.get(f"/engagements/events/{event.pk}/registrations/?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=3).value == "甲医院"


def test_cancel_promotes_waiting_list_and_emails(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    event = EventFactory(capacity=1)
    first = RegistrationFactory(event=event)
    waiting = RegistrationFactory(event=event, status="waitlisted")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(personas.staff).post(
            f"/engagements/events/{event.pk}/registrations/{first.pk}/cancel/",
            {"confirm": "1"},  # from the confirmation page (issue #18)
        )
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert [m.to for m in mail.outbox] == [[waiting.email]]


def test_event_list_query_count_does_not_grow_with_rows(personas: Personas) -> None:
    client = client_for(personas.partner_a)

    def make() -> None:
        e = EventFactory()
        e.co_organizers.add(personas.org_b)
        RegistrationFactory(event=e)

    make()
    with CaptureQueriesContext(connection) as one:
        assert client.get("/engagements/events/").status_code == 200
    make()
    make()
    with CaptureQueriesContext(connection) as three:
        assert client.get("/engagements/events/").status_code == 200
    assert len(three) == len(one)


def test_event_detail_query_count_does_not_grow_with_sessions(personas: Personas) -> None:
    event = EventFactory()
    client = client_for(personas.staff)
    _session(client, event)
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/engagements/events/{event.pk}/").status_code == 200
    _session(client, event, room="B", speakers="乙", title_zh="二")
    _session(client, event, room="C", speakers="丙", title_zh="三")
    with CaptureQueriesContext(connection) as three:
        assert client.get(f"/engagements/events/{event.pk}/").status_code == 200
    assert len(three) == len(one)


def test_event_news_draft_and_publish(personas: Personas) -> None:
    event = EventFactory(title_zh="产业论坛", starts_at=at(-1, 9), ends_at=at(-1, 17))
    event.co_organizers.add(personas.org_b)
    client = client_for(personas.staff)
    response = client.post(f"/engagements/events/{event.pk}/news/")
    post = event.news_posts.get()
    assert response.status_code == 302
    assert "产业论坛" in post.body_zh
    assert "乙机构" in post.body_zh
    assert client_for(None).get(f"/public/news/{post.pk}/").status_code == 404
    client.post(
        f"/engagements/news/{post.pk}/",
        {
            "title_zh": post.title_zh,
            "title_en": post.title_en,
            "body_zh": post.body_zh,
            "body_en": post.body_en,
            "approve_zh": "on",  # only a version a person approved is published (issue #18)
            "publish": "1",
        },
    )
    public = client_for(None).get("/public/news/").content.decode()
    assert "产业论坛" in public


def test_roadshow_pulls_lineup_from_match_results(personas: Personas) -> None:
    from luodi.matchmaking.models import MatchRecord
    from tests.factories import AchievementFactory

    achievement = AchievementFactory(title_zh="可降解支架")
    secret = AchievementFactory(title_zh="保密成果", disclosure="confidential")
    investor = OrganizationFactory(kind="investor", name_zh="某基金")
    shortlisted = MatchRecord.objects.create(
        source_kind="achievement",
        source_id=achievement.pk,
        target_kind="investor",
        target_id=investor.pk,
        achievement=achievement,
        counterparty=investor,
        status="shortlisted",
        score=0.8,
    )
    hidden = MatchRecord.objects.create(
        source_kind="achievement",
        source_id=secret.pk,
        target_kind="investor",
        target_id=investor.pk,
        achievement=secret,
        counterparty=investor,
        status="introduced",
        score=0.7,
    )
    MatchRecord.objects.create(
        source_kind="achievement",
        source_id=achievement.pk,
        target_kind="park",
        target_id=personas.org_b.pk,
        achievement=achievement,
        counterparty=personas.org_b,
        status="suggested",
    )
    event = EventFactory(kind="roadshow")
    client = client_for(personas.staff)
    form = client.get(f"/engagements/events/{event.pk}/").context["pull_form"]
    assert set(form.fields["records"].queryset) == {shortlisted, hidden}
    client.post(
        f"/engagements/events/{event.pk}/pull-matches/", {"records": [shortlisted.pk, hidden.pk]}
    )
    assert set(event.achievements.all()) == {achievement, secret}
    assert list(event.invitees.all()) == [investor]
    public = client_for(None).get(f"/public/events/{event.pk}/").content.decode()
    assert "可降解支架" in public
    assert "保密成果" not in public
