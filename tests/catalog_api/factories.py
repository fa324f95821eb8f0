"""Factories the catalog API tests need beyond tests/factories.py."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories import OrganizationFactory


class ParkProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.ParkProfile"
        skip_postgeneration_save = True  # the hook only sets an m2m; nothing to save again

    organization = factory.SubFactory(OrganizationFactory, kind="park")
    policy_text_zh = "前三年租金减半。"
    rent_subsidy_pct = 50
    subsidy_years = 3
    services = ["cro", "platform"]

    @factory.post_generation
    def industry_focus(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            obj.industry_focus.set(extracted)


class TrialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Trial"

    registry_id = factory.Sequence(lambda n: f"NCT{n:08d}")
    title = factory.Sequence(lambda n: f"A phase II study of compound {n}")
    status = "RECRUITING"
    phase = "PHASE2"
    conditions = "Lung cancer"


class TrialSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.TrialSite"

    trial = factory.SubFactory(TrialFactory)
    organization = factory.SubFactory(OrganizationFactory, kind="hospital")
    location = "West China Hospital, Chengdu"


class AccessGrantFactory(factory.django.DjangoModelFactory):
    """A live, approved grant for 30 days."""

    class Meta:
        model = "disclosure.AccessGrant"

    nda_version = "v1"
    nda_accepted_at = factory.LazyFunction(timezone.now)
    approved_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
