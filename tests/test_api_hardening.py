"""API robustness (issue #16 item 10): each hole the fuzzer found, as a request that used to
answer a 500 (or HTML, or something the schema did not say) and now answers a documented,
structured 4xx — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from luodi.accounts.domain import create_api_token
from luodi.accounts.models import TokenScope, User
from luodi.api import api
from luodi.engagements.models import Visit
from luodi.errors import MAX_ID, MAX_LIMIT
from tests.conftest import Personas
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

HUGE = 2**70  # beyond every database integer


def _token_client(user: User) -> Client:
    token = create_api_token(actor=user, name="hardening", scope=TokenScope.WRITE)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


@pytest.fixture
def staff(personas: Personas) -> Client:
    return _token_client(personas.staff)


# -- pagination and ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/catalog/achievements",  # the catalog's own pagination
        "/api/catalog/terms",
        "/api/pipeline/projects",
        "/api/engagements/visits",
        "/api/accounts/audit",
        "/api/notifications/deliveries",
    ],
)
@pytest.mark.parametrize("param", ["limit", "offset"])
def test_huge_limit_or_offset_is_a_422_not_an_overflow(
    staff: Client, personas: Personas, path: str, param: str
) -> None:
    AchievementFactory(owner=personas.org_a)
    error = _error(staff.get(path, {param: HUGE}), 422)
    assert param in error["fields"]


def test_limit_is_capped_and_documented(staff: Client, personas: Personas) -> None:
    AchievementFactory(owner=personas.org_a)
    assert staff.get("/api/catalog/achievements", {"limit": MAX_LIMIT}).status_code == 200
    _error(staff.get("/api/catalog/achievements", {"limit": MAX_LIMIT + 1}), 422)
    params = api.get_openapi_schema(path_prefix="/api")["paths"]["/api/pipeline/projects"]["get"]
    limit = next(p for p in params["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == MAX_LIMIT


def test_revisions_use_the_bounded_limit_too(staff: Client) -> None:
    # Listed through ninja's own pagination class: bounded by NINJA_PAGINATION_MAX_LIMIT.
    _error(staff.get("/api/catalog/revisions", {"limit": HUGE}), 422)
    assert staff.get("/api/catalog/revisions", {"offset": HUGE}).status_code in (404, 422)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/catalog/achievements/{HUGE}",
        f"/api/catalog/terms/{HUGE}",
        f"/api/pipeline/projects/{HUGE}",
        f"/api/engagements/visits/{HUGE}",
        f"/api/insights/reports/{HUGE}",
        f"/api/privacy/people/{HUGE}",
        f"/api/catalog/achievements/{MAX_ID}",
    ],
)
def test_huge_id_in_the_path_is_not_found_or_invalid(staff: Client, path: str) -> None:
    response = staff.get(path)
    assert response.status_code in (404, 422), response.content
    assert _error(response, response.status_code)["code"] in ("not_found", "invalid")


def test_huge_id_in_a_body_is_invalid(staff: Client, personas: Personas) -> None:
    response = staff.post(
        "/api/engagements/visits",
        {"date": "2026-12-01", "organizer_id": HUGE, "organization_ids": [HUGE]},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/accounts/audit?verb=a%00b", "verb"),  # PostgreSQL refuses NUL in any text
        ("/api/catalog/achievements?q=%0B", "q"),
        ("/api/insights/charts/a%00b", "key"),
    ],
)
def test_control_characters_in_the_query_or_path_are_a_422(
    staff: Client, path: str, field: str
) -> None:
    error = _error(staff.get(path), 422)
    assert "U+00" in error["fields"][field][0]


# -- bodies -----------------------------------------------------------------------------------


def test_a_body_over_the_upload_limit_is_a_413(staff: Client, settings: Any) -> None:
    big = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    error = _error(staff.patch("/api/accounts/me", big, content_type="application/json"), 413)
    assert error["code"] == "too_large"


def test_a_multipart_body_with_a_bad_boundary_is_a_400(staff: Client) -> None:
    response = staff.post(
        "/api/ingest/table",
        b"--nope\r\nnot really multipart",
        content_type="multipart/form-data; boundary=",
    )
    assert _error(response, 400)["code"] == "bad_request"


def test_malformed_json_is_a_documented_400(staff: Client) -> None:
    response = staff.patch("/api/accounts/me", b"\x00", content_type="application/json")
    assert _error(response, 400)["code"] == "bad_request"
    responses = api.get_openapi_schema(path_prefix="/api")["paths"]["/api/accounts/me"]["patch"]
    assert {400, 413} <= set(responses["responses"])


# -- unknown paths and methods ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/catalog/nope/", "/api/catalog/achievements/x"])
def test_an_unknown_api_path_is_a_json_404(staff: Client, method: str, path: str) -> None:
    assert _error(getattr(staff, method)(path), 404)["code"] == "not_found"


def test_a_missing_trailing_slash_is_named_not_redirected(staff: Client) -> None:
    error = _error(staff.post("/api/search"), 404)
    assert "/api/search/" in error["message"]


def test_an_unknown_api_path_is_a_json_404_without_auth_too() -> None:
    assert _error(Client().post("/api/nope"), 404)["code"] == "not_found"


def test_the_site_keeps_its_html_404(personas: Personas) -> None:
    client = Client()
    client.force_login(personas.staff)
    response = client.get("/catalog/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_path_does_not_answer_is_a_json_405(staff: Client) -> None:
    response = staff.delete("/api/accounts/me")
    assert _error(response, 405)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


# -- conflicts documented ---------------------------------------------------------------------


def test_conflicts_are_documented_on_writes() -> None:
    paths = api.get_openapi_schema(path_prefix="/api")["paths"]
    assert 409 in paths["/api/engagements/events/{event_id}/sessions"]["post"]["responses"]
    assert 409 in paths["/api/catalog/achievements/{pk}"]["patch"]["responses"]
    assert 409 not in paths["/api/catalog/achievements/{pk}"]["get"]["responses"]


# -- times ------------------------------------------------------------------------------------


def _time_format_ok(value: str) -> bool:
    checker = Draft202012Validator.FORMAT_CHECKER
    return not list(
        Draft202012Validator({"format": "time"}, format_checker=checker).iter_errors(value)
    )


def test_times_with_an_offset_are_stored_on_the_projects_clock(
    staff: Client, personas: Personas, settings: Any
) -> None:
    settings.TIME_ZONE = "Asia/Shanghai"
    response = staff.post(
        "/api/engagements/visits",
        {
            "title_zh": "考察",
            "date": "2026-12-01",
            "start_time": "00:30:00Z",
            "organizer_id": personas.org_a.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    visit = Visit.objects.get(pk=response.json()["id"])
    assert visit.start_time == time(8, 30)  # 00:30 UTC is 08:30 in Shanghai
    assert response.json()["start_time"] == "08:30:00+08:00"

    stop = staff.post(
        f"/api/engagements/visits/{visit.pk}/stops",
        {"place": "园区", "window_start": "09:00:00+08:00", "window_end": "03:00:00+00:00"},
        content_type="application/json",
    )
    assert stop.status_code == 201, stop.content
    saved = visit.stops.get()
    assert (saved.window_start, saved.window_end) == (time(9, 0), time(11, 0))


def test_times_without_an_offset_keep_their_wall_clock(staff: Client, personas: Personas) -> None:
    response = staff.post(
        "/api/engagements/visits",
        {
            "title_zh": "考察",
            "date": "2026-12-01",
            "start_time": "08:30",
            "organizer_id": personas.org_a.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Visit.objects.get(pk=response.json()["id"]).start_time == time(8, 30)


def test_times_in_responses_are_valid_format_time(staff: Client, personas: Personas) -> None:
    created = staff.post(
        "/api/engagements/visits",
        {
            "title_zh": "考察",
            "date": "2026-12-01",
            "start_time": "08:30",
            "organizer_id": personas.org_a.pk,
        },
        content_type="application/json",
    ).json()
    assert not _time_format_ok("08:30:00")  # what was answered before: no offset
    assert _time_format_ok(created["start_time"])
    schema = api.get_openapi_schema(path_prefix="/api")["components"]["schemas"]["VisitOut"]
    assert schema["properties"]["start_time"]["format"] == "time"
