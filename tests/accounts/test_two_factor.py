"""Two-factor sign-in for staff: enrolment, the code step, backup codes, enforcement on
pages, the admin and the API."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from luodi.accounts import domain
from luodi.accounts.models import AuditEntry
from tests.accounts.conftest import code_for, enrolled
from tests.conftest import Personas, client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _password_step(client: Client, username: str, next_url: str = "") -> object:
    data = {"username": username, "password": PASSWORD}
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def test_two_factor_is_on_by_default() -> None:
    from luodi import settings as luodi_settings

    assert luodi_settings.LUODI_STAFF_2FA is True


def test_staff_without_a_device_is_sent_to_enrolment(personas: Personas) -> None:
    response = client_for(personas.staff).get("/catalog/organizations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/?next=")


def test_partner_without_a_device_is_not_asked(personas: Personas) -> None:
    assert client_for(personas.partner_a).get("/catalog/organizations/").status_code == 200


def test_enrolment_confirms_the_app_and_shows_backup_codes(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would make the next wait 1 s
    client = client_for(personas.staff)
    page = client.get("/accounts/two-factor/?next=/catalog/organizations/")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=personas.staff, confirmed=False)

    wrong = client.post("/accounts/two-factor/?next=/catalog/organizations/", {"code": "000000"})
    assert wrong.status_code == 400
    done = client.post(
        "/accounts/two-factor/?next=/catalog/organizations/", {"code": code_for(device)}
    )

    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    assert done.context["next"] == "/catalog/organizations/"
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=personas.staff).count() == 10
    # This session proved the new device: the pages open.
    assert client.get("/catalog/organizations/").status_code == 200
    assert AuditEntry.objects.filter(verb="auth.2fa_enable", actor=personas.staff).exists()


def test_sign_in_asks_for_the_code_after_the_password(personas: Personas) -> None:
    device = enrolled(personas.staff)
    client = Client()

    response = _password_step(client, "staff_user", "/catalog/organizations/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session  # nobody is signed in yet
    assert client.get("/catalog/organizations/").status_code == 302
    signed_in = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/catalog/organizations/"
    assert client.session["_auth_user_id"] == str(personas.staff.pk)
    assert client.get("/catalog/organizations/").status_code == 200


def test_wrong_code_does_not_sign_in_and_is_audited(personas: Personas) -> None:
    device = enrolled(personas.staff)
    client = Client()
    _password_step(client, "staff_user")

    response = client.post("/accounts/login/code/", {"code": "123456"})

    assert response.status_code == 400
    assert response.context["form"].errors["code"]
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(verb="auth.login_failed")
    assert failed.actor_label == "staff_user"
    assert failed.changes == {"factor": "otp"}
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_code_step_without_the_password_step_goes_back_to_sign_in(personas: Personas) -> None:
    enrolled(personas.staff)
    response = Client().post("/accounts/login/code/", {"code": "123456"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_too_many_wrong_codes_end_the_attempt(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the device's own back-off is tested above
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    settings.AXES_FAILURE_LIMIT = 50
    device = enrolled(personas.staff)
    client = Client()
    _password_step(client, "staff_user")
    statuses = [
        client.post("/accounts/login/code/", {"code": "111111"}).status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 302]
    # The right code no longer helps: the password step must be repeated.
    late = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert late.status_code == 302 and late["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_sign_in_lockout(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 2
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    enrolled(personas.staff)
    client = Client()
    _password_step(client, "staff_user")
    client.post("/accounts/login/code/", {"code": "111111"})
    locked = client.post("/accounts/login/code/", {"code": "222222"})
    assert locked.status_code == 429
    again = _password_step(Client(), "staff_user")
    assert again.status_code == 429


def test_a_backup_code_signs_in_once(personas: Personas) -> None:
    device = enrolled(personas.staff)
    # New codes need a session that passed the second factor: sign in with the app first.
    client = Client()
    _password_step(client, "staff_user")
    client.post("/accounts/login/code/", {"code": code_for(device)})
    codes = client.post("/accounts/two-factor/backup-codes/").context["codes"]
    code = codes[0]

    first, second = Client(), Client()
    _password_step(first, "staff_user")
    assert first.post("/accounts/login/code/", {"code": code.upper()}).status_code == 302
    _password_step(second, "staff_user")
    assert second.post("/accounts/login/code/", {"code": code}).status_code == 400


def test_session_that_skipped_the_code_is_signed_out(personas: Personas) -> None:
    enrolled(personas.staff)
    client = client_for(personas.staff)  # a session made without the code
    response = client.get("/catalog/organizations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session


def test_enrolment_page_cannot_replace_a_device_without_it(personas: Personas) -> None:
    first = enrolled(personas.staff)
    client = client_for(personas.staff)
    response = client.post("/accounts/two-factor/", {"code": "123456"})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=personas.staff)) == [first]


def test_admin_login_hands_over_to_the_two_step_sign_in(personas: Personas) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_needs_the_second_factor(personas: Personas) -> None:
    admin = personas.staff
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    device = enrolled(admin)
    client = Client()
    _password_step(client, "staff_user", "/admin/")
    response = client.post("/accounts/login/code/", {"code": code_for(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    skipped = client_for(admin).get("/admin/")
    assert skipped.status_code == 302 and skipped["Location"].startswith("/accounts/login/")


def test_api_session_of_unverified_staff_is_refused(personas: Personas) -> None:
    response = client_for(personas.staff).get("/api/accounts/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "two_factor_required"
    _token, raw = domain.create_api_token(actor=personas.staff, name="script")
    by_token = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert by_token.status_code == 200


def test_reset_command_removes_the_devices(personas: Personas) -> None:
    enrolled(personas.staff)
    call_command("reset_two_factor", "staff_user")
    assert not TOTPDevice.objects.filter(user=personas.staff).exists()
    assert AuditEntry.objects.filter(verb="auth.2fa_disable").count() == 1


def test_profile_links_to_two_factor_setup(personas: Personas) -> None:
    response = client_for(personas.partner_a).get("/accounts/profile/")
    assert (response.context["two_factor_on"], response.context["two_factor_required"]) == (
        False,
        False,
    )
    assert 'href="/accounts/two-factor/"' in response.content.decode()
