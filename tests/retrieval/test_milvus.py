"""Search and matchmaking on Milvus (LUODI_RETRIEVAL_BACKEND=milvus, against milvus-lite):
builds are collections published as generations, edits reach them through the same jobs,
and Chinese and English queries find the same records as in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from luodi.matchmaking import queries
from luodi.retrieval import generations, indexing
from luodi.retrieval.models import IndexGeneration
from luodi.search import service
from tests.conftest import Personas
from tests.factories import AchievementFactory, OrganizationFactory
from tests.index_util import run_index_jobs
from tests.retrieval.milvus_util import on_milvus

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _milvus(settings: Any, tmp_path: Any, milvus_uri: str) -> Iterator[str]:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "hashing"
    generations.forget()
    with on_milvus(settings, milvus_uri) as prefix:
        yield prefix


def _titles(res: service.Results) -> list[str]:
    return [i.title_text for i in res.items]


def test_search_and_edits_on_milvus(personas: Personas, _milvus: str) -> None:
    AchievementFactory(title_zh="可降解镁合金心血管支架", title_en="Magnesium stent")
    AchievementFactory(title_zh="肿瘤早筛试剂盒", title_en="Early cancer screening kit")
    indexing.rebuild_all()
    assert IndexGeneration.objects.filter(path__startswith=_milvus).count() == 6

    assert _titles(service.search(personas.viewer, "镁合金支架")) == ["可降解镁合金心血管支架"]
    assert _titles(service.search(personas.viewer, "screening")) == ["肿瘤早筛试剂盒"]

    kit = AchievementFactory(title_zh="胰腺癌液体活检", title_en="")
    run_index_jobs()  # an upsert into the served collection, no new build
    assert _titles(service.search(personas.viewer, "液体活检")) == ["胰腺癌液体活检"]
    assert IndexGeneration.objects.filter(kind="achievement").count() == 1
    kit.delete()
    run_index_jobs()
    assert service.search(personas.viewer, "液体活检").items == []


def test_match_lists_rank_through_milvus(personas: Personas) -> None:
    a = AchievementFactory(
        owner=personas.org_a, title_zh="KRAS 抑制剂 小分子 肺癌", summary_zh="肺癌靶向药"
    )
    fit = OrganizationFactory(
        kind="company",
        name_zh="肺癌靶向药企",
        description_zh="小分子 KRAS 肺癌",
        status="published",
    )
    OrganizationFactory(
        kind="company", name_zh="眼科器械公司", description_zh="白内障 人工晶体", status="published"
    )
    indexing.rebuild_all()

    source = queries.load_source(personas.partner_a, "achievement", a.pk)
    ml = queries.matches(personas.partner_a, source, "company")

    assert ml.method == "hybrid"
    assert ml.items[0].pk == fit.pk and ml.items[0].matched
