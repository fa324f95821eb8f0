from __future__ import annotations

import factory

from luodi.accounts.models import Membership, Role, User
from luodi.catalog.models import Organization, OrganizationKind

PASSWORD = "correct-horse-battery-42"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name_zh = factory.Sequence(lambda n: f"测试机构{n}")
    name_en = factory.Sequence(lambda n: f"Test Organization {n}")
    kind = OrganizationKind.COMPANY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.PARTNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Term"

    scheme = "area"
    code = factory.Sequence(lambda n: f"T{n:03d}")
    label_zh = factory.Sequence(lambda n: f"领域{n}")
    label_en = factory.Sequence(lambda n: f"Area {n}")


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Achievement"

    title_zh = factory.Sequence(lambda n: f"测试成果{n}")
    title_en = factory.Sequence(lambda n: f"Test achievement {n}")
    summary_zh = "一种用于测试的成果摘要。"
    summary_en = "A summary used in tests."
    kind = "drug"
    stage = "preclinical"
    owner = factory.SubFactory(OrganizationFactory)
    disclosure = "public"
    status = "published"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Person"

    name_zh = factory.Sequence(lambda n: f"张{n}")
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    phone = "028-12345678"


class ClinicalNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.ClinicalNeed"

    title_zh = factory.Sequence(lambda n: f"临床需求{n}")
    problem = "术中出血难以实时监测。"
    organization = factory.SubFactory(OrganizationFactory, kind="hospital")


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Carrier"

    park = factory.SubFactory(OrganizationFactory, kind="park")
    name = factory.Sequence(lambda n: f"{n}号楼")
    carrier_type = "wet_lab"
    area_total_m2 = 1000
    area_available_m2 = 400
