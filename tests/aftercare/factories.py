"""After-landing test data, built through the pipeline and aftercare domains."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from luodi.accounts.models import User
from luodi.catalog.models import Organization
from luodi.pipeline.models import LandingRecord, Project
from tests.conftest import Personas
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pipeline.factories import make_project

TO_LANDED = ("assessment", "matchmaking", "negotiation", "agreement_signed", "landed")


@dataclass
class Parks:
    park: Organization  # where the project landed
    other: Organization  # another park, which must see nothing of it
    park_user: User  # a member of `park`
    other_user: User  # a member of `other`


def make_parks() -> Parks:
    park = OrganizationFactory(kind="park", name_zh="成都医学城", name_en="Chengdu Medical City")
    other = OrganizationFactory(kind="park", name_zh="天府国际生物城", name_en="Bio-Town")
    park_user = UserFactory(username="park_user", role="partner")
    other_user = UserFactory(username="other_park_user", role="partner")
    MembershipFactory(user=park_user, organization=park)
    MembershipFactory(user=other_user, organization=other)
    return Parks(park, other, park_user, other_user)


def make_landed(
    personas: Personas, park: Organization, *, title: str = "机密骨科机器人项目", **fields: Any
) -> Project:
    """A project landed in `park`, its company org_b, owned by org_a, followed by staff."""
    project = make_project(
        personas.staff,
        personas.org_a,
        stage_path=(),
        title=title,
        company=personas.org_b,
        target_park=park,
        staff=personas.staff,
        **fields,
    )
    LandingRecord.objects.create(
        project=project,
        entity_name="成都蓉骨医疗科技有限公司",
        park=park,
        area_m2=1200,
        investment_wan=Decimal("5000"),
        jobs_planned=60,
    )
    from luodi.pipeline.domain.projects import move_project

    for stage in TO_LANDED:
        move_project(actor=personas.staff, project=project, to_stage=stage, confirm_warnings=True)
    project.refresh_from_db()
    return project
