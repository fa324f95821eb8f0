"""Two-factor sign-in for staff: a TOTP authenticator app (django-otp) plus one-time backup
codes (django-otp's static tokens).

Who: association staff, superusers and admin-site users (`applies_to`), while
LUODI_STAFF_2FA is on (the default). Signing in is then password → code; someone without a
device signs in with the password and is sent to enrolment before anything else
(middleware.StaffTwoFactorMiddleware), which ends with the session verified.

Between the two steps the session holds only the pending user's id, the backend and when
the password was accepted (`begin`); nothing is signed in until the code is right. A wrong
code counts as a failed sign-in for django-axes (so the same lockout applies) and for the
device's own back-off (django-otp's throttling); after MAX_CODE_TRIES the password step
must be repeated.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from luodi.accounts import audit
from luodi.accounts.models import User

PENDING_KEY = "luodi_2fa_pending"
PENDING_SECONDS = 300
MAX_CODE_TRIES = 5
BACKUP_CODE_COUNT = 10
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"


def applies_to(user: User | AnonymousUser) -> bool:
    """Whether this user must pass a second factor (staff, superusers, admin-site users)."""
    if not settings.LUODI_STAFF_2FA or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_association_staff or user.is_staff or user.is_superuser)


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_verified(request: HttpRequest) -> bool:
    """True when this session passed the second factor (django-otp's OTPMiddleware)."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def satisfied(request: HttpRequest) -> bool:
    """Whether the signed-in user may go on: no second factor needed, or passed."""
    return not applies_to(request.user) or session_verified(request)


# --- enrolment -----------------------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device that enrolment shows as a QR code; the same one until it is
    confirmed, so reloading the page does not invalidate a code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=TOTP_NAME).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(
    *, user: User, device: TOTPDevice, code: str, ip: str | None = None
) -> list[str] | None:
    """Confirm `device` with a code from the app; on success it replaces any earlier app
    and new backup codes are returned (shown once). None: the code was wrong."""
    if device.user_id != user.pk or device.confirmed:
        return None
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(normalise(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_backup_codes(user)
    audit.record(actor=user, verb="auth.2fa_enable", target=user, ip=ip)
    return codes


@transaction.atomic
def new_backup_codes(*, user: User, ip: str | None = None) -> list[str]:
    """Replace the backup codes (the old ones stop working); returns them, shown once."""
    codes = _replace_backup_codes(user)
    audit.record(actor=user, verb="auth.2fa_backup_codes", target=user, ip=ip)
    return codes


def _replace_backup_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def disable(*, actor: User | None, user: User, ip: str | None = None) -> int:
    """Remove every device (a lost phone): the user enrols again at the next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    audit.record(
        actor=actor,
        actor_label="" if actor else "luodi reset_two_factor",
        verb="auth.2fa_disable",
        target=user,
        ip=ip,
    )
    return removed


# --- verification --------------------------------------------------------------------------


def normalise(code: str) -> str:
    """Codes are typed with spaces or dashes now and then ("123 456")."""
    return "".join(code.split()).replace("-", "").lower()


def verify(user: User, code: str) -> Device | None:
    """The device that accepts `code`: the app's current code, or an unused backup code
    (which is then used up). Each verification locks its device row, so one code cannot
    be spent twice by two parallel requests."""
    code = normalise(code)
    if not code:
        return None
    devices: list[Device] = []
    if code.isdigit():
        devices += TOTPDevice.objects.filter(user=user, confirmed=True)
    devices += StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(code):
                return locked
    return None


# --- the pending sign-in between password and code -----------------------------------------


def begin(request: HttpRequest, user: User, *, backend: str, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "since": time.time(),
        "tries": 0,
    }


def pending(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user whose password was accepted in this browser a moment ago, if any."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - data.get("since", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(data.get("user") or 0), is_active=True).first()
    return (user, data) if user is not None else None


def count_failure(request: HttpRequest, data: dict[str, Any]) -> bool:
    """Record a wrong code; False once the tries are used up (the pending sign-in ends)."""
    data["tries"] = int(data.get("tries", 0)) + 1
    if data["tries"] >= MAX_CODE_TRIES:
        end(request)
        return False
    request.session[PENDING_KEY] = data
    return True


def end(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
