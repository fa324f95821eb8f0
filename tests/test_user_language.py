"""The language a user chooses is remembered: mails and reports follow it, signing in on a
new browser restores it, and the API reads and changes it."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.conftest import Personas, client_for
from tests.factories import PASSWORD


def test_switcher_remembers_the_choice_of_a_signed_in_user(personas: Personas) -> None:
    user = personas.partner_a
    assert user.preferred_language() == "zh-hans"
    client = client_for(user)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert user.preferred_language() == "en"


def test_unknown_language_changes_nothing(personas: Personas) -> None:
    user = personas.partner_a
    client_for(user).post("/i18n/setlang/", {"language": "xx", "next": "/"})
    user.refresh_from_db()
    assert user.language == ""
    assert user.preferred_language() == settings.LANGUAGE_CODE


def test_anonymous_switch_still_works(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "en"


def test_sign_in_restores_the_stored_language(personas: Personas) -> None:
    user = personas.partner_a
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()  # a new browser: no language cookie
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response.wsgi_request.LANGUAGE_CODE == "en"


def test_api_reads_and_changes_the_language(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    me = client.get("/api/accounts/me").json()
    assert me["language"] == "" and me["preferred_language"] == "zh-hans"
    response = client.patch("/api/accounts/me", {"language": "en"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["preferred_language"] == "en"
    personas.partner_a.refresh_from_db()
    assert personas.partner_a.language == "en"


def test_api_rejects_an_unknown_language_with_field_errors(personas: Personas) -> None:
    client = client_for(personas.partner_a)
    response = client.patch("/api/accounts/me", {"language": "fr"}, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and "language" in error["fields"]
    personas.partner_a.refresh_from_db()
    assert personas.partner_a.language == ""
