"""Shared arrangements of the assessment tests: an open assessment of the default template
and reviewers invited to it (no mail unless asked)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from luodi.accounts.models import Role, User
from luodi.assessments import domain
from luodi.assessments.models import Assessment, Invitation, Template
from tests.factories import UserFactory

# One score per criterion of the default template (migration 0002), within each scale.
GOOD = {"trl": 7, "novelty": 4, "advancement": 4, "market": 4, "ip": 4, "team": 4}
WEAK = {"trl": 3, "novelty": 2, "advancement": 2, "market": 2, "ip": 2, "team": 3}


def default_template() -> Template:
    """The default template of migration 0002 (seeded again when a transactional test, such
    as a browser test, flushed the tables since)."""
    found = Template.objects.filter(is_default=True).first()
    if found is None:
        from importlib import import_module

        from django.apps import apps

        import_module("luodi.assessments.migrations.0002_default_template").seed(apps, None)
        found = Template.objects.get(is_default=True)
    return found


def open_for(actor: User, achievement: Any, mode: str = "blind", days: int = 14) -> Assessment:
    return domain.open_assessment(
        actor=actor,
        achievement=achievement,
        template=default_template(),
        mode=mode,
        deadline=timezone.localdate() + timedelta(days=days),
        base_url="http://testserver",
    )


def expert(username: str) -> User:
    user: User = UserFactory(username=username, role=Role.PARTNER)
    return user


def invite_user(actor: User, assessment: Assessment, user: User) -> Invitation:
    return domain.invite(actor=actor, assessment=assessment, user=user, send=False)


def invite_external(actor: User, assessment: Assessment, email: str) -> Invitation:
    return domain.invite(
        actor=actor, assessment=assessment, name="外部专家", email=email, send=False
    )


def scored(invitation: Invitation, values: dict[str, int], nda: bool = True) -> Invitation:
    domain.declare(actor=invitation.user, invitation=invitation, conflict=False, accept_nda=nda)
    return domain.submit_scores(actor=invitation.user, invitation=invitation, values=values)
