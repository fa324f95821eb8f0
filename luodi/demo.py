"""The demo ecosystem that `luodi demo` (and `make run`) loads.

Each app contributes a loader; they run in order, each idempotent (natural keys with
get_or_create), in one transaction so that a failure leaves nothing half-loaded.
Organizations and hospitals are real public names; every person, achievement and project
is fictional and flagged `is_demo` (shown as a badge, never written into its text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction

from luodi.accounts.models import MembershipRole, Role, User
from luodi.catalog.models import Organization, OrganizationKind


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


DEMO_PASSWORD = "luodi-demo-2026"

# (username, display name, role, organization zh name or None, superuser)
PERSONAS: list[tuple[str, str, Role, str | None, bool]] = [
    ("admin", "演示管理员 Demo Admin", Role.STAFF, "医工融合创新中心", True),
    ("staff", "林晓（演示）Lin Xiao (demo)", Role.STAFF, "医工融合创新中心", False),
    ("park", "周航（演示）Zhou Hang (demo)", Role.PARTNER, "成都医学城", False),
    ("hospital", "陈静（演示）Chen Jing (demo)", Role.PARTNER, "四川大学华西医院", False),
    ("viewer", "投促局观察员（演示）Bureau viewer (demo)", Role.VIEWER, None, False),
]

ORGANIZATIONS: list[tuple[str, str, OrganizationKind]] = [
    (
        "医工融合创新中心",
        "Medical-Industrial Integration Innovation Center",
        OrganizationKind.ASSOCIATION,
    ),
    ("成都医学城", "Chengdu Medical City", OrganizationKind.PARK),
    ("成都天府国际生物城", "Tianfu International Bio-Town", OrganizationKind.PARK),
    ("四川大学华西医院", "West China Hospital, Sichuan University", OrganizationKind.HOSPITAL),
]


def _load_foundation(out: Writer) -> None:
    orgs: dict[str, Organization] = {}
    for name_zh, name_en, kind in ORGANIZATIONS:
        org, _ = Organization.objects.get_or_create(
            name_zh=name_zh, defaults={"name_en": name_en, "kind": kind, "is_demo": True}
        )
        orgs[name_zh] = org
    from luodi.accounts.domain import add_membership

    # One hash for the five accounts: the password is printed for everyone, so a salt per
    # account protects nothing, and each hash costs a quarter of a second by design.
    hashed = ""
    for username, display, role, org_name, superuser in PERSONAS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            display_name=display,
            role=role,
            email=f"{username}@demo.luodi.invalid",
            is_superuser=superuser,
            is_staff=superuser,
        )
        hashed = hashed or make_password(DEMO_PASSWORD)
        user.password = hashed
        user.save()
        if org_name:
            add_membership(
                actor=None, user=user, organization=orgs[org_name], role=MembershipRole.ADMIN
            )
        out.write(f"  demo user {username!r} ({role.label}) password {DEMO_PASSWORD!r}\n")


def _load_catalog(out: Writer) -> None:
    from luodi.ingest.demo import load as load_catalog

    load_catalog(out)


def _load_pipeline(out: Writer) -> None:
    from luodi.pipeline.demo import load as load_pipeline

    load_pipeline(out)


def _load_aftercare(out: Writer) -> None:
    from luodi.aftercare.demo import load as load_aftercare

    load_aftercare(out)


def _load_patents(out: Writer) -> None:
    from luodi.patents.demo import load as load_patents

    load_patents(out)


def _load_ledger(out: Writer) -> None:
    from luodi.ledger.demo import load as load_ledger

    load_ledger(out)


def _load_grants(out: Writer) -> None:
    from luodi.grants.demo import load as load_grants

    load_grants(out)


def _load_rewards(out: Writer) -> None:
    from luodi.rewards.demo import load as load_rewards

    load_rewards(out)


def _load_assessments(out: Writer) -> None:
    from luodi.assessments.demo import load as load_assessments

    load_assessments(out)


def _load_challenges(out: Writer) -> None:
    from luodi.challenges.demo import load as load_challenges

    load_challenges(out)


def _load_conferences(out: Writer) -> None:
    from luodi.conferences.demo import load as load_conferences

    load_conferences(out)


def _load_partnering(out: Writer) -> None:
    from luodi.partnering.demo import load as load_partnering

    load_partnering(out)


def _load_registration_options(out: Writer) -> None:
    from luodi.engagements.demo_registration import load as load_registration_options

    load_registration_options(out)


def _load_credentials(out: Writer) -> None:
    from luodi.credentials.demo import load as load_credentials

    load_credentials(out)


def _load_surveys(out: Writer) -> None:
    from luodi.surveys.demo import load as load_surveys

    load_surveys(out)


def _load_matchmaking(out: Writer) -> None:
    from luodi.matchmaking.demo import load as load_matchmaking

    load_matchmaking(out)


def _load_engagements(out: Writer) -> None:
    from luodi.engagements.demo import load as load_engagements

    load_engagements(out)


# Order matters: each loader builds on the records of the ones before it.
LOADERS: list[Callable[[Writer], None]] = [
    _load_foundation,
    _load_catalog,
    _load_pipeline,
    _load_engagements,
    _load_aftercare,
    _load_patents,
    _load_ledger,
    _load_grants,
    _load_rewards,
    _load_matchmaking,
    _load_assessments,
    _load_challenges,
    _load_conferences,
    _load_registration_options,
    _load_partnering,
    _load_credentials,
    _load_surveys,
]


def load(out: Writer) -> bool:
    """Run every loader (each is idempotent, so a later app's demo data still arrives on a
    database that had an older demo); returns False when the demo users were already there."""
    fresh = not User.objects.filter(username="admin").exists()
    with transaction.atomic():
        for loader in LOADERS:
            loader(out)
    return fresh
