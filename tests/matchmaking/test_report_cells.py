"""The recommendation report keeps partner text inert (issue #16, items 4 and 5): achievement
titles and company names that a spreadsheet could run stay text, a stored control character
neither breaks the report nor survives in it, and ranks and scores stay numbers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from luodi.catalog.models import Organization
from luodi.retrieval import indexing
from tests.conftest import Personas, client_for
from tests.factories import AchievementFactory
from tests.matchmaking.conftest import Eco
from tests.test_sheets import CASES, assert_inert_xlsx, shown

pytestmark = [pytest.mark.django_db]


def _kras(title: str, personas: Personas, eco: Eco) -> None:
    a = AchievementFactory(
        owner=personas.org_a,
        title_zh=title,
        title_en=title,
        summary_zh="小分子 KRAS 抑制剂 肺癌",
        kind="drug",
        stage="preclinical",
        carrier_needs=["wet_lab"],
        space_needed_m2=100,
    )
    a.therapeutic_areas.set([eco.oncology])
    a.technology_fields.set([eco.small_molecule])


@CASES
def test_recommendation_report_keeps_partner_text_inert(
    personas: Personas, eco: Eco, texts: list[str]
) -> None:
    for text in texts:
        _kras(text, personas, eco)
    Organization.objects.filter(pk=eco.onco_co.pk).update(name_zh=texts[-1], name_en=texts[-1])
    indexing.rebuild_all()

    response = client_for(personas.staff).get(f"/matchmaking/reports/{eco.lab_park.pk}/")

    assert response.status_code == 200
    assert_inert_xlsx(response.content, shown(texts))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Achievements", "Companies"]
    rows = {row[1].value: row for row in book["Achievements"].iter_rows(min_row=2)}
    first = rows[shown(texts)[0]]
    assert (first[0].data_type, first[2].data_type) == ("n", "n")  # rank and score
