"""Error pages: a record you may not see looks exactly like one that does not exist (and
names nothing), a refused action says why in your language, and a server error page needs
no request to render."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string

from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

SECRET = "绝密靶点QZ-7"


def test_hidden_record_and_missing_record_get_the_same_page(personas: Personas) -> None:
    secret = AchievementFactory(
        owner=personas.org_a, title_zh=SECRET, title_en=SECRET, disclosure="confidential"
    )
    client = client_for(personas.partner_b)

    hidden = client.get(f"/catalog/achievements/{secret.pk}/")
    missing = client.get(f"/catalog/achievements/{secret.pk + 1000}/")

    assert hidden.status_code == missing.status_code == 404
    body = hidden.content.decode()
    assert 'data-testid="error-404"' in body and "页面不存在" in body
    assert SECRET not in body

    # Same page but for the id in the path and the per-response CSRF mask.
    def normal(html: str, pk: int) -> str:
        return re.sub(r"[A-Za-z0-9]{64}", "TOKEN", html.replace(f"/achievements/{pk}/", "/PK/"))

    assert normal(body, secret.pk) == normal(missing.content.decode(), secret.pk + 1000)


def test_refused_action_explains_in_the_users_language(personas: Personas) -> None:
    client = client_for(personas.viewer)
    refused = client.get("/catalog/achievements/new/")
    assert refused.status_code == 403
    assert 'data-testid="error-403"' in refused.content.decode()
    assert "协会工作人员" in refused.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    refused = client.get("/catalog/achievements/new/")
    assert "ask the association staff" in refused.content.decode()


def test_server_error_page_renders_without_a_request() -> None:
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "出错了" in html
