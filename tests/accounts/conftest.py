"""Accounts tests run with staff two-factor sign-in on, as in production."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from luodi.accounts.models import User


@pytest.fixture(autouse=True)
def _two_factor_on(settings):  # type: ignore[no-untyped-def]
    settings.LUODI_STAFF_2FA = True
    cache.clear()  # rate-limit slots of earlier tests


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `steps_ahead` periods later: a code
    is accepted once, so a second sign-in within 30 s uses the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
