"""Schemathesis over the whole OpenAPI document, as staff and as a partner.

Every operation gets generated requests (schema examples, the coverage phase's boundary
values — huge ids, limits, odd strings — and random positive and negative data) through
Django's WSGI handler, inside the test's transaction. Checks: no 5xx, every status the
operation documents, the documented content type and the response body matching its schema;
none is left out.

Bounded for CI: all three phases run (examples, coverage, fuzzing), but the random phase
stops at 10 examples per operation and user; the coverage phase, which finds the boundary
cases, is most of the time. About 2 to 3 CPU-minutes for ~280 items on SQLite or
PostgreSQL. `derandomize` keeps a CI failure reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import TokenScope
from luodi.api import api
from luodi.grants import domain as grants_domain
from luodi.ledger import domain as ledger_domain
from luodi.patents import domain as patent_domain
from tests.conftest import Personas
from tests.engagements.factories import EventFactory, MeetingFactory, StopFactory, VisitFactory
from tests.factories import AchievementFactory, PersonFactory
from tests.pipeline.factories import make_project

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
APP = WSGIHandler()


@pytest.fixture
def _keep_connection() -> Iterator[None]:
    """A WSGI request closes the database connection when it ends (as Django's test client
    does not): on PostgreSQL that would end the test's transaction mid-test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(personas: Personas) -> dict[str, str]:
    # A little of everything to find, so ids like 1 and 2 reach real records (and their
    # answers, times included, are checked against the schema).
    AchievementFactory.create_batch(2, owner=personas.org_a)
    PersonFactory.create_batch(2, organization=personas.org_a)
    visit = VisitFactory(organizer=personas.org_a, start_time=time(8, 30))
    StopFactory(visit=visit, window_start=time(9), window_end=time(11), arrive_at=time(9, 30))
    EventFactory(organizer=personas.org_a)
    MeetingFactory()
    make_project(personas.staff, personas.org_a)
    _patent(personas)
    _ledger_entry(personas)
    grants_domain.save_grant(  # a draft 赋权 of org_a, so /api/grants/1 names a real record
        actor=personas.staff,
        grant=None,
        values={
            "institution": personas.org_a,
            "achievement": AchievementFactory(owner=personas.org_a),
            "kind": "ownership",
            "team_share_bp": 7000,
        },
        members=[],
    )
    return {
        who: create_api_token(actor=user, name="fuzz", scope=TokenScope.WRITE)[1]
        for who, user in (("staff", personas.staff), ("partner", personas.partner_a))
    }


def _patent(personas: Personas) -> None:
    """A granted CNIPA patent of org_a, so /api/patents/1 answers with a fee schedule."""
    filed = date.today().replace(year=date.today().year - 4, month=1, day=10)
    patent_domain.save_patent(
        actor=personas.staff,
        patent=None,
        values={
            "office": "cnipa",
            "kind": "invention",
            "application_number": "202110123456.7",
            "filing_date": filed,
            "grant_date": filed.replace(year=filed.year + 2),
            "status": "granted",
        },
        owners=[personas.org_a],
    )


def _ledger_entry(personas: Personas) -> None:
    """An expected royalty of org_a, so /api/ledger/entries/1 answers and can be received."""
    ledger_domain.save_entry(
        actor=personas.staff,
        entry=None,
        values={
            "institution": personas.org_a,
            "direction": "income",
            "kind": "royalty",
            "amount_fen": 12_345,
            "status": "expected",
            "expected_on": date.today(),
        },
    )


@pytest.mark.slow
@pytest.mark.parametrize("who", ["staff", "partner"])
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.usefixtures("_keep_connection")
def test_api_fuzz(case: schemathesis.Case, who: str, tokens: dict[str, str]) -> None:
    case.call_and_validate(
        app=APP,
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {tokens[who]}"},
        checks=CHECKS,
    )
