"""External reviewers' links: signed, single-assessment, expiring, withdrawable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from luodi.assessments import domain, tokens
from tests.assessments.helpers import invite_external, open_for
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db


def test_a_token_opens_its_own_invitation_only(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    b = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    inv = invite_external(personas.staff, a, "ext@example.org")
    token = tokens.make(inv)
    assert tokens.read(token, a.pk) == inv
    with pytest.raises(tokens.TokenError) as exc:
        tokens.read(token, b.pk)
    assert exc.value.reason == "elsewhere"


def test_forged_expired_and_withdrawn_tokens_are_refused(personas: Personas) -> None:
    a = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    inv = invite_external(personas.staff, a, "ext@example.org")
    token = tokens.make(inv)
    for bad in (token[:-2] + "xx", "not-a-token", ""):
        with pytest.raises(tokens.TokenError) as exc:
            tokens.read(bad, a.pk)
        assert exc.value.reason == "forged"
    late = timezone.now() + timedelta(days=15 + tokens.TOKEN_GRACE_DAYS)
    with pytest.raises(tokens.TokenError) as exc:
        tokens.read(token, a.pk, now=late)
    assert exc.value.reason == "expired"
    past = tokens.make(inv, until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(tokens.TokenError):
        tokens.read(past, a.pk)
    domain.revoke(actor=personas.staff, invitation=inv)
    with pytest.raises(tokens.TokenError) as exc:
        tokens.read(token, a.pk)
    assert exc.value.reason == "withdrawn"


def test_the_page_says_why_a_link_does_not_open_and_shows_nothing(personas: Personas) -> None:
    secret = AchievementFactory(owner=personas.org_a, title_zh="MKSECRETTITLEQ7Z")
    a = open_for(personas.staff, secret)
    other = open_for(personas.staff, AchievementFactory(owner=personas.org_a))
    token = tokens.make(invite_external(personas.staff, a, "ext@example.org"))
    anonymous = client_for(None)
    wrong = anonymous.get(f"/assessments/{other.pk}/review/", {"token": token})
    assert wrong.status_code == 403 and b'data-reason="elsewhere"' in wrong.content
    forged = anonymous.get(f"/assessments/{a.pk}/review/", {"token": token + "x"})
    assert forged.status_code == 403 and b'data-reason="forged"' in forged.content
    for page in (wrong, forged):
        assert b"MKSECRETTITLEQ7Z" not in page.content
    ok = anonymous.get(f"/assessments/{a.pk}/review/", {"token": token})
    assert ok.status_code == 200 and b'data-testid="declaration-form"' in ok.content
    # no token, not signed in: the sign-in page
    assert anonymous.get(f"/assessments/{a.pk}/review/").status_code == 302
