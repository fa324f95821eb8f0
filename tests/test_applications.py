from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from luodi.accounts.models import AccountApplication, User
from luodi.catalog.models import Organization
from tests.conftest import Personas, client_for

pytestmark = pytest.mark.django_db

APPLY = {
    "name": "王医生",
    "email": "wang@example.org",
    "organization_name": "某某医院",
    "organization_kind": "hospital",
    "message": "发布临床需求",
}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def test_apply_then_staff_approves_creates_user_org_and_email(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:
    assert Client().post("/apply/", APPLY).status_code == 200
    application = AccountApplication.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas.staff).post(
            f"/accounts/applications/{application.pk}/decide/",
            {f"a{application.pk}-decision": "approve"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="wang@example.org")
    assert not user.has_usable_password()
    assert user.memberships.get().organization == Organization.objects.get(name_zh="某某医院")
    assert "/accounts/reset/" in mail.outbox[-1].body


def test_apply_form_shows_field_errors(db: None) -> None:
    response = Client().post("/apply/", {**APPLY, "email": "not-an-email"})
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert AccountApplication.objects.count() == 0


def test_apply_is_rate_limited(db: None) -> None:
    client = Client()
    for i in range(5):
        client.post("/apply/", {**APPLY, "email": f"x{i}@example.org"})
    assert client.post("/apply/", APPLY).status_code == 429
    assert AccountApplication.objects.count() == 5


def test_throttled_empty_application_is_a_429_not_a_500(db: None) -> None:
    client = Client()
    statuses = [client.post("/apply/", {}).status_code for _ in range(7)]

    assert statuses == [400] * 5 + [429] * 2


def test_reject_needs_a_note_and_partner_cannot_decide(personas: Personas) -> None:
    Client().post("/apply/", APPLY)
    application = AccountApplication.objects.get()
    url = f"/accounts/applications/{application.pk}/decide/"
    assert (
        client_for(personas.partner_a)
        .post(url, {f"a{application.pk}-decision": "approve"})
        .status_code
        == 403
    )
    response = client_for(personas.staff).post(url, {f"a{application.pk}-decision": "reject"})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "pending"
