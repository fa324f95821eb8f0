"""Every write reaches the index: signals, bulk writes, organization renames, the taxonomy,
and time passing (an expired grant)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from luodi.catalog.models import Achievement, Organization
from luodi.catalog.signals import changed
from luodi.disclosure.models import AccessGrant
from luodi.matching.backend import InProcessBackend
from luodi.retrieval import generations, indexing, signals
from luodi.retrieval.engine import get_engine
from luodi.retrieval.models import IndexRequest
from luodi.search.service import index_filters
from tests.conftest import Personas
from tests.factories import AchievementFactory, PersonFactory, TermFactory
from tests.index_util import run_index_jobs

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _own_indexes(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MATCHMAKING_ENCODER = "none"
    generations.forget()


def _waiting(kind: str) -> set[int]:
    return set(
        IndexRequest.objects.filter(kind=kind, done_at__isnull=True).values_list(
            "object_id", flat=True
        )
    )


def _found(user: Any, kind: str, q: str) -> set[int]:
    backend = get_engine().backend(kind)
    assert backend is not None
    return {int(h.id) for h in backend.search(q, k=50, mode="lexical", filters=index_filters(user))}


def test_bulk_writes_that_fire_no_signal_reach_the_index(personas: Personas) -> None:
    a = AchievementFactory(title_en="Quasar device", owner=personas.org_a)
    indexing.rebuild_all()
    Achievement.objects.filter(pk=a.pk).update(title_en="Pulsar device")  # no post_save
    assert _waiting("achievement") == set()

    changed(Achievement, [a.pk])  # what importers and merges send
    run_index_jobs()

    assert _found(personas.staff, "achievement", "pulsar") == {a.pk}
    assert _found(personas.staff, "achievement", "quasar") == set()


def test_renaming_an_organization_re_reads_what_carries_its_name(personas: Personas) -> None:
    a = AchievementFactory(owner=personas.org_a)
    p = PersonFactory(organization=personas.org_a, status="published")
    indexing.rebuild_all()

    personas.org_a.name_en = "Helios Institute"
    personas.org_a.save()

    assert {a.pk} <= _waiting("achievement") and {p.pk} <= _waiting("person")
    run_index_jobs()
    assert _found(personas.viewer, "achievement", "helios") == {a.pk}
    assert _found(personas.viewer, "person", "helios") == {p.pk}
    assert _found(personas.viewer, "organization", "helios") == {personas.org_a.pk}


def test_a_batch_requests_what_single_saves_request_once_each(personas: Personas) -> None:
    """An import chunk (`signals.batched`) asks for the same re-reads as row-by-row saves,
    the dependents of a renamed organization included, in a few queries at the end."""
    a = AchievementFactory(owner=personas.org_a)
    p = PersonFactory(organization=personas.org_a, status="published")
    indexing.rebuild_all()

    with transaction.atomic(), signals.batched():
        personas.org_a.name_en = "Helios Institute"
        personas.org_a.save()
        personas.org_a.save()  # twice: still one waiting row
        b = AchievementFactory(owner=personas.org_b, title_en="Corona probe")
        assert _waiting("achievement") == set()  # nothing written before the end

    assert _waiting("achievement") == {a.pk, b.pk} and _waiting("person") == {p.pk}
    assert (
        IndexRequest.objects.filter(
            kind="organization", object_id=personas.org_a.pk, done_at__isnull=True
        ).count()
        == 1
    )
    run_index_jobs()
    assert _found(personas.viewer, "person", "helios") == {p.pk}
    assert _found(personas.staff, "achievement", "corona") == {b.pk}


def test_a_batch_that_fails_requests_nothing(personas: Personas) -> None:
    indexing.rebuild_all()
    with pytest.raises(RuntimeError), transaction.atomic(), signals.batched():
        AchievementFactory(owner=personas.org_a)
        raise RuntimeError("the chunk failed")
    assert _waiting("achievement") == set()


def test_a_new_taxonomy_label_rebuilds_every_index_with_it_as_one_word(
    personas: Personas,
) -> None:
    a = AchievementFactory(title_zh="新型经导管瓣膜输送系统", title_en="")
    indexing.rebuild_all()

    TermFactory(label_zh="经导管瓣膜", label_en="Transcatheter valve")

    assert _waiting("achievement") == {indexing.EVERYTHING}
    assert _waiting("trial") == {indexing.EVERYTHING}
    run_index_jobs()
    backend = get_engine().backend("achievement")
    assert backend is not None and "经导管瓣膜" in backend.index.lexical.vocab  # type: ignore[attr-defined]
    assert _found(personas.viewer, "achievement", "经导管瓣膜") == {a.pk}


def test_an_expired_grant_is_noticed_by_the_sweep(personas: Personas) -> None:
    now = timezone.now()
    secret = AchievementFactory(
        title_en="Nebula compound", owner=personas.org_a, disclosure="confidential"
    )
    grant = AccessGrant.objects.create(
        achievement=secret,
        organization=personas.org_b,
        nda_version="1",
        nda_accepted_at=now,
        approved_at=now,
        expires_at=now + timedelta(days=1),
    )
    indexing.rebuild_all()
    assert _found(personas.partner_b, "achievement", "nebula") == {secret.pk}

    # The grant runs out; nothing is written when it does.
    AccessGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    indexing.sweep_indexes()
    run_index_jobs()

    assert _found(personas.partner_b, "achievement", "nebula") == set()
    assert _found(personas.partner_a, "achievement", "nebula") == {secret.pk}


def test_merged_organization_leaves_the_index(personas: Personas) -> None:
    indexing.rebuild_all()
    Organization.objects.filter(pk=personas.org_b.pk).update(merged_into=personas.org_a)
    changed(Organization, [personas.org_b.pk])
    run_index_jobs()
    backend = get_engine().backend("organization")
    assert backend is not None and str(personas.org_b.pk) not in backend


def test_reads_never_write(personas: Personas) -> None:
    """Search and match pages with no index built: they answer, and write nothing (no build,
    no queued job, no index request)."""
    from django_q.models import OrmQ, Schedule

    from luodi.retrieval.models import IndexGeneration
    from tests.conftest import client_for

    a = AchievementFactory(owner=personas.org_a)
    IndexRequest.objects.all().delete()
    before = (OrmQ.objects.count(), Schedule.objects.count())
    client = client_for(personas.partner_a)

    pages = [
        client.get("/search/", {"q": "测试"}),
        client.get(f"/matchmaking/achievement/{a.pk}/", {"tab": "park"}),
        client.get(f"/api/matchmaking/matches/achievement/{a.pk}", {"tab": "company"}),
    ]

    assert [p.status_code for p in pages] == [200, 200, 200]
    assert "检索索引正在建立" in pages[0].content.decode()
    assert not IndexRequest.objects.exists() and not IndexGeneration.objects.exists()
    assert (OrmQ.objects.count(), Schedule.objects.count()) == before


def test_an_edit_reaches_serving_processes_as_a_delta(personas: Personas, settings: Any) -> None:
    """One changed record is published as that record (with its vector), not as a new copy
    of the whole index; a process serving the previous version replays it."""
    from luodi.retrieval.models import IndexGeneration

    settings.MATCHMAKING_ENCODER = "hashing"
    a = AchievementFactory(title_en="Quasar device", owner=personas.org_a)
    for title in ("Cardiac stent coating", "Bone cement", "Insulin patch", "Gait sensor"):
        AchievementFactory(title_en=title, owner=personas.org_a)
    indexing.rebuild_all()
    generations.forget()
    serving = get_engine().loaded("achievement")  # a web worker holding the whole generation
    assert serving is not None and serving.index.dense is not None
    generations.forget()  # the index job runs in another process

    a.title_en = "Pulsar device"
    a.save()
    run_index_jobs()
    newest = generations.newest("achievement")
    assert newest is not None and newest.delta_of == serving.version
    generations._loaded["achievement"] = serving  # the web worker, looking again
    generations._checked.clear()

    assert _found(personas.staff, "achievement", "pulsar") == {a.pk}
    assert _found(personas.staff, "achievement", "quasar") == set()
    replayed = get_engine().loaded("achievement")
    assert replayed is not None and replayed.version == newest.version
    assert InProcessBackend(replayed.index).vector(str(a.pk)) is not None
    assert IndexGeneration.objects.filter(kind="achievement", delta_of__isnull=True).count() == 1
