"""Investment sought (`amount_sought_wan`): edited in the form and the API, mapped on import,
shown on the detail page, and compared with investors' tickets in the ranking."""

from __future__ import annotations

import io
from typing import Any

import pytest

from luodi.catalog.models import Achievement
from luodi.ingest.demo import load_catalog
from luodi.ingest.fields import ACHIEVEMENTS
from luodi.ingest.tables import Table, suggest_mapping
from luodi.matchmaking import queries
from luodi.retrieval import indexing
from tests.catalog_api.helpers import Api, error_fields
from tests.conftest import Personas, client_for
from tests.matchmaking.conftest import Eco, _investor

pytestmark = [pytest.mark.django_db]


def _investor_ranking(user: Any, a: Achievement) -> list[Any]:
    source = queries.load_source(user, "achievement", a.pk)
    return queries.matches(user, source, "investor", k=10).items


def _ticket(item: Any) -> Any:
    return next(r for r in item.reasons if r.code == "ticket")


def test_amount_sought_reorders_investors_and_says_so(personas: Personas, eco: Eco) -> None:
    # Two investors alike in everything but their ticket size.
    small = _investor("小额天使", "Small Angel", [eco.small_molecule], ticket_min_wan=100,
                      ticket_max_wan=800, stage_focus=["preclinical"])  # fmt: skip
    big = _investor("大额成长基金", "Big Growth", [eco.small_molecule], ticket_min_wan=5000,
                    ticket_max_wan=15000, stage_focus=["preclinical"])  # fmt: skip
    indexing.rebuild_all()
    a = eco.achievement  # preclinical: a typical round of 50–500
    before = [s for s in _investor_ranking(personas.partner_a, a) if s.pk in {small.pk, big.pk}]
    assert [s.pk for s in before] == [small.pk, big.pk]
    assert _ticket(before[0]).ok is True and "500" in _ticket(before[0]).text

    a.amount_sought_wan = 8000
    a.save(update_fields=["amount_sought_wan"])
    after = [s for s in _investor_ranking(personas.partner_a, a) if s.pk in {small.pk, big.pk}]
    assert [s.pk for s in after] == [big.pk, small.pk]
    fits, misses = _ticket(after[0]), _ticket(after[1])
    assert (fits.ok, misses.ok) == (True, False)
    # The explanation names the amount sought, not the typical round.
    assert "8000" in fits.text and "8000" in misses.text
    assert "50–500" not in fits.text


def test_form_api_and_detail_page_carry_it(personas: Personas, eco: Eco) -> None:
    a = eco.achievement
    # Staff edit it: a partner's edit of a published record now waits for review (#16).
    api = Api(personas.staff)
    resp = api.patch(f"/achievements/{a.pk}", {"amount_sought_wan": 1200})
    assert resp.status_code == 200, resp.content
    assert resp.json()["amount_sought_wan"] == 1200
    assert "amount_sought_wan" in error_fields(
        api.patch(f"/achievements/{a.pk}", {"amount_sought_wan": -5})
    )
    # Shown to others too (it explains investor matches), also in the API.
    page = client_for(personas.partner_b).get(f"/catalog/achievements/{a.pk}/").content.decode()
    assert 'data-testid="amount-sought">1200<' in page
    assert Api(personas.partner_b).get(f"/achievements/{a.pk}").json()["amount_sought_wan"] == 1200
    form = client_for(personas.partner_a).get(f"/catalog/achievements/{a.pk}/edit/")
    assert 'name="amount_sought_wan"' in form.content.decode()


def test_import_maps_the_column() -> None:
    table = Table(headers=["中文名称", "融资需求", "Amount sought"], rows=[])
    assert suggest_mapping(ACHIEVEMENTS, table) == ["title_zh", "amount_sought_wan", ""]


def test_demo_achievements_state_plausible_amounts(db: None) -> None:
    load_catalog(io.StringIO())
    amounts = list(
        Achievement.objects.filter(amount_sought_wan__isnull=False).values_list(
            "stage", "amount_sought_wan"
        )
    )
    assert len(amounts) >= 10
    assert Achievement.objects.filter(amount_sought_wan__isnull=True).exists()
    # Within the field (a positive integer) and plausible: 1 million to 500 million CNY.
    assert all(100 <= amount <= 50_000 for _stage, amount in amounts)
