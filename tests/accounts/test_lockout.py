"""Sign-in lockout per user name and address, and per address across user names."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    settings.LUODI_LOGIN_ADDRESS_FAILURE_LIMIT = 6


def _sign_in(username: str, password: str, address: str = "203.0.113.9") -> int:
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )
    return response.status_code


def test_one_address_spraying_many_users_is_locked_out(personas: Personas) -> None:
    # One wrong password for each of six names: no (name, address) pair comes near 3.
    statuses = [_sign_in(f"someone{n}", "summer-2026-password") for n in range(6)]
    assert statuses == [200] * 5 + [429]  # the sixth failure reaches the address's limit
    assert _sign_in("partner_a", PASSWORD) == 429
    assert _sign_in("partner_b", PASSWORD) == 429


def test_below_the_address_limit_signing_in_works(personas: Personas) -> None:
    for n in range(5):
        _sign_in(f"someone{n}", "summer-2026-password")
    assert _sign_in("partner_a", PASSWORD) == 302


def test_other_addresses_are_not_affected(personas: Personas) -> None:
    for n in range(6):
        _sign_in(f"someone{n}", "summer-2026-password")
    assert _sign_in("partner_a", PASSWORD, address="198.51.100.4") == 302


def test_signing_in_to_ones_own_account_does_not_clear_the_address(personas: Personas) -> None:
    UserFactory(username="sprayer")
    for n in range(5):
        _sign_in(f"victim{n}", "summer-2026-password")
    assert _sign_in("sprayer", PASSWORD) == 302  # the sprayer's own account
    _sign_in("victim5", "summer-2026-password")  # the sixth failure from this address
    assert _sign_in("partner_a", PASSWORD) == 429


def test_one_user_from_one_address_keeps_the_lower_limit(personas: Personas) -> None:
    for _ in range(3):
        _sign_in("partner_a", "wrong-password-1")
    assert _sign_in("partner_a", PASSWORD) == 429
    assert _sign_in("partner_b", PASSWORD) == 302
