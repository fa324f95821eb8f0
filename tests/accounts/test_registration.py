"""/apply/ never tells whether an address already has an account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import Client

from luodi.accounts.models import AccountApplication, AuditEntry
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

APPLY = {
    "name": "王医生",
    "organization_name": "某某医院",
    "organization_kind": "hospital",
    "message": "发布临床需求",
}


def _page(response: HttpResponse) -> bytes:
    """The page without the per-visitor CSRF token."""
    return re.sub(
        rb'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content
    )


def test_existing_address_gets_the_same_answer_and_its_holder_a_mail(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    holder = personas.partner_a
    new = Client().post("/apply/", {**APPLY, "email": "new-person@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        existing = Client().post("/apply/", {**APPLY, "email": holder.email.upper()})

    assert (existing.status_code, _page(existing)) == (new.status_code, _page(new))
    assert list(AccountApplication.objects.values_list("email", flat=True)) == [
        "new-person@example.org"
    ]
    assert [m.to for m in mail.outbox] == [[holder.email]]
    assert "partner_a" in mail.outbox[0].body
    assert "/accounts/password_reset/" in mail.outbox[0].body
    entry = AuditEntry.objects.get(verb="application.existing_account")
    assert entry.target_id == str(holder.pk)


def test_holder_is_not_flooded_by_repeated_applications(
    personas: Personas, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            Client(REMOTE_ADDR=f"198.51.100.{n}").post(
                "/apply/", {**APPLY, "email": personas.partner_a.email}
            )
    assert len(mail.outbox) == 3
    assert not AccountApplication.objects.exists()
