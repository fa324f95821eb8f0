"""Password reset: limited per client address and per account, one answer for every address."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import Personas

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"


@pytest.fixture(autouse=True)
def _limits(settings):  # type: ignore[no-untyped-def]
    settings.LUODI_PASSWORD_RESET_ADDRESS_LIMIT = 4
    settings.LUODI_PASSWORD_RESET_ACCOUNT_LIMIT = 2


def test_known_and_unknown_addresses_get_the_same_answer(personas: Personas) -> None:
    known = Client().post(URL, {"email": personas.partner_a.email})
    unknown = Client().post(URL, {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [[personas.partner_a.email]]


def test_requests_from_one_address_are_limited(personas: Personas) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [client.post(URL, {"email": f"x{n}@example.org"}).status_code for n in range(5)]
    assert statuses == [302, 302, 302, 302, 429]
    other = Client(REMOTE_ADDR="198.51.100.4").post(URL, {"email": "y@example.org"})
    assert other.status_code == 302


def test_one_account_gets_a_limited_number_of_mails(personas: Personas) -> None:
    email = personas.partner_a.email
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(URL, {"email": email.upper()}) for n in range(4)
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/accounts/password_reset/done/")
    }
    assert len(mail.outbox) == 2
