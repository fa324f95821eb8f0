"""An achievement's page lists the patent records behind it, only to those who may see them:
a partner reading a public achievement's dossier does not learn its owner's fee records."""

from __future__ import annotations

import pytest

from luodi.patents import domain
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.patents.test_domain import values

pytestmark = pytest.mark.django_db


def test_patent_records_show_to_owners_and_staff_only(personas: Personas) -> None:
    achievement = AchievementFactory(owner=personas.org_a, disclosure="public")
    patent = domain.save_patent(
        actor=personas.staff,
        patent=None,
        values=values(),
        owners=[personas.org_a],
        achievements=[achievement],
    )
    url = f"/catalog/achievements/{achievement.pk}/"
    for user, shown in [
        (personas.partner_a, True),
        (personas.staff, True),
        (personas.partner_b, False),  # sees the public dossier, not the owner's patents
    ]:
        page = client_for(user).get(url)
        assert page.status_code == 200
        assert (patent.application_number.encode() in page.content) is shown, user
        assert (b'data-testid="patent-records"' in page.content) is shown
